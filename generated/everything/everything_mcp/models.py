"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from enum import Enum

from pydantic import AwareDatetime, BaseModel, Field, RootModel


class ColorEnum(Enum):
    red = 'red'
    green = 'green'
    blue = 'blue'


class Color(RootModel[ColorEnum | None]):
    root: ColorEnum | None = Field(None, examples=['red'])


class Item(BaseModel):
    id: str = Field(..., description="The body's id (the query's id is `id__query`).")
    name: str = Field(..., min_length=1)
    price: float | None = Field(None, gt=0.0)
    createdAt: AwareDatetime | None = None
    labels: dict[str, str] | None = None
    color: Color | None = Field(None, examples=['red'])


class Node(BaseModel):
    name: str
    children: list[Node] | None = None


Node.model_rebuild()