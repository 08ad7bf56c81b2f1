"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from pydantic import BaseModel, Field, RootModel


class Pet(BaseModel):
    id: int | None = None
    name: str
    tag: str | None = None


class Pets(RootModel[list[Pet]]):
    root: list[Pet] = Field(..., max_length=100)


class Error(BaseModel):
    code: int
    message: str