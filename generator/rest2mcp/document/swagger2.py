"""Swagger 2.0 lifted to the OpenAPI 3.0 form the rest of the pipeline reads.

Only what changes the tools is converted: servers from host/basePath/schemes; `body` and
`formData` parameters to a requestBody (per `consumes`); other parameters to `schema` +
style/explode (from `collectionFormat`); response schemas to content (per `produces`);
definitions, shared parameters and responses, and security definitions to components.
Parameter references are inlined (a shared `body` parameter has no 3.0 equivalent).
Diagnostics keep pointing at the original document: see `original_pointer`.

`collectionFormat`s that OpenAPI 3 cannot say are carried as the delimited style names on path
and header parameters (pipeDelimited: `a|b`), and on formData fields as the body's `encoding`
(csv, the 2.0 default, is `style: form, explode: false`: `a,b`); the runtime reads both.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from rest2mcp.document.bundling import BUNDLE_KEY
from rest2mcp.document.refs import Resolver, UnresolvableRef
from rest2mcp.runtime.media import FORM, MULTIPART

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
# Keywords a 2.0 non-body parameter carries that belong in its 3.0 schema.
_SCHEMA_KEYS = ("type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum",
                "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
                "uniqueItems", "enum", "multipleOf")
# collectionFormat -> (style, explode) for query; path and header only know "simple".
_COLLECTION_QUERY = {"csv": ("form", False), "ssv": ("spaceDelimited", False), "tsv": ("tabDelimited", False),
                     "pipes": ("pipeDelimited", False), "multi": ("form", True)}
# Path and header values: csv is OpenAPI 3's "simple"; the others keep their delimiter ("multi"
# is not defined there: one comma-separated value).
_COLLECTION_SIMPLE = {"ssv": "spaceDelimited", "tsv": "tabDelimited", "pipes": "pipeDelimited"}
# 2.0 oauth2 flows and their 3.0 names.
_OAUTH_FLOWS = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                "accessCode": "authorizationCode"}
_REF_PREFIXES = (("#/definitions/", "#/components/schemas/"),
                 ("#/responses/", "#/components/responses/"))
_POINTER_PREFIXES = (("/components/schemas/", "/definitions/"),
                     ("/components/securitySchemes/", "/securityDefinitions/"),
                     ("/components/responses/", "/responses/"))
JSON = "application/json"


def original_pointer(pointer: str) -> str:
    """Where a pointer into the converted document points in the 2.0 original."""
    for new, old in _POINTER_PREFIXES:
        if pointer.startswith(new):
            return old + pointer[len(new):]
    return pointer


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                for old, new in _REF_PREFIXES:
                    if value.startswith(old):
                        value = new + value[len(old):]
                out[key] = value
            elif key == "x-nullable" and value is True:
                out["nullable"] = True
            elif key == "type" and value == "file":
                out["type"] = "string"
                out["format"] = "binary"
            elif key.startswith("x-") and key != "x-nullable":
                continue  # extensions never change the tools; their $refs must not be followed
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def convert(document: dict[str, Any], spec_url: str | None) -> dict[str, Any]:
    resolver = Resolver(document)
    result: dict[str, Any] = {"openapi": "3.0.3", "info": copy.deepcopy(document.get("info") or {})}
    servers = _servers(document, spec_url)
    if servers:
        result["servers"] = servers
    if "security" in document:
        result["security"] = copy.deepcopy(document["security"])
    components: dict[str, Any] = {}
    if isinstance(document.get("definitions"), dict):
        components["schemas"] = _rewrite_refs(document["definitions"])
    produces = _list(document.get("produces")) or [JSON]
    if isinstance(document.get("responses"), dict):
        components["responses"] = {
            name: _response(resp, produces) for name, resp in document["responses"].items() if isinstance(resp, dict)
        }
    schemes = _security_schemes(document.get("securityDefinitions"))
    if schemes:
        components["securitySchemes"] = schemes
    if components:
        result["components"] = components

    consumes = _list(document.get("consumes")) or [JSON]
    paths: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        try:
            item = resolver.deref(item)
        except UnresolvableRef:
            continue
        shared = _inline_parameters(item.get("parameters"), resolver)
        converted_item: dict[str, Any] = {}
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                converted_item[method] = _operation(operation, shared, resolver, consumes, produces)
        paths[path] = converted_item
    result["paths"] = paths
    if "x-mcp-prompts" in document:  # the server's prompts, like an operation's x-mcp: kept as written
        result["x-mcp-prompts"] = copy.deepcopy(document["x-mcp-prompts"])
    if isinstance(document.get(BUNDLE_KEY), dict):
        result[BUNDLE_KEY] = _rewrite_refs(document[BUNDLE_KEY])
    return result


def _list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _servers(document: dict[str, Any], spec_url: str | None) -> list[dict[str, str]]:
    """The API's URL: `schemes` (https first; without any, the document's own scheme, else https),
    `host` and `basePath`. Without a host the API is served by the document's host: a relative
    URL, resolved against the document's URL, or given with --base-url."""
    host = document.get("host")
    base_path = document.get("basePath") or ""
    if not isinstance(base_path, str) or base_path == "/":
        base_path = ""
    if base_path and not base_path.startswith("/"):
        base_path = "/" + base_path
    schemes = [s.lower() for s in _list(document.get("schemes")) if s.lower() in ("http", "https")]
    if isinstance(host, str) and host:
        own = urlsplit(spec_url).scheme if spec_url else ""
        candidates = [*schemes, own] if own in ("http", "https") else schemes
        scheme = "https" if "https" in schemes or not candidates else candidates[0]
        return [{"url": f"{scheme}://{host}{base_path}"}]
    if base_path:
        return [{"url": base_path}]
    return []


