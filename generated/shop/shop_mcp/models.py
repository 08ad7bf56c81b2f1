"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NewProduct(BaseModel):
    name: str
    price: float = Field(..., ge=0.0)


class Product(NewProduct):
    id: str | None = None


class Order(BaseModel):
    id: str | None = None
    productId: str | None = None
    quantity: int | None = None
    channel: str | None = None
    status: str | None = None