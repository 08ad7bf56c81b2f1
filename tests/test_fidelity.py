"""The request-fidelity instrument (bench/fidelity.py) judges calls correctly.

The tests that start Prism need it installed (`bash bench/install_prism.sh`): they fail, not
skip, when it is missing, so a CI without Prism cannot pass silently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import fidelity
from fidelity_classify import ACCEPTED, FAILED, NOT_SENT, VIOLATION, classify, path_problems
from fidelity_draw import ArgumentDrawer, ecma_pattern
from fidelity_prism import (
    PRISM_MISSING,
    Exchange,
    Prism,
    RecordingProxy,
    dump_json,
    prism_document,
    prism_installed,
)

PROBLEM_422 = {
    "type": "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
    "title": "Invalid request",
    "status": 422,
    "detail": "Your request is not valid and no HTTP validation response was found in the spec.",
    "validation": [
        {"location": ["query", "limit"], "severity": "Error", "code": "type",
         "message": "Request query parameter limit must be integer"},
        {"location": ["header", "x-old"], "severity": "Warning", "code": "deprecated",
         "message": "Header x-old is deprecated"},
    ],
}

TINY = """\
openapi: 3.0.3
info: {title: Tiny, version: "1"}
paths:
  /pets/{petId}:
    get:
      operationId: showPet
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer, minimum: 1, maximum: 1000}}
        - {name: limit, in: query, required: true, schema: {type: integer, minimum: 1, maximum: MAX}}
      responses:
        "200":
          description: a pet
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
              example: {id: 1}