def _security_schemes(definitions: Any) -> dict[str, Any]:
    if not isinstance(definitions, dict):
        return {}
    schemes: dict[str, Any] = {}
    for name, scheme in definitions.items():
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        description = {"description": scheme["description"]} if isinstance(scheme.get("description"), str) else {}
        if kind == "basic":
            schemes[name] = {"type": "http", "scheme": "basic", **description}
        elif kind == "apiKey":
            schemes[name] = {"type": "apiKey", "in": scheme.get("in"), "name": scheme.get("name"), **description}
        elif kind == "oauth2":
            schemes[name] = {"type": "oauth2", "flows": _oauth_flows(scheme), **description}
        else:
            schemes[name] = copy.deepcopy(scheme)
    return schemes


def _oauth_flows(scheme: dict[str, Any]) -> dict[str, Any]:
    flow = _OAUTH_FLOWS.get(str(scheme.get("flow")))
    if flow is None:
        return {}
    converted: dict[str, Any] = {"scopes": copy.deepcopy(scheme["scopes"]) if isinstance(scheme.get("scopes"), dict) else {}}
    for key in ("authorizationUrl", "tokenUrl"):
        if isinstance(scheme.get(key), str):
            converted[key] = scheme[key]
    return {flow: converted}


def _inline_parameters(raw: Any, resolver: Resolver) -> list[dict[str, Any]]:
    params = []
    for param in raw if isinstance(raw, list) else []:
        try:
            param = resolver.deref(param)
        except UnresolvableRef:
            continue
        if isinstance(param, dict):
            params.append(param)
    return params


