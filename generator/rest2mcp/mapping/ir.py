"""The intermediate representation: what the templates and the runtime need, nothing more.

Schemas stay plain JSON-Schema dicts. The pair that matters is a tool's flat `input_schema`
and its `arguments`: for each input property, where its value goes on the wire. The generated
runtime builds requests from that map alone and never reads the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rest2mcp.runtime.catalog import PromptEntry, SchemePlan, TemplateEntry, ToolDefinition, ToolPlan


@dataclass(frozen=True)
class Argument:
    name: str  # property name in the input schema
    location: str  # one of the catalog's LOCATIONS (rest2mcp.runtime.catalog)
    wire: str = ""  # parameter name or body property name; "" for a whole body
    style: str | None = None
    explode: bool = False
    allow_reserved: bool = False
    # parameters serialized as content (JSON in a query string); a multipart field's part type
    content_type: str | None = None
    file: bool = False  # a multipart field carrying one file (or an array of files)

    def plan(self) -> dict[str, Any]:
        plan: dict[str, Any] = {"in": self.location}
        if self.wire:
            plan["name"] = self.wire
        if self.style:
            plan["style"] = self.style
            plan["explode"] = self.explode
        if self.allow_reserved:
            plan["allowReserved"] = True
        if self.content_type:
            plan["contentType"] = self.content_type
        if self.file:
            plan["file"] = True
        return plan


@dataclass(frozen=True)
class Body:
    media_type: str
    required: bool
    spread: bool  # object properties are top-level arguments (else one `body` argument)
    kind: str = "json"  # json | form | multipart | text | binary

    def plan(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "kind": self.kind, "required": self.required}


@dataclass(frozen=True)
class SecurityScheme:
    key: str  # the scheme's name in the document
    kind: str  # "apiKey" | "bearer" | "basic"
    env: tuple[str, ...]  # environment variables holding the secret(s)
    location: str | None = None  # apiKey: header | query | cookie
    param: str | None = None  # apiKey: the header, query or cookie name
    description: str = ""
    # oauth2 and openIdConnect: how the server may fetch its own access token (catalog's OAuthPlan)
    oauth: dict[str, Any] | None = field(default=None, compare=False)

    def plan(self) -> SchemePlan:
        plan: dict[str, Any] = {"kind": self.kind, "env": list(self.env)}
        if self.location:
            plan["in"] = self.location
            plan["name"] = self.param
        if self.oauth:
            plan["oauth"] = self.oauth
        # `kind` and `location` hold the values the catalog format allows (mapping/security.py sets them).
        return cast("SchemePlan", plan)


@dataclass(frozen=True)
class ResourceSetting:
    """An operation as a resource, as configured (`resource` in rest2mcp.toml or x-mcp); None: not set."""

    enabled: bool | None = None
    name: str | None = None
    title: str | None = None
    description: str | None = None
    uri: str | None = None  # a URI template replacing the one made from the path
    config_key: str | None = None  # set in rest2mcp.toml, under operations.<this key> (else in x-mcp)

    def under(self, base: ResourceSetting | None) -> ResourceSetting:
        """These settings over `base`'s, key by key."""
        if base is None:
            return self
        return ResourceSetting(*(getattr(self, k) if getattr(self, k) is not None else getattr(base, k)
                                 for k in ("enabled", "name", "title", "description", "uri", "config_key")))


@dataclass(frozen=True)
class ResourceTemplate:
    """A GET operation served as a resource: reading a URI of `uri` calls the tool `tool`."""

    tool: str
    uri: str  # an RFC 6570 level-1 template; without variables, one resource's URI
    variables: tuple[tuple[str, str], ...]  # (URI variable, the tool's argument), in the URI's order
    name: str
    title: str | None
    description: str
    mime_type: str | None
    toolsets: tuple[str, ...]

    def entry(self) -> TemplateEntry:
        entry: dict[str, Any] = {"tool": self.tool, "uriTemplate": self.uri, "variables": dict(self.variables),
                                 "name": self.name}
        if self.title:
            entry["title"] = self.title
        if self.description:
            entry["description"] = self.description
        if self.mime_type:
            entry["mimeType"] = self.mime_type
        entry["toolsets"] = list(self.toolsets)
        return cast("TemplateEntry", entry)


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str | None = None
    required: bool = False


@dataclass(frozen=True)
class Prompt:
    """A prompt template: `{argument}` in `text` is replaced by the argument's value."""

    name: str
    text: str
    title: str | None = None
    description: str | None = None
    arguments: tuple[PromptArgument, ...] = ()

    def entry(self) -> PromptEntry:
        entry: dict[str, Any] = {}
        if self.title:
            entry["title"] = self.title
        if self.description:
            entry["description"] = self.description
        entry["text"] = self.text
        entry["arguments"] = [{"name": a.name, **({"description": a.description} if a.description else {}),
                               "required": a.required} for a in self.arguments]
        return cast("PromptEntry", entry)


