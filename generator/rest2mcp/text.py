"""Text from the document, made to fit: descriptions are cut where a reader would stop."""

from __future__ import annotations

import re


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


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))*\)")  # [text](url), the URL may hold (x)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# HTML tags documents use for formatting; other <words> are kept (they are often placeholders: <owner>).
_TAG = re.compile(r"</?(?:a|b|i|u|s|em|strong|code|tt|kbd|pre|p|div|span|br|hr|img|ul|ol|li|dl|dt|dd|table|"
                  r"thead|tbody|tr|td|th|h[1-6]|sup|sub|small|details|summary|blockquote|del|ins|mark)"
                  r"(?:\s[^<>]*)?/?>", re.IGNORECASE)


def plain(text: str) -> str:
    """Markdown and HTML reduced to the words a reader needs: images and comments dropped, links
    as their text, formatting tags dropped; paragraphs kept."""
    if "<" in text or "[" in text:  # (every comment, tag, image and link has one: most text has none)
        text = _COMMENT.sub("", _IMAGE.sub("", text))
        text = _TAG.sub(" ", _LINK.sub(r"\1", text))
    lines = (" ".join(line.split()) for line in text.strip().splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def brief(text: str, limit: int) -> str:
    """The first paragraph of `text` as plain words on one line, cut near `limit` characters."""
    first = plain(text).split("\n\n", 1)[0]
    return cap(" ".join(first.split()), limit)
