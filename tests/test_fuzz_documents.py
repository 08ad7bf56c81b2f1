"""Documents of any shape: operations, parameters, bodies, responses and schemas whose keywords hold
values of any JSON type. The generator maps what it can and says what it cannot; it never fails with
anything but its own diagnostics (GenerationFailed), which the command line shows as such."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest2mcp.diagnostics import GenerationFailed
from rest2mcp.options import Options
from rest2mcp.pipeline import prepare

SCHEMA_KEYS = ["type", "format", "enum", "const", "properties", "items", "additionalProperties", "required",
               "allOf", "anyOf", "oneOf", "not", "nullable", "minimum", "maximum", "exclusiveMinimum",
               "exclusiveMaximum", "minLength", "maxLength", "pattern", "default", "example", "examples", "readOnly",
               "writeOnly", "discriminator", "$ref", "description", "title", "patternProperties", "prefixItems",
               "minItems", "maxItems", "uniqueItems", "multipleOf", "deprecated", "if", "then", "else",
               "dependentRequired", "propertyNames", "contentMediaType", "$defs", "definitions", "x-extra"]
OPERATION_KEYS = ["operationId", "parameters", "requestBody", "responses", "security", "servers", "tags",
                  "summary", "description", "deprecated", "x-mcp", "callbacks"]
PARAMETER_KEYS = ["name", "in", "required", "schema", "style", "explode", "content", "allowReserved",
                  "description", "example", "$ref"]
REFS = ["#/components/schemas/A", "#/components/schemas/B", "#/components/parameters/P", "#/components",
        "#/paths", "#/components/schemas/A/properties/x", "other.yaml#/X", "#/nope/~1x", "#"]
TYPES = ["string", "integer", "number", "boolean", "array", "object", "null", "file"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, allow_infinity=False,
                                                                               width=32),
                    st.sampled_from(TYPES + REFS + ["", "query", "path", "header", "cookie", "form", "simple",
                                                    "application/json", "date-time", "^a+$", "(("]))


def objects(keys: list[str], values: st.SearchStrategy) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=3), values, max_size=5)


json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | objects(SCHEMA_KEYS, inner),
                           max_leaves=12)
schemas = st.recursive(objects(SCHEMA_KEYS, json_values),
                       lambda inner: objects(SCHEMA_KEYS, inner | st.lists(inner, max_size=3) | json_values),
                       max_leaves=8)
parameters = objects(PARAMETER_KEYS, schemas | json_values)
media = st.dictionaries(st.sampled_from(["application/json", "multipart/form-data", "text/plain", "*/*", "x"]),
                        st.fixed_dictionaries({}, optional={"schema": schemas, "encoding": json_values}), max_size=2)
operations = st.fixed_dictionaries({}, optional={
    "operationId": st.text(max_size=6) | json_values,
    "parameters": st.lists(parameters | json_values, max_size=3) | json_values,
    "requestBody": st.fixed_dictionaries({}, optional={"content": media | json_values, "required": json_values}),
    "responses": st.dictionaries(st.sampled_from(["200", "201", "2XX", "default", "404", "x"]),
                                 st.fixed_dictionaries({"description": st.just("r")},
                                                       optional={"content": media | json_values}) | json_values,
                                 max_size=2),
    "security": json_values, "servers": json_values, "tags": json_values, "x-mcp": json_values,
})
documents = st.builds(
    lambda version, paths, components: {"openapi": version, "info": {"title": "Fuzzed", "version": "1"},
                                        "paths": paths, "components": components},
    st.sampled_from(["3.0.3", "3.1.0"]),
    st.dictionaries(st.sampled_from(["/a", "/a/{id}", "/{x}/b", "b", "/c/{id}/{id}"]),
                    st.dictionaries(st.sampled_from(["get", "post", "put", "delete", "parameters", "x"]),
                                    operations | json_values, max_size=3), max_size=3),
    st.fixed_dictionaries({}, optional={"schemas": st.dictionaries(st.sampled_from(["A", "B", "C"]), schemas,
                                                                   max_size=3),
                                        "parameters": st.dictionaries(st.just("P"), parameters, max_size=1),
                                        "securitySchemes": json_values}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(document=documents, validate=st.booleans())
def test_any_document_is_generated_from_or_refused_with_diagnostics(tmp_path: Path, document: dict, validate: bool):
    spec = tmp_path / "fuzzed.json"
    spec.write_text(json.dumps(document))
    try:
        generated = prepare(str(spec), Options(skip_validation=not validate, models=False, allow_empty=True,
                                               name="fuzzed-mcp"))
    except GenerationFailed as failed:
        assert failed.diagnostics and all(d.code and d.message for d in failed.diagnostics)
        return
    for tool in generated.api.tools:  # what is listed is valid JSON, whatever the document said
        json.dumps(tool.definition(), allow_nan=False)


# -- the configuration (rest2mcp.toml): tables and values of any TOML type ----------------------------

CONFIG_KEYS = ["mode", "deprecated", "read_only", "include", "exclude", "toolsets", "operations", "prompts",
               "package", "tags", "paths", "methods", "description", "name", "title", "annotations", "exclude",
               "requires_approval", "arguments", "resource", "fixed", "default", "uri", "text", "required",
               "version", "license", "authors", "urls", "keywords", "classifiers", "dependencies", "mcp_name",
               "image", "readme_intro", "listPets", "createPet", "GET /pets", "petId", "limit", "readOnlyHint",
               "destructiveHint", "email"]
toml_scalars = st.one_of(st.booleans(), st.integers(-3, 300), st.floats(width=32), st.dates(),
                         st.sampled_from(["", "tools", "discovery", "listPets", "GET", "get", "/pets/**", "MIT",
                                          "1.0.0", "petstore-mcp://pets/{petId}", "{petId}", "io.x/y", "a b",
                                          "Ada <a@b.c>", "https://github.com/a/b", "x" * 120]))
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(CONFIG_KEYS) | st.text(max_size=3), inner, max_size=4),
                           max_leaves=14)


def fields(required: dict, optional: dict) -> st.SearchStrategy:
    """A table of these keys, each value one time in eight of any TOML type instead."""
    def mostly(value: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(*[value] * 7, toml_values)

    return st.fixed_dictionaries({k: mostly(v) for k, v in required.items()},
                                 optional={k: mostly(v) for k, v in optional.items()})


OPERATION_NAMES = ["listPets", "createPet", "showPetById", "deletePet", "GET /pets", "POST /pets", "nope"]
ARGUMENTS = ["limit", "petId", "name", "tag", "body", "nope"]
words = st.sampled_from(["pets", "read", "a-b", "x", "", "pets:write", "place_order"])
selector = fields({}, {"tags": st.lists(words, max_size=2), "paths": st.lists(st.sampled_from(["/pets", "/pets/*",
                                                                                              "/**", "["]), max_size=2),
                       "methods": st.lists(st.sampled_from(["get", "post", "DELETE", "brew"]), max_size=2),
                       "operations": st.lists(st.sampled_from(OPERATION_NAMES), max_size=2)})
argument = fields({}, {"fixed": toml_scalars, "default": toml_scalars, "description": words})
operation = fields({}, {
    "name": words, "title": words, "description": words, "exclude": st.booleans(), "requires_approval": st.booleans(),
    "toolsets": st.lists(words, max_size=2), "arguments": st.dictionaries(st.sampled_from(ARGUMENTS), argument, max_size=2),
    "annotations": fields({}, {"readOnlyHint": st.booleans(), "destructiveHint": st.booleans(), "title": words}),
    "resource": fields({}, {"name": words, "uri": st.sampled_from(["petstore-mcp://pets/{petId}", "x://{nope}", "pets"]),
                            "title": words}),
})
prompt = fields({"text": st.sampled_from(["Compare {a} and {b}", "{nope}", "plain", "{a"])}, {
    "title": words, "description": words,
    "arguments": st.lists(fields({"name": st.sampled_from(["a", "b", ""])}, {"required": st.booleans()}), max_size=2)})
package = fields({}, {"version": st.sampled_from(["1.0.0", "v1", "2.0rc1"]), "license": st.sampled_from(
    ["MIT", "mit or apache-2.0", "Apache 2.0", "Nonesuch"]), "authors": st.lists(st.sampled_from(
        ["Ada <a@b.co>", "<x@y.z>", "Bob"]), max_size=2), "mcp_name": st.sampled_from(["io.github.a/b", "b"]),
    "urls": st.dictionaries(st.sampled_from(["Repository", "Homepage"]), st.sampled_from(
        ["https://github.com/a/b", "nope"]), max_size=2), "description": words})
configs = fields({}, {
    "mode": st.sampled_from(["tools", "discovery", "dynamic", "nope"]), "deprecated": st.booleans(),
    "read_only": st.booleans(), "include": selector, "exclude": selector,
    "toolsets": st.dictionaries(words, selector, max_size=2),
    "operations": st.dictionaries(st.sampled_from(OPERATION_NAMES), operation, max_size=3),
    "prompts": st.dictionaries(st.sampled_from(["compare", "bad name!"]), prompt, max_size=2),
    "package": package,
})
PETSTORE = Path(__file__).resolve().parents[1] / "specs" / "petstore.yaml"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=configs)
def test_any_configuration_is_applied_or_refused_with_diagnostics(data: dict):
    from unittest import mock

    from rest2mcp.surface.config import parse_config
    from rest2mcp.surface.config_file import LoadedConfig

    try:
        config = parse_config(data, "rest2mcp.toml", "")
    except GenerationFailed as failed:
        assert failed.diagnostics and all(d.code.startswith(("E5", "W5")) for d in failed.diagnostics)
        return
    with mock.patch("rest2mcp.pipeline.load_config", lambda source, explicit: LoadedConfig(config)):
        try:
            generated = prepare(str(PETSTORE), Options(skip_validation=True, models=False, allow_empty=True))
        except GenerationFailed as failed:
            assert failed.diagnostics and all(d.code and d.message for d in failed.diagnostics)
            return
    for tool in generated.api.tools:
        json.dumps(tool.definition())
