"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field


class Format(Enum):
    hardcover = 'hardcover'
    paperback = 'paperback'
    ebook = 'ebook'


class NewBook(BaseModel):
    title: str
    isbn: str
    year: int | None = None
    format: Format | None = Field(None, description='How the book is printed.')


class Book(NewBook):
    id: int | None = None