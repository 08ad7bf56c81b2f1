# rest2mcp runtime: generated packages carry this file verbatim (MODULE/generated/), and regeneration
# overwrites it there. Do not edit a copy: change it in rest2mcp (generator/rest2mcp/runtime/).
"""The catalog: the contract between the generator (its one writer) and the runtime (its one reader).

A generated package carries two JSON files next to this module:

- `tools.json` (`CatalogData`): every tool's MCP definition, its request plan, and the security
  schemes the plans name. Read on the first tools/list or call (in discovery and dynamic modes, on first use).
- `index.json` (`IndexData`): what the server needs at start: the API's name and settings, the
  toolsets and their sizes, the resources (URI templates of the operations chosen as resources)
  and the prompts. Small, whatever the API's size.
- `openapi.json` (optional, named in `index.json`): the API's document, read only when it is read
  as a resource.

Both carry `formatVersion`. The reader accepts every version it knows (version 1 had no key and
no index) and refuses newer ones with a message saying so. Keys added to a version are optional
(`NotRequired`): readers ignore keys they do not know, so a file with them still reads in older
runtimes and in `rest2mcp diff`, and this runtime serves files without them. A change that older
readers would misread needs a new version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

FORMAT_VERSION = 2
VERSION_KEY = "formatVersion"
CATALOG_FILE = "tools.json"
INDEX_FILE = "index.json"

Location = Literal["path", "query", "header", "cookie", "body", "body_field"]
LOCATIONS: tuple[Location, ...] = ("path", "query", "header", "cookie", "body", "body_field")
BodyKind = Literal["json", "form", "multipart", "text", "binary"]


# Where one input property goes on the wire (functional form: "in" is a Python keyword).
ArgumentPlan = TypedDict(
    "ArgumentPlan",
    {
        "in": Location,
        "name": NotRequired[str],  # the wire name (parameter or body property); absent for a whole body
        "style": NotRequired[str],
        "explode": NotRequired[bool],
        "allowReserved": NotRequired[bool],
        "contentType": NotRequired[str],  # JSON-content parameters; a multipart part's type
        "file": NotRequired[bool],  # a multipart field carrying a file (or an array of files)
    },
)


class BodyPlan(TypedDict):
    mediaType: str
    kind: BodyKind
    required: bool


class OAuthPlan(TypedDict):
    """How the server fetches an access token for an oauth2 or openIdConnect scheme when no static
    token is set: client credentials or a refresh token (runtime/oauth.py)."""

    env: dict[str, str]  # role (clientId, clientSecret, refreshToken, tokenUrl, scopes, authMethod) -> variable
    tokenUrl: NotRequired[str]  # the document's, perhaps relative to the base URL
    flow: NotRequired[str]  # the document's flow tokenUrl belongs to: clientCredentials, authorizationCode, password
    refreshUrl: NotRequired[str]
    scopes: NotRequired[list[str]]  # what the operations require of this scheme
    discoveryUrl: NotRequired[str]  # openIdConnectUrl: the token endpoint is read from it


SchemePlan = TypedDict(
    "SchemePlan",
    {
        "kind": Literal["apiKey", "bearer", "basic"],
        "env": list[str],  # the variables holding the secret(s): key, token, or user name and password
        "in": NotRequired[Literal["header", "query", "cookie"]],  # apiKey only
        "name": NotRequired[str],  # apiKey only: the header, query or cookie name
        "oauth": NotRequired[OAuthPlan],  # bearer from oauth2 or openIdConnect: the token may be fetched
    },
)


class PaginationPlan(TypedDict):
    """How the next page of a list is asked for: the argument that selects it and where the
    response says what to pass (each field a path of object keys in the response body)."""

    argument: str  # the input property that selects the page
    kind: Literal["cursor", "after", "page", "offset"]  # the value to pass: a field's; the last item's key; +1; +items
    next: NotRequired[list[str]]  # cursor: the field holding the next page's cursor (or its URL)
    more: NotRequired[list[str]]  # a field that is true while more pages follow (has_more)
    items: NotRequired[list[str]]  # the page's list of items
    key: NotRequired[str]  # after: the item field whose last value selects the next page
    total: NotRequired[list[str]]  # offset: the field counting every item; page: counting every page


class ToolPlan(TypedDict):
    """How the runtime turns a tool's arguments into a request and the response into a result."""

    method: str
    path: str  # the path template, `{name}` for path parameters
    arguments: dict[str, ArgumentPlan]  # input property -> where it goes
    body: NotRequired[BodyPlan]
    security: NotRequired[list[list[str]]]  # alternatives, each a list of scheme keys
    accept: NotRequired[str]
    server: NotRequired[str]  # this operation's own base URL
    output: NotRequired[Literal["object", "wrap"]]  # declared output schema: the body, or {"result": body}
    fixed: NotRequired[dict[str, Any]]  # hidden arguments and the values always sent
    defaults: NotRequired[dict[str, Any]]  # values sent when the model gives none
    tags: NotRequired[list[str]]
    toolsets: NotRequired[list[str]]
    approval: NotRequired[bool]  # whether a call waits for the user's approval; absent: if destructive
    pagination: NotRequired[PaginationPlan]  # how the result says which argument gets the next page


