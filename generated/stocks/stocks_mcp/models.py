"""Pydantic models of the API's schemas, for overrides.py. Import them where you use them."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field, RootModel


class Symbol(RootModel[str]):
    root: str = Field(..., examples=['AAPL', 'MSFT', 'BRK.B'], pattern='^[A-Za-z]{1,5}(\\.[A-Za-z])?$')


class Quote(BaseModel):
    symbol: str = Field(..., description='The ticker symbol, upper case')
    name: str = Field(..., description="The company's name")
    exchange: str = Field(..., description='Where the stock is listed')
    currency: str = Field(..., description='The currency of every price in this quote')
    price: float = Field(..., description='The latest price of one share')
    previous_close: float = Field(..., description='The price at the previous close')
    change: float = Field(..., description='price - previous_close')
    change_percent: float = Field(..., description='The change in percent of the previous close')
    volume: int = Field(..., description='Shares traded in the day')
    as_of: AwareDatetime = Field(..., description='When the price was quoted')


class ComparedStock(BaseModel):
    symbol: str
    name: str
    price: float = Field(..., description='The latest price of one share')
    change_percent: float = Field(..., description='The change today, in percent')
    market_cap: float = Field(..., description='The market capitalization, in billions of the currency')
    pe_ratio: float | None = Field(..., description='Price/earnings ratio; null when earnings are negative')
    dividend_yield: float = Field(
        ..., description='The yearly dividend in percent of the price (0 when none is paid)'
    )


class Comparison(BaseModel):
    currency: str
    as_of: AwareDatetime
    stocks: list[ComparedStock]
    best_performer: str = Field(..., description='The symbol whose price rose most (or fell least) today')
    worst_performer: str = Field(..., description='The symbol whose price fell most (or rose least) today')


class Error(BaseModel):
    error: str = Field(..., description='A short machine-readable code', examples=['unknown_symbol'])
    message: str = Field(..., description='What went wrong, for people')