def _operation(operation: dict[str, Any], shared: list[dict[str, Any]], resolver: Resolver,
               consumes: list[str], produces: list[str]) -> dict[str, Any]:
    own = _inline_parameters(operation.get("parameters"), resolver)
    merged = {(p.get("name"), p.get("in")): p for p in shared}
    merged.update({(p.get("name"), p.get("in")): p for p in own})
    consumes = _list(operation.get("consumes")) or consumes
    produces = _list(operation.get("produces")) or produces

    result: dict[str, Any] = {
        k: copy.deepcopy(v) for k, v in operation.items()
        if k in ("operationId", "summary", "description", "tags", "deprecated", "security", "x-mcp")
    }
    parameters, body, form = [], None, []
    for param in merged.values():
        location = param.get("in")
        if location == "body":
            body = param
        elif location == "formData":
            form.append(param)
        else:
            parameters.append(_parameter(param))
    if parameters:
        result["parameters"] = parameters
    if body is not None:
        result["requestBody"] = _body(body, consumes)
    elif form:
        result["requestBody"] = _form_body(form, consumes)
    result["responses"] = {
        str(code): _response(_deref_or_keep(resp, resolver), produces)
        for code, resp in (operation.get("responses") or {}).items()
    }
    return result


def _deref_or_keep(value: Any, resolver: Resolver) -> dict[str, Any]:
    """The referenced object; a reference that cannot be followed is kept for the build to report."""
    if not isinstance(value, dict):
        return {}
    try:
        target = resolver.deref(value)
    except UnresolvableRef:
        return value
    return target if isinstance(target, dict) else {}


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    location = param.get("in")
    schema = _rewrite_refs({k: param[k] for k in _SCHEMA_KEYS if k in param})
    if location == "path" and "type" not in schema:
        schema["type"] = "string"
    converted: dict[str, Any] = {"name": param.get("name"), "in": location, "schema": schema}
    for key in ("description", "required"):
        if key in param:
            converted[key] = param[key]
    if param.get("x-nullable") is True:
        schema["nullable"] = True
    if schema.get("type") == "array":
        collection = param.get("collectionFormat", "csv")
        if location == "query":
            style, explode = _COLLECTION_QUERY.get(collection, ("form", False))
            converted["style"], converted["explode"] = style, explode
        elif location in ("path", "header"):
            converted["style"], converted["explode"] = _COLLECTION_SIMPLE.get(collection, "simple"), False
        elif location == "cookie":
            converted["style"], converted["explode"] = "form", False
    if location == "query" and param.get("allowEmptyValue") is True:
        converted["allowEmptyValue"] = True
    return converted


def _body(body: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
    media_types = [m for m in consumes if "form" not in m] or [JSON]
    raw_schema = body.get("schema", {})
    description = body["description"].strip() if isinstance(body.get("description"), str) else ""
    converted: dict[str, Any] = {
        "required": body.get("required") is True,
        "content": {m: {"schema": _rewrite_refs(raw_schema)} for m in media_types},
    }
    if description:
        converted["description"] = description
    return converted


def _form_body(form: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    has_file = any(p.get("type") == "file" for p in form)
    media_type = MULTIPART if has_file or (MULTIPART in consumes and FORM not in consumes) else FORM
    properties, required, encoding = {}, [], {}
    for param in form:
        name = param.get("name")
        if not isinstance(name, str):
            continue
        field = _rewrite_refs({k: param[k] for k in _SCHEMA_KEYS if k in param})
        if isinstance(param.get("description"), str):
            field["description"] = param["description"]
        properties[name] = field
        if param.get("required") is True:
            required.append(name)
        if field.get("type") == "array" and param.get("collectionFormat") != "multi":
            # csv (the default), ssv, tsv, pipes: one field holding the joined values
            style, explode = _COLLECTION_QUERY.get(param.get("collectionFormat", "csv"), ("form", False))
            encoding[name] = {"style": style, "explode": explode}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    media: dict[str, Any] = {"schema": schema}
    if encoding:
        media["encoding"] = encoding
    return {"required": bool(required), "content": {media_type: media}}


def _response(response: dict[str, Any], produces: list[str]) -> dict[str, Any]:
    converted: dict[str, Any] = {"description": response.get("description", "") if isinstance(response.get("description"), str) else ""}
    if "$ref" in response:
        return _rewrite_refs(response)
    if "schema" in response:
        schema = _rewrite_refs(response["schema"])
        converted["content"] = {m: {"schema": schema} for m in produces}
    return converted
