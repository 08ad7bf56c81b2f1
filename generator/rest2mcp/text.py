"""Text from the document, made to fit: descriptions are cut where a reader would stop."""

from __future__ import annotations


def cap(text: str, limit: int) -> str:
    """Cut `text` near `limit` characters, at a sentence end when one is close, else at a word."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    sentence_end = max(window.rfind(". "), window.rfind(".\n"), window.rfind("! "), window.rfind("? "))
    if sentence_end >= limit * 0.6:
        return window[: sentence_end + 1]
    word_end = window.rfind(" ")
    return (window[:word_end] if word_end > limit * 0.6 else window).rstrip() + " …"
