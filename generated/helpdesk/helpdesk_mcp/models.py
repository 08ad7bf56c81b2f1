"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from datetime import date
from enum import Enum

from pydantic import AnyUrl, AwareDatetime, BaseModel, EmailStr, Field, RootModel


class CustomerId(RootModel[str]):
    root: str = Field(..., examples=['C-1001'], pattern='^C-[0-9]{4}$')


class Article(BaseModel):
    id: str = Field(..., examples=['KB-101'])
    title: str
    snippet: str = Field(..., description="The article's first sentences")
    url: AnyUrl
    score: float = Field(..., description='How well the article matches, higher is better')


class SearchResults(BaseModel):
    query: str
    total: int = Field(
        ..., description='How many articles match (more than returned when the limit cut them)'
    )
    results: list[Article]


class Plan(Enum):
    free = 'free'
    pro = 'pro'
    enterprise = 'enterprise'


class Customer(BaseModel):
    id: str
    name: str
    email: EmailStr
    plan: Plan
    customer_since: date


class Status(Enum):
    open = 'open'
    pending = 'pending'
    closed = 'closed'


class PastTicket(BaseModel):
    id: str
    subject: str
    status: Status
    category: str
    opened_at: AwareDatetime


class CustomerHistory(BaseModel):
    customer: Customer
    open_tickets: int = Field(..., description="How many of the customer's tickets are open or pending")
    tickets: list[PastTicket]


class Ticket(BaseModel):
    subject: str = Field(..., description="The ticket's subject line", max_length=200, min_length=1)
    body: str = Field(..., description="The customer's message", max_length=5000, min_length=1)
    customer_id: CustomerId | None = Field(
        None, description="Who wrote it, when known (an enterprise customer's ticket is never low priority)"
    )


class Category(Enum):
    billing = 'billing'
    account = 'account'
    shipping = 'shipping'
    bug = 'bug'
    other = 'other'


class Priority(Enum):
    low = 'low'
    normal = 'normal'
    high = 'high'


class Classification(BaseModel):
    category: Category
    priority: Priority
    confidence: float = Field(..., ge=0.0, le=1.0)
    matched_keywords: list[str] = Field(
        ..., description='The words of the ticket that decided the category and the priority'
    )


class Tone(Enum):
    friendly = 'friendly'
    formal = 'formal'
    concise = 'concise'


class ArticleId(RootModel[str]):
    root: str = Field(..., pattern='^KB-[0-9]{3}$')


class DraftRequest(BaseModel):
    customer_id: CustomerId = Field(..., description='The customer the reply is for')
    subject: str | None = Field(
        None,
        description="The subject of the customer's message (the reply's subject is `Re: ` and it)",
        max_length=200,
    )
    message: str = Field(..., description="The customer's message to answer", max_length=5000, min_length=1)
    tone: Tone | None = Tone.friendly
    article_ids: list[ArticleId] | None = Field(
        None, description='Knowledge-base articles to cite (ids from search_knowledge_base)', max_length=5
    )


class Draft(BaseModel):
    customer_id: str
    tone: str
    subject: str
    body: str = Field(..., description="The reply's text, ready for the agent to edit")
    article_ids: list[str]
    sent: bool = Field(..., description='Always false; the agent sends the reply')


class Error(BaseModel):
    error: str = Field(..., description='A short machine-readable code')
    message: str = Field(..., description='What went wrong, for people')