@dataclass(frozen=True)
class Tool:
    name: str
    title: str | None
    description: str
    method: str
    path: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    wrap_output: bool  # structured content is {"result": <body>}
    annotations: dict[str, Any]
    arguments: tuple[Argument, ...]
    body: Body | None
    security: tuple[tuple[str, ...], ...]  # alternatives, each a set of scheme keys; () = anonymous
    accept: str | None
    server: str | None  # a server URL for this operation only, when it differs from the API's
    pointer: str  # where the operation is in the document
    operation_id: str | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    toolsets: tuple[str, ...] = ()  # the groups `--toolsets` selects from
    fixed: dict[str, Any] = field(default_factory=dict)  # hidden arguments and the values always sent
    defaults: dict[str, Any] = field(default_factory=dict)  # values sent when the model gives none
    approval: bool | None = None  # configured requires_approval; None: the runtime decides (destructive tools)
    resource: ResourceSetting | None = None  # to serve as a resource, as configured
    output_left_out: int = 0  # bytes of an output schema left out for its size (0: none was)
    pagination: dict[str, Any] | None = None  # how the next page is asked for (mapping/pagination.py)

    def with_fields(self, **changes: Any) -> Tool:
        """A copy with `changes` (field -> value), as `dataclasses.replace` makes it, several times
        faster: a large API's tools are copied a few times each on their way (selection.py)."""
        if not changes.keys() <= self.__dict__.keys():
            raise TypeError(f"Tool has no field {sorted(changes.keys() - self.__dict__.keys())}")
        copied = object.__new__(Tool)
        copied.__dict__.update(self.__dict__, **changes)
        return copied

    def definition(self) -> ToolDefinition:
        """The MCP Tool object, as listed by tools/list."""
        tool: dict[str, Any] = {"name": self.name}
        if self.title:
            tool["title"] = self.title
        tool["description"] = self.description
        tool["inputSchema"] = self.input_schema
        if self.output_schema is not None:
            tool["outputSchema"] = self.output_schema
        tool["annotations"] = self.annotations
        # Built key by key, in the order the catalog lists them: the keys ToolDefinition declares.
        return cast("ToolDefinition", tool)

    def plan(self) -> ToolPlan:
        """How the runtime turns arguments into a request and a response into a result."""
        plan: dict[str, Any] = {
            "method": self.method.upper(),
            "path": self.path,
            "arguments": {a.name: a.plan() for a in self.arguments},
        }
        if self.body:
            plan["body"] = self.body.plan()
        if self.security:
            plan["security"] = [list(s) for s in self.security]
        if self.accept:
            plan["accept"] = self.accept
        if self.server:
            plan["server"] = self.server
        if self.output_schema is not None:
            plan["output"] = "wrap" if self.wrap_output else "object"
        if self.fixed:
            plan["fixed"] = self.fixed
        if self.defaults:
            plan["defaults"] = self.defaults
        if self.tags:
            plan["tags"] = list(self.tags)
        if self.toolsets:
            plan["toolsets"] = list(self.toolsets)
        if self.approval is not None:
            plan["approval"] = self.approval
        if self.pagination:
            plan["pagination"] = self.pagination
        # Built key by key, in the catalog's order; the arguments' locations and the body's kind hold the
        # values the format allows (the mapping sets them).
        return cast("ToolPlan", plan)


@dataclass(frozen=True)
class LeftOut:
    """An operation of the document that is no tool, and why."""

    method: str  # upper case
    path: str
    reason: str  # one of LEFT_OUT_REASONS
    pointer: str


# Why operations are left out, in the order summaries list them.
LEFT_OUT_REASONS = ("deprecated", "filtered", "read-only", "unmappable")


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    description: str
    package: str  # distribution name, e.g. petstore-mcp
    module: str  # import name, e.g. petstore_mcp
    env_prefix: str  # e.g. PETSTORE_MCP
    base_url: str | None  # absolute, when the document gives one
    base_url_note: str | None  # why there is none (relative URL, no servers)
    tools: tuple[Tool, ...]
    schemes: dict[str, SecurityScheme] = field(default_factory=dict)
    spec_source: str = ""
    mode: str = "tools"  # the server's default: one tool per operation, discovery or dynamic
    toolsets: dict[str, str] = field(default_factory=dict)  # name -> description
    scheme: str = ""  # of the resources' URIs
    resources: tuple[ResourceTemplate, ...] = ()  # GET operations served as resources
    prompts: tuple[Prompt, ...] = ()
    left_out: tuple[LeftOut, ...] = ()  # operations that are no tool: deprecated, filtered, unmappable
    webhooks_only: bool = False  # the document describes webhooks and no path

    def left_out_counts(self) -> dict[str, int]:
        """How many operations were left out for each reason (only reasons that occur), in a stable order."""
        counts = {reason: sum(1 for entry in self.left_out if entry.reason == reason) for reason in LEFT_OUT_REASONS}
        return {reason: count for reason, count in counts.items() if count}

    def toolset_sizes(self) -> dict[str, int]:
        sizes = dict.fromkeys(self.toolsets, 0)
        for tool in self.tools:
            for name in tool.toolsets:
                sizes[name] = sizes.get(name, 0) + 1
        return sizes

    def used_schemes(self) -> list[SecurityScheme]:
        used = {key for tool in self.tools for alternative in tool.security for key in alternative}
        return [scheme for key, scheme in self.schemes.items() if key in used]
