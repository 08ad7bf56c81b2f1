"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from pydantic import BaseModel


class NewPet(BaseModel):
    name: str
    tag: str | None = None


class Pet(NewPet):
    id: int