"""


def exchange(**kwargs) -> Exchange:
    defaults = {"method": "GET", "target": "/pets/1", "headers": {}, "body": b"", "status": 200}
    return Exchange(**{**defaults, **kwargs})


@pytest.fixture
def prism_ready() -> None:
    if not prism_installed():
        pytest.fail(PRISM_MISSING)


# -- the classifier, on recorded data ---------------------------------------------------------


def test_a_422_problem_json_is_a_violation_with_its_error_messages():
    recorded = exchange(status=422, response_headers={"content-type": "application/problem+json"},
                        response_body=json.dumps(PROBLEM_422).encode())
    verdict = classify([recorded], "/pets/{petId}", is_error=True)
    assert verdict.outcome == VIOLATION
    assert verdict.messages == ["Request query parameter limit must be integer"]  # the warning is not one


def test_an_sl_violations_header_is_a_violation_even_with_a_2xx_status():
    header = [
        {"location": ["request"], "severity": "Error", "code": 401, "message": "Invalid security scheme used"},
        {"location": ["request", "body"], "severity": "Error", "code": "required",
         "message": "Request body must have required property 'name'"},
        {"location": ["request", "query"], "severity": "Warning", "code": "x", "message": "only a warning"},
    ]
    recorded = exchange(status=200, response_headers={"sl-violations": json.dumps(header)})
    verdict = classify([recorded], "/pets/{petId}", is_error=False)
    assert verdict.outcome == VIOLATION
    assert verdict.messages == ["Invalid security scheme used", "Request body must have required property 'name'"]


def test_problems_with_prisms_own_mock_response_do_not_count_against_the_request():
    body = {"type": "https://stoplight.io/prism/errors#VIOLATIONS", "title": "Request/Response not valid",
            "validation": [{"location": ["response", "body"], "severity": "Error", "message": "bad mock"}]}
    header = [{"location": ["response", "body"], "severity": "Error", "message": "Response body must be object"}]
    recorded = exchange(status=500, response_body=json.dumps(body).encode(), response_headers={
        "content-type": "application/problem+json", "sl-violations": json.dumps(header)})
    verdict = classify([recorded], "/pets/{petId}", is_error=True)
    assert verdict.outcome == ACCEPTED
    assert verdict.notes and "Request/Response not valid" in verdict.notes[0]


def test_a_4xx_mock_response_without_violations_is_accepted():
    recorded = exchange(status=404, response_headers={"content-type": "application/json"}, response_body=b"{}")
    assert classify([recorded], "/pets/{petId}", is_error=True).outcome == ACCEPTED


def test_an_unmatched_route_is_a_violation():
    body = {"type": "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR",
            "title": "Route not resolved, no path matched", "detail": "The route /pet/1 hasn't been found"}
    recorded = exchange(target="/pet/1", status=404, response_headers={"content-type": "application/problem+json"},
                        response_body=json.dumps(body).encode())
    verdict = classify([recorded], None, is_error=True)
    assert verdict.outcome == VIOLATION
    assert verdict.messages == ["Route not resolved, no path matched: The route /pet/1 hasn't been found"]


def test_an_error_result_without_any_request_is_not_sent_and_an_exception_is_failed():
    assert classify([], "/pets/{petId}", is_error=True).outcome == NOT_SENT
    assert classify([], "/pets/{petId}", is_error=False).outcome == FAILED
    assert classify([], "/pets/{petId}", is_error=None, error="TimeoutError").outcome == FAILED
    lost = exchange(status=502, upstream_error="ConnectionRefusedError")
    assert classify([lost], "/pets/{petId}", is_error=True).outcome == FAILED


def test_a_request_sent_to_another_host_is_a_violation():
    escaped = exchange(target="https://api.example.com/pets/1", foreign_host="api.example.com", status=502)
    verdict = classify([escaped], "/pets/{petId}", is_error=True)
    assert verdict.outcome == VIOLATION
    assert "api.example.com" in verdict.messages[0]


def test_a_request_following_a_redirect_of_the_mock_is_not_judged():
    redirected = exchange(target="/customers", status=302, response_headers={"location": "string"})
    followed = exchange(target="/string", status=404, response_headers={"content-type": "application/problem+json"},
                        response_body=json.dumps({"type": "x#NO_PATH_MATCHED_ERROR", "title": "no"}).encode())
    verdict = classify([redirected, followed], "/customers", is_error=True)
    assert verdict.outcome == ACCEPTED
    assert verdict.notes == ["followed a redirect of the mock to /string (not judged)"]


# -- our own path check (Prism accepts these) -----------------------------------------------------


def test_path_check_flags_a_literal_placeholder_and_empty_segments():
    assert path_problems("/pets/{petId}") == ["literal placeholder {petId} left in the path"]
    assert path_problems("/pets/{petId}", "/pets/{petId}") == ["literal placeholder {petId} left in the path"]
    # how httpx sends it
    assert path_problems("/pets/%7BpetId%7D", "/pets/{petId}") == ["literal placeholder {petId} left in the path"]
    assert path_problems("/pets/") == ["empty path segment (trailing '/')"]
    assert path_problems("/pets/", "/pets/{petId}") == ["empty value for path parameter petId"]
    assert path_problems("/pets//toys", "/pets/{petId}/toys") == [
        "empty path segment ('//')", "empty value for path parameter petId"]
    assert path_problems("/pets/.", "/pets/{id}") == ["empty value for path parameter id"]  # label style


def test_path_check_passes_correct_paths():
    assert path_problems("/pets/42", "/pets/{petId}") == []
    assert path_problems("/pets/%7Bx%7D", "/pets/{petId}") == []  # braces in a value are data
    assert path_problems("/pets/a%2Fb", "/pets/{petId}") == []
    assert path_problems("/", "/") == []
    assert path_problems("/pets/", "/pets/") == []  # the template itself ends with a slash


def test_path_check_lets_an_allow_reserved_value_span_segments():
    # `{path*}`: a path parameter whose value may hold "/" (allowReserved), as OPA's data API has
    assert path_problems("/v1/data/a/b/c", "/v1/data/{path*}") == []
    assert path_problems("/v1/data/a/b", "/v1/data/{path}") == ["path does not follow the template /v1/data/{path}"]
    assert path_problems("/v1/data/", "/v1/data/{path*}") == ["empty value for path parameter path"]
    assert path_problems("/v1/data/%7Bpath%7D", "/v1/data/{path*}") == ["literal placeholder {path} left in the path"]


def test_path_check_on_a_recorded_call_makes_it_a_violation():
    verdict = classify([exchange(target="/pets/{petId}?x=1")], "/pets/{petId}", is_error=False)
    assert verdict.outcome == VIOLATION
    assert verdict.messages == ["literal placeholder {petId} left in the path"]


# -- the copy of the spec Prism gets ----------------------------------------------------------------


def test_prism_copy_drops_null_from_parameters_only_and_defaults_form_array_encoding():
    document = {
        "openapi": "3.1.0",
        "paths": {"/a": {"post": {
            "parameters": [{"name": "tags", "in": "query", "schema": {"$ref": "#/components/schemas/Tags"}},
                           {"name": "n", "in": "query", "schema": {"type": "integer", "nullable": True}}],
            "requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Tags"}},
                "application/x-www-form-urlencoded": {"schema": {"properties": {
                    "topic": {"type": "array", "items": {"type": "string"}}, "data": {"type": "string"}}}},
                "multipart/form-data": {"schema": {"properties": {
                    "links": {"type": "array", "items": {"type": "string"}}}}, "encoding": {"x": {}}},
            }},
        }}},
        "components": {"schemas": {"Tags": {"type": ["array", "null"], "items": {"type": "string"}}}},
    }
    copy = prism_document(document)
    operation = copy["paths"]["/a"]["post"]
    assert operation["parameters"][0]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert operation["parameters"][1]["schema"] == {"type": "integer"}
    assert copy["components"]["schemas"]["Tags"]["type"] == ["array", "null"]  # bodies keep null
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert form["encoding"] == {"topic": {"style": "form", "explode": True}}
    multipart = operation["requestBody"]["content"]["multipart/form-data"]
    assert multipart["encoding"] == {"x": {}, "links": {"style": "form", "explode": True}}
    assert document["paths"]["/a"]["post"]["parameters"][1]["schema"]["nullable"] is True  # input untouched


def test_prism_copy_drops_headers_openapi_ignores_and_contradicting_types_beside_a_ref():
    document = {
        "openapi": "3.0.3",
        "paths": {"/a": {"get": {
            "parameters": [{"name": "Content-Type", "in": "header", "required": True, "schema": {"type": "string"}},
                           {"$ref": "#/components/parameters/Auth"},
                           {"name": "X-Id", "in": "header", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Obj", "type": "string", "required": ["id"]}}}},
        }}},
        "components": {"parameters": {"Auth": {"name": "authorization", "in": "header", "schema": {"type": "string"}}},
                       "schemas": {"Obj": {"type": "object"}}},
    }
    for version in ("3.0.3", "3.1.0"):
        document["openapi"] = version
        operation = prism_document(document)["paths"]["/a"]["get"]
        assert [p.get("name") for p in operation["parameters"]] == ["X-Id"]
        # the generator applies the other keywords beside a $ref, in 3.0 too: Prism keeps them
        assert operation["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Obj", "required": ["id"]}


def test_prism_copy_leaves_path_fragments_out_as_requests_do():
    ok = {"responses": {"200": {"description": "ok"}}}
    document = {"openapi": "3.0.3", "paths": {
        "/folders/{id}": {"get": ok},
        "/folders/{id}#shared_link": {"get": {**ok, "operationId": "shared"}, "put": ok},
        "/send/#env/v1/partners/{p}": {"post": ok},
    }}
    paths = prism_document(document)["paths"]
    assert list(paths) == ["/folders/{id}", "/send/v1/partners/{p}"]
    assert paths["/folders/{id}"] == {"get": ok, "put": ok}


# -- argument draws ----------------------------------------------------------------------------------


def test_draws_are_valid_for_the_schema_including_formats_and_reproducible():
    schema = {"type": "object", "additionalProperties": False, "required": ["id", "n"], "properties": {
        "id": {"type": "string", "format": "uuid"},
        "n": {"type": "integer", "format": "int64"},
        "when": {"type": "string", "format": "date-time"},
        "tree": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}}}
    drawn, source = ArgumentDrawer(6, 3).draw(schema)
    assert len(drawn) == 6 and source in ("hypothesis-jsonschema", "own")
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for arguments in drawn:
        assert validator.is_valid(arguments), arguments
        assert abs(arguments["n"]) <= 2**53 - 1  # what Prism accepts as int64
    assert ArgumentDrawer(6, 3).draw(schema) == (drawn, source)


def test_patterns_are_drawn_with_their_ecma_meaning():
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "pattern": r"^\d+$"}}}
    drawn, _ = ArgumentDrawer(20, 0).draw(schema)
    assert drawn and all(arguments["id"].isascii() and arguments["id"].isdigit() for arguments in drawn)
    assert ecma_pattern(r"^[\d.$]+\w\D\\d$") == r"^[0-9.$]+[A-Za-z0-9_][^0-9]\\d\Z"
    assert ecma_pattern(r"a\$") == r"a\$"  # an escaped dollar is a dollar


# -- with Prism ------------------------------------------------------------------------------------


@pytest.fixture
def tiny_prism(tmp_path, prism_ready):
    spec = tmp_path / "tiny.json"
    import yaml

    dump_json(prism_document(yaml.safe_load(TINY.replace("MAX", "10"))), spec)
    prism = Prism(spec, tmp_path / "prism.log")
    prism.start()
    try:
        with RecordingProxy(prism.port) as proxy:
            yield proxy
    finally:
        prism.stop()


def _send(proxy: RecordingProxy, target: str, **kwargs) -> list[Exchange]:
    mark = proxy.mark()
    httpx.get(proxy.url + target, timeout=10, **kwargs)
    return proxy.since(mark)


def test_prism_verdicts_through_the_recording_proxy(tiny_prism):
    right = classify(_send(tiny_prism, "/pets/3?limit=2"), "/pets/{petId}", is_error=False)
    assert right.outcome == ACCEPTED, right

    wrong = classify(_send(tiny_prism, "/pets/3?limit=abc"), "/pets/{petId}", is_error=True)
    assert wrong.outcome == VIOLATION
    assert wrong.messages == ["Request query parameter limit must be integer"]

    missing = classify(_send(tiny_prism, "/pets/3"), "/pets/{petId}", is_error=True)
    assert missing.outcome == VIOLATION
    assert missing.messages == ["Request query must have required property 'limit'"]

    # Prism itself lets a literal placeholder through; the path check does not.
    placeholder = _send(tiny_prism, "/pets/{petId}?limit=2")
    assert placeholder[0].target == "/pets/%7BpetId%7D?limit=2"  # as httpx sends it
    assert classify(placeholder, "/pets/{petId}", is_error=False).outcome == VIOLATION


def test_the_proxy_records_and_refuses_requests_for_other_hosts(tiny_prism):
    with httpx.Client(proxy=tiny_prism.url, timeout=10) as client:
        response = client.get("http://api.example.invalid/pets/1")
    assert response.status_code == 502
    recorded = tiny_prism.since(0)
    assert [e.foreign_host for e in recorded] == ["api.example.invalid"]
    assert classify(recorded, "/pets/{petId}", is_error=True).outcome == VIOLATION


def test_a_generated_server_checked_against_a_stricter_spec_is_reported_as_violating(tmp_path, prism_ready):
    spec, stricter = tmp_path / "tiny.yaml", tmp_path / "stricter.yaml"
    spec.write_text(TINY.replace("MAX", "10"))
    stricter.write_text(TINY.replace("minimum: 1, maximum: MAX", "maximum: 0"))  # no valid `limit` left
    settings = fidelity.Settings(calls=3, seed=0, prism_timeout=60, max_tools=None, work=tmp_path / "work")

    clean = fidelity.run_spec(spec, settings)
    assert clean.status == "ok", clean.detail
    assert clean.counts() == {ACCEPTED: 3, VIOLATION: 0, NOT_SENT: 0, FAILED: 0}

    checked = fidelity.run_spec(spec, settings, validate_against=stricter)
    assert checked.status == "ok", checked.detail
    assert checked.counts()[VIOLATION] == 3
    assert set(checked.messages()) == {"Request query parameter limit must be <= 0"}
    assert checked.tools_fully_accepted() == set()
    request = checked.calls[0].requests[0]
    assert request["method"] == "GET" and request["target"].startswith("/pets/")


def test_ci_exit_code_is_non_zero_on_anything_but_accepted():
    from fidelity_report import CallRecord, SpecReport

    good = SpecReport("a", calls=[CallRecord("t", {}, ACCEPTED)])
    assert fidelity.ci_exit_code([good]) == 0
    for outcome in (VIOLATION, NOT_SENT, FAILED):
        assert fidelity.ci_exit_code([good, SpecReport("b", calls=[CallRecord("t", {}, outcome)])]) == 1
    assert fidelity.ci_exit_code([good, SpecReport("c", status="prism did not start")]) == 1


def test_report_counts_tools_fully_accepted_and_messages(tmp_path):
    from fidelity_report import CallRecord, SpecReport, write_reports

    report = SpecReport("s", tools_listed=2, calls=[
        CallRecord("a", {"x": 1}, ACCEPTED), CallRecord("a", {"x": 2}, ACCEPTED),
        CallRecord("b", {}, ACCEPTED), CallRecord("b", {"q": ""}, VIOLATION, ["m1"], requests=[
            {"method": "GET", "target": "/b?q=", "status": 422}])])
    summary = report.summary()
    assert (summary["tools_fully_accepted"], summary["share_fully_accepted"]) == (1, 0.5)
    json_path, md_path = write_reports([report], tmp_path / "r", {"calls": 2})
    data = json.loads(json_path.read_text())
    assert data["violation_messages"] == {"m1": 1}
    assert data["totals"]["violation"] == 1 and data["totals"]["accepted"] == 3
    assert "`GET /b?q=`" in md_path.read_text()



# -- the regression subset: the bundled examples, every call must be accepted by Prism ----------

# styles.yaml is left out: its multi-segment path value (allowReserved, OpenAPI 3.2) has no route in
# Prism; everything.yaml's uploadFile sends a JSON part in multipart, which Prism does not parse.
REGRESSION_SPECS = ["petstore.yaml", "petstore-2.0.yaml", "library-3.1.yaml"]


@pytest.mark.e2e
@pytest.mark.parametrize("name", REGRESSION_SPECS)
def test_bundled_specs_are_fully_accepted_by_prism(name, tmp_path):
    settings = fidelity.Settings(calls=4, seed=0, prism_timeout=60, max_tools=None, work=tmp_path)
    report = fidelity.run_spec(BENCH.parent / "specs" / name, settings)
    assert report.status == "ok", (report.status, report.detail)
    assert len(report.calls) >= report.tools_listed > 0
    problems = [(c.tool, c.outcome, c.messages) for c in report.calls if c.outcome != ACCEPTED]
    assert problems == []
    assert report.tools_fully_accepted() == report.tools_called()
