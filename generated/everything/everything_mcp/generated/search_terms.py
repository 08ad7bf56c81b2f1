# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The words discovery search compares: a task as a person writes it ("remove a label from an
issue") and an operation as an API names it (issueRemoveLabel, DELETE /issues/{index}/labels/{id})
are both reduced to the same terms.

Words are split at camelCase and snake_case, lowercased, and stemmed lightly (plurals, -ing, -ed,
a final e: "starred" and "stars" are "star"); filler words are dropped; the verbs of common tasks
become one verb each (add, new, make, register... are "create"; remove, drop... are "delete"), and
a few words of web APIs their usual synonyms (a "PR" is a pull request, to "like" is to favourite).
An operation also gets the verb its HTTP method implies: POST creates (or, to one item, updates),
DELETE deletes, PUT and PATCH update, GET lists a collection or gets one item. A task that starts
with a verb that acts ("mute a user") makes the operations that act rank higher, a question or a
noun ("accounts I have blocked") those that read (`intent`).
"""

from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

# Phrases read as one word before the text is split.
_PHRASES = [(re.compile(pattern, re.IGNORECASE), word) for pattern, word in (
    (r"\b(?:logged|signed)[\s-]+in\s+(?=user|account)", " current "),
    (r"\blog(?:ged)?\s*-?\s*in\b|\bsign(?:ed)?\s*-?\s*in\b", " login "),
    (r"\blog(?:ged)?\s*-?\s*out\b|\bsign(?:ed)?\s*-?\s*out\b", " logout "),
    (r"^\s*set\s+up\b", " create "),
    (r"\blook\s+up\b", " search "),
    (r"\bget\s+all\b|\bshow\s+all\b|\ball\s+the\b", " list "),
    (r"\bpull\s+requests?\b|\bprs?\b|\bmerge\s+requests?\b", " pull request "),
    (r"\bpre-?\s*shared\s+keys?\b", " psk "),
    (r"\bwi-?fi\b", " wlan "),
    (r"\btake\s+(.*?)\s*\boff\b", r" delete \1 "),
)]

_STOP = frozenset(["a", "an", "the", "of", "in", "on", "to", "for", "my", "me", "i", "it", "its", "this", "that", "these", "those", "from", "with", "by", "as", "at", "one", "another", "someone", "somebody", "s", "be", "is", "are", "do", "does", "what", "which", "who", "how", "via", "and", "or", "into", "under", "up", "out", "about", "have", "has", "any", "some", "there", "their", "our", "your", "you", "we", "please"])

# Words that are verbs only where a task starts with them ("change the settings", not "history of changes").
_VERBS_FIRST = {"post": ("create",), "put": ("create",), "issu": ("create",), "send": ("create",),
                "open": ("create",), "chang": ("update",), "set": ("update",), "like": ("favourite",),
                "record": ("create",), "log": ("create",), "mov": ("create", "transfer"), "order": ("create", "order")}


# A word -> the terms it stands for (after stemming, both sides).
_CANONICAL = {
    "create": ("create",), "add": ("create",), "new": ("create",), "make": ("create",), "creat": ("create",),
    "publish": ("create",), "raise": ("create",), "rais": ("create",), "register": ("create",),
    "generat": ("create",), "submit": ("create",), "insert": ("create",), "write": ("create",), "writ": ("create",),
    "delet": ("delete",), "remov": ("delete",), "drop": ("delete",), "destroy": ("delete",), "eras": ("delete",), "purg": ("delete",),
    "cancel": ("delete",), "stop": ("delete",), "unregister": ("delete",),
    "updat": ("update",), "edit": ("update",), "modify": ("update",), "modifi": ("update",),
    "renam": ("update",), "patch": ("update",),
    "get": ("get",), "show": ("get",), "fetch": ("get",), "retriev": ("get",), "read": ("get",), "view": ("get",),
    "display": ("get",), "see": ("get",), "information": ("get",), "info": ("get",), "detail": ("get",),
    "list": ("list",), "every": ("list",), "all": ("list",),
    "find": ("search",), "lookup": ("search",), "query": ("search",),
    "boost": ("reblog",), "favorit": ("favourite",), "favourit": ("favourite",),
    "fave": ("favourite",), "toot": ("status",), "tweet": ("status",), "feed": ("timelin",),
    "copy": ("clon", "fork"), "duplicat": ("clon",), "reboot": ("restart",), "statistic": ("stat",),
    "sso": ("sso",), "ssid": ("wlan",), "stargazer": ("star",), "unwatch": ("delete", "watch"),
    "unstar": ("delete", "star"), "organization": ("org",), "organisation": ("org",), "administrator": ("admin",),
    "authenticat": ("current",), "self": ("current",), "own": ("current",), "me": ("current",),
    "myself": ("current",), "attach": ("attachment",), "webhook": ("hook",),
    "upload": ("create", "upload"), "somebody": ("member",), "someone": ("member",),
}
_VERB_OF_METHOD = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A light suffix stripper: enough to meet "stars", "starred" and "starring" at "star"."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # starred -> star, running -> run
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # create, created -> creat
    return word


# The first words of tasks that act (change something) rather than read: with them, operations
# that are not GETs rank higher; with a question or a noun first, GETs do.
_ACTIONS = frozenset(stem(word) for word in ["create", "delete", "update", "follow", "unfollow", "mute", "unmute", "block", "unblock", "star", "unstar", "boost", "reblog", "ping", "merge", "approve", "reject", "pin", "unpin", "bookmark", "vote", "report", "accept", "authorize", "acknowledge", "ack", "restart", "reboot", "upgrade", "clone", "fork", "sync", "invite", "claim", "assign", "test", "send", "email", "archive", "lock", "unlock", "move", "transfer", "apply", "mark", "log", "upload", "publish", "add", "remove", "edit", "change", "record", "order", "register", "generate", "submit", "start", "stop", "cancel", "post", "put", "set", "open", "raise", "issue", "make", "give", "take", "dismiss", "favourite", "favorite", "like", "revoke", "enable", "disable", "run", "trigger", "import", "export", "render", "new", "attach"])
_READS = frozenset(["get", "list", "search", "show", "find", "who", "which", "what", "when", "where", "how", "whose", "fetch", "read", "view"])


def terms(text: str, *, first_is_verb: bool = False) -> list[str]:
    """The search terms of `text`. `first_is_verb`: the text is a task ("post a status"), whose
    first word is a verb even where it could be a noun."""
    for pattern, word in _PHRASES:
        text = pattern.sub(word, text)
    found: list[str] = []
    for position, raw in enumerate(_WORD.findall(text)):
        word = raw.lower()
        if word in _STOP:
            continue
        stemmed = stem(word)
        if first_is_verb and position == 0 and stemmed in _VERBS_FIRST:
            found.extend(_VERBS_FIRST[stemmed])
        elif first_is_verb and position > 0 and stemmed == "post":
            found.append("status")  # "delete one of my posts": a post later in a task is a message
        else:
            found.extend(_CANONICAL.get(stemmed, (stemmed,)))
    return found


def intent(query: str) -> str | None:
    """'act' when a task starts with a verb that changes something, 'read' when it asks or names
    what it wants, None when there is no telling."""
    words = [w.lower() for w in _WORD.findall(query)]
    if not words:
        return None
    first = words[0]
    if first in _READS or stem(first) in {"get", "list", "search", "show", "find", "fetch", "read", "view", "display"}:
        return "read"
    if stem(first) in _ACTIONS or first in _ACTIONS:
        return "act"
    return "read"


def method_terms(method: str, path: str) -> list[str]:
    """The verb an operation's method implies: GET lists a collection or gets one item."""
    item = path.rstrip("/").endswith("}")
    if method.upper() == "GET":
        return ["get"] if item else ["list"]
    if method.upper() == "POST" and item:
        return ["update"]  # a POST to one item changes it (creating is a POST to the collection)
    verb = _VERB_OF_METHOD.get(method.upper())
    return [verb] if verb else []