class ToolDefinition(TypedDict):
    """The MCP Tool object, as tools/list gives it."""

    name: str
    title: NotRequired[str]
    description: str
    inputSchema: dict[str, Any]
    outputSchema: NotRequired[dict[str, Any]]
    annotations: dict[str, Any]


class CatalogData(TypedDict):
    formatVersion: int
    tools: list[ToolDefinition]
    plans: dict[str, ToolPlan]
    schemes: dict[str, SchemePlan]


class ToolsetEntry(TypedDict):
    tools: int
    description: NotRequired[str]


class DocumentEntry(TypedDict):
    """The API's document, a data file beside index.json, served as a resource."""

    uri: str
    file: str  # its name beside index.json
    mimeType: str
    size: int  # bytes
    version: str  # its `openapi` or `swagger` value


class TemplateEntry(TypedDict):
    """A GET operation served as a resource: reading a URI that matches `uriTemplate` (RFC 6570,
    level 1) calls the tool `tool` (its name in tools.json) with the URI's variables as arguments."""

    tool: str
    uriTemplate: str  # without variables, the URI of one resource (listed by resources/list)
    variables: dict[str, str]  # URI variable -> the tool's argument
    name: str
    title: NotRequired[str]
    description: NotRequired[str]
    mimeType: NotRequired[str]
    toolsets: list[str]  # the tool's, to list without reading tools.json


class ResourcesEntry(TypedDict):
    scheme: str  # of every URI the server serves: `<scheme>://...`
    document: NotRequired[DocumentEntry]
    templates: list[TemplateEntry]


class PromptArgumentEntry(TypedDict):
    name: str
    description: NotRequired[str]
    required: bool


class PromptEntry(TypedDict):
    """A prompt template: `{argument}` in `text` is replaced by the argument's value."""

    title: NotRequired[str]
    description: NotRequired[str]
    text: str
    arguments: list[PromptArgumentEntry]


class IndexData(TypedDict):
    formatVersion: int
    name: str  # the distribution and command name
    title: str  # the API's title
    envPrefix: str
    baseUrl: str | None
    baseUrlNote: str | None  # why there is no base URL
    instructions: str
    mode: Literal["tools", "discovery", "dynamic"]
    tools: int
    toolsets: dict[str, ToolsetEntry]
    # Added without a new format version: readers ignore keys they do not know, and this reader
    # serves index files without them (packages generated before) with what it can derive.
    resources: NotRequired[ResourcesEntry]
    prompts: NotRequired[dict[str, PromptEntry]]


class CatalogError(Exception):
    """A catalog this runtime cannot read; the message says why and what to do."""


def _checked_version(raw: Any, what: str) -> int:
    if not isinstance(raw, dict):
        raise CatalogError(f"{what} is not a JSON object")
    version = raw.get(VERSION_KEY, 1)
    if not isinstance(version, int) or version < 1:
        raise CatalogError(f"{what} has an invalid {VERSION_KEY}: {version!r}")
    if version > FORMAT_VERSION:
        raise CatalogError(
            f"{what} has format version {version}, newer than this reader's {FORMAT_VERSION}: "
            "upgrade rest2mcp (or regenerate the package with this version)"
        )
    return version


def read_catalog(data: bytes | str | dict[str, Any], what: str = CATALOG_FILE) -> CatalogData:
    """The catalog in `data`, in the current format (version 1, without the key, reads the same)."""
    try:
        raw = json.loads(data) if isinstance(data, (bytes, str)) else data
    except ValueError as exc:
        raise CatalogError(f"{what} is not valid JSON: {exc}") from None
    _checked_version(raw, what)
    tools, plans, schemes = raw.get("tools"), raw.get("plans"), raw.get("schemes", {})
    if not isinstance(tools, list) or not isinstance(plans, dict) or not isinstance(schemes, dict):
        raise CatalogError(f"{what} is not a tool catalog: it needs 'tools' (a list) and 'plans' (an object)")
    missing = [t.get("name") if isinstance(t, dict) else t for t in tools
               if not isinstance(t, dict) or not isinstance(t.get("name"), str) or t["name"] not in plans]
    if missing:
        raise CatalogError(f"{what} is not a tool catalog: no request plan for {missing[:3]}")
    return {"formatVersion": FORMAT_VERSION, "tools": tools, "plans": plans, "schemes": schemes}


def read_index(data: bytes | str, what: str = INDEX_FILE) -> IndexData:
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise CatalogError(f"{what} is not valid JSON: {exc}") from None
    _checked_version(raw, what)
    index: IndexData = raw
    return index


@dataclass
class Catalog:
    """The tools of one API: definitions in tools/list order, plans and schemes by name."""

    definitions: list[ToolDefinition]
    plans: dict[str, ToolPlan]
    schemes: dict[str, SchemePlan]

    @classmethod
    def from_data(cls, data: CatalogData) -> Catalog:
        return cls(data["tools"], data["plans"], data["schemes"])

    @classmethod
    def from_json(cls, data: bytes | str) -> Catalog:
        return cls.from_data(read_catalog(data))
