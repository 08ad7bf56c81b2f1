"""rest2mcp.toml, [tool.rest2mcp] and x-mcp: every filter, every per-operation setting, and
the reports for what is wrong or matches nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from helpers import SPECS
from rest2mcp.diagnostics import GenerationFailed, Severity
from rest2mcp.pipeline import Options, prepare

ALL = ["cancelOrder", "createOrder", "createProduct", "delete_admin_cache", "get_search", "healthCheck",
       "listOrders", "listProducts", "product_details"]


def shop(tmp_path: Path, config: str | None = None, *, edit=None, config_name: str = "rest2mcp.toml") -> Path:
    """The shop spec in a folder of its own, with `config` (or none) beside it."""
    document = yaml.safe_load((SPECS / "shop" / "openapi.yaml").read_text())
    if edit:
        edit(document)
    tmp_path.mkdir(parents=True, exist_ok=True)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    if config is not None:
        (tmp_path / config_name).write_text(textwrap.dedent(config))
    return spec


def tools(spec: Path, **options) -> dict:
    return {tool.name: tool for tool in prepare(str(spec), Options(**options)).api.tools}


def failure(spec: Path, **options) -> list:
    with pytest.raises(GenerationFailed) as failed:
        prepare(str(spec), Options(**options))
    return failed.value.diagnostics


def test_without_configuration_every_operation_but_deprecated_ones(tmp_path):
    assert sorted(tools(shop(tmp_path))) == ALL
    assert "listOrdersLegacy" in tools(shop(tmp_path, "deprecated = true\n"))


@pytest.mark.parametrize("config,expected", [
    ('[include]\ntags = ["orders"]', ["cancelOrder", "createOrder", "listOrders"]),
    ('[include]\ntags = ["cat*"]', ["createProduct", "listProducts", "product_details"]),
    ('[include]\noperations = ["list*"]', ["listOrders", "listProducts"]),
    ('[include]\noperations = ["get_search", "product_details"]', ["get_search", "product_details"]),
    ('[include]\npaths = ["/products/*"]', ["product_details"]),
    ('[include]\npaths = ["/products/**"]', ["product_details"]),
    ('[include]\npaths = ["/products*"]', ["createProduct", "listProducts"]),
    ('[include]\npaths = ["/**"]\nmethods = ["DELETE"]', ["cancelOrder", "delete_admin_cache"]),
    ('[include]\ntags = ["orders", "catalog"]\nmethods = ["get"]', ["listOrders", "listProducts", "product_details"]),
    ('[exclude]\ntags = ["catalog", "internal"]', ["cancelOrder", "createOrder", "delete_admin_cache", "get_search",
                                                    "listOrders"]),
    ('[exclude]\nmethods = ["get"]\noperations = ["create*"]', ["cancelOrder", "delete_admin_cache"]),
    ('[exclude]\npaths = ["/orders/{orderId}", "/search"]',
     ["createOrder", "createProduct", "delete_admin_cache", "healthCheck", "listOrders", "listProducts",
      "product_details"]),
    ('[include]\ntags = ["orders"]\n[exclude]\nmethods = ["delete"]', ["createOrder", "listOrders"]),
])
def test_filters(tmp_path, config, expected):
    assert sorted(tools(shop(tmp_path, config))) == expected


def test_a_per_operation_exclude_overrides_the_filters(tmp_path):
    config = """
        [include]
        tags = ["catalog"]
        [operations.listOrdersLegacy]
        exclude = false
        [operations."GET /search"]
        exclude = false
        [operations.listProducts]
        exclude = true
    """
    assert sorted(tools(shop(tmp_path, config))) == ["createProduct", "get_search", "listOrdersLegacy",
                                                      "product_details"]


def test_leaving_operations_out_never_renames_the_others(tmp_path):
    def edit(document):  # two operations whose derived names clash
        document["paths"]["/search/"] = {"get": {"responses": {"200": {"description": "ok"}}}}

    everything = tools(shop(tmp_path / "a", edit=edit))
    one = tools(shop(tmp_path / "b", '[exclude]\npaths = ["/search/"]\n', edit=edit))
    clashing = [name for name in everything if name.startswith("get_search")]
    assert len(clashing) == 2
    assert [name for name in one if name.startswith("get_search")] == [everything_name for everything_name in clashing
                                                                        if everything[everything_name].path == "/search"]


def test_per_operation_settings_in_the_configuration(tmp_path):
    config = """
        [operations.cancelOrder]
        name = "cancel_order"
        title = "Cancel"
        description = "Cancel an order that has not shipped."
        annotations = { destructiveHint = true, idempotentHint = true, title = "Cancel it" }
        toolsets = ["support"]
        [operations.cancelOrder.arguments.orderId]
        description = "The order's id, e.g. o-123."
        [operations."POST /orders".arguments]
        quantity = { fixed = 1 }
        productId = { default = "p1" }
    """
    found = tools(shop(tmp_path, config))
    cancel = found["cancel_order"]
    assert (cancel.title, cancel.description) == ("Cancel", "Cancel an order that has not shipped.")
    assert cancel.annotations["title"] == "Cancel it" and cancel.annotations["idempotentHint"] is True
    assert cancel.toolsets == ("support",)
    assert cancel.input_schema["properties"]["orderId"]["description"] == "The order's id, e.g. o-123."
    order = found["createOrder"]
    assert "quantity" not in order.input_schema["properties"] and "required" not in order.input_schema
    assert order.fixed == {"quantity": 1} and order.defaults == {"productId": "p1"}
    assert order.input_schema["properties"]["productId"]["default"] == "p1"
    assert order.plan()["fixed"] == {"quantity": 1}


def test_x_mcp_settings_and_the_configuration_wins(tmp_path):
    def edit(document):
        document["paths"]["/orders"]["get"]["x-mcp"] = {
            "name": "orders", "title": "Orders", "annotations": {"openWorldHint": False},
            "toolsets": ["sales"], "arguments": {"status": {"fixed": "open"}}}
        document["paths"]["/internal/health"]["get"]["x-mcp"] = {"exclude": True}

    config = """
        [operations.listOrders]
        title = "All orders"
        [operations.listOrders.arguments.status]
        default = "shipped"
    """
    found = tools(shop(tmp_path, config, edit=edit))
    orders = found["orders"]
    assert orders.title == "All orders" and orders.annotations["openWorldHint"] is False
    assert orders.toolsets == ("sales",)
    assert orders.defaults == {"status": "shipped"} and orders.fixed == {}  # the config's default replaces x-mcp's fixed
    assert "healthCheck" not in found
    assert "healthCheck" in tools(shop(tmp_path / "again", "[operations.healthCheck]\nexclude = false\n", edit=edit))


def test_configured_toolsets_replace_the_tags(tmp_path):
    config = """
        [toolsets.shopping]
        description = "Browse and buy"
        tags = ["catalog"]
        methods = ["get"]
        [toolsets.orders]
        paths = ["/orders", "/orders/**"]
    """
    api = prepare(str(shop(tmp_path, config)), Options()).api
    groups = {tool.name: tool.toolsets for tool in api.tools}
    assert groups["listProducts"] == ("shopping",) and groups["cancelOrder"] == ("orders",)
    assert groups["createProduct"] == ("other",)
    assert api.toolsets["shopping"] == "Browse and buy"
    assert api.toolset_sizes() == {"orders": 3, "other": 4, "shopping": 2}


def test_tags_become_command_line_toolset_names(tmp_path):
    def edit(document):
        document["paths"]["/orders"]["get"]["tags"] = ["Order History", "orders"]

    found = tools(shop(tmp_path, edit=edit))
    assert found["listOrders"].toolsets == ("order-history", "orders")
    assert found["get_search"].toolsets == ("other",)


def test_pyproject_table_and_explicit_path(tmp_path):
    spec = shop(tmp_path, '[tool.rest2mcp]\nmode = "discovery"\n[tool.rest2mcp.include]\ntags = ["orders"]\n',
                config_name="pyproject.toml")
    api = prepare(str(spec), Options()).api
    assert api.mode == "discovery" and len(api.tools) == 3
    elsewhere = tmp_path / "conf" / "surface.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text('[include]\nmethods = ["post"]\n')
    assert sorted(tools(spec, config_path=str(elsewhere))) == ["createOrder", "createProduct"]
    assert prepare(str(spec), Options(mode="tools")).api.mode == "tools"  # the command line wins


def test_the_configuration_file_is_read_once_and_hashed_as_read(tmp_path, monkeypatch):
    spec = shop(tmp_path / "toml", '[include]\r\ntags = ["orders"]\r\n')
    found = shop(tmp_path / "pyproject", '[tool.rest2mcp]\nmode = "discovery"\n', config_name="pyproject.toml")
    other = shop(tmp_path / "other", '[tool.black]\nline-length = 100\n', config_name="pyproject.toml")
    reads: list[str] = []
    for method in ("read_bytes", "read_text"):
        original = getattr(Path, method)

        def counted(self, *args, _original=original, **kwargs):
            if self.suffix == ".toml" and tmp_path in Path(self).absolute().parents:
                reads.append(self.name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, counted)
    generated = prepare(str(spec), Options())
    assert reads == ["rest2mcp.toml"]
    assert sorted(t.name for t in generated.api.tools) == ["cancelOrder", "createOrder", "listOrders"]
    raw = (tmp_path / "toml" / "rest2mcp.toml").read_bytes()
    assert b"\r\n" in raw
    assert generated.header["config_file"]["sha256"] == hashlib.sha256(raw).hexdigest()
    reads.clear()
    assert prepare(str(found), Options()).api.mode == "discovery"
    assert reads == ["pyproject.toml"]
    reads.clear()
    unrelated = prepare(str(other), Options())  # a pyproject without [tool.rest2mcp] is not a configuration
    assert reads == ["pyproject.toml"] and "config_file" not in unrelated.header


def test_unknown_keys_and_wrong_types_are_errors_with_lines(tmp_path):
    config = """
        mode = "tools"
        [exlude]
        tags = ["internal"]
        [include]
        tags = "orders"
        methods = ["fetch"]
        [operations.listOrders]
        nmae = "x"
        annotations = { readOnly = true }
        [operations.createOrder.arguments.quantity]
        fixed = 1
        default = 2
    """
    problems = failure(shop(tmp_path, config))
    text = "\n".join(p.render() for p in problems)
    assert all(p.severity is Severity.ERROR and p.source.endswith("rest2mcp.toml") for p in problems)
    assert "rest2mcp.toml:3: exlude: unknown key\n  hint: did you mean 'exclude'?" in text
    assert "include.methods: unknown HTTP method 'fetch'" in text
    assert "operations.listOrders.nmae: unknown key\n  hint: did you mean 'name'?" in text
    assert "operations.listOrders.annotations.readOnly: unknown key\n  hint: did you mean 'readOnlyHint'?" in text
    assert "has both fixed and default" in text
    assert len(problems) == 5


def test_invalid_toml_and_bad_values(tmp_path):
    problems = failure(shop(tmp_path, '[include\ntags = ["x"]\n'))
    assert problems[0].code == "E505" and problems[0].line == 1 and "invalid TOML" in problems[0].message
    problems = failure(shop(tmp_path / "b", '[operations.createOrder.arguments.quantity]\nfixed = 0\n'))
    assert problems[0].code == "E503" and problems[0].line == 1
    assert "fixed value for 'quantity' is not valid: 0 is less than the minimum of 1" in problems[0].message
    problems = failure(shop(tmp_path / "c", '[operations.listOrders]\nname = "cancelOrder"\n'))
    assert problems[0].code == "E504" and "two tools are named 'cancelOrder'" in problems[0].message
    problems = failure(shop(tmp_path / "d", '[operations.listOrders]\nname = "list orders"\n'))
    assert "'list orders' is not a valid tool name" in problems[0].message
    with pytest.raises(GenerationFailed) as missing:
        prepare(str(shop(tmp_path / "e")), Options(config_path=str(tmp_path / "nope.toml")))
    assert missing.value.diagnostics[0].code == "E505"


def test_patterns_that_match_nothing_are_reported(tmp_path):
    config = """
        [include]
        tags = ["orders", "billing"]
        [exclude]
        paths = ["/orders/{id}"]
        [operations.listInvoices]
        title = "x"
        [operations.listOrders.arguments.state]
        default = "open"
    """
    generated = prepare(str(shop(tmp_path, config)), Options())
    warnings = {d.code: [] for d in generated.diagnostics}
    for d in generated.diagnostics:
        warnings[d.code].append(d.message)
    assert sorted(warnings["W501"]) == ["exclude.paths: '/orders/{id}' matches no operation",
                                        "include.tags: 'billing' matches no operation",
                                        ("operations.listInvoices: no operation has this operationId, tool name "
                                         "or 'METHOD /path'")]
    assert warnings["W503"] == ["tool listOrders: no argument 'state' to change (arguments: status)"]
    with pytest.raises(GenerationFailed):
        prepare(str(shop(tmp_path, config)), Options(strict=True))


def test_bad_x_mcp_entries_are_warnings_with_pointers(tmp_path):
    def edit(document):
        document["paths"]["/orders"]["get"]["x-mcp"] = {"name": "bad name!", "hidden": True}
        document["paths"]["/orders"]["post"]["x-mcp"] = "yes"

    generated = prepare(str(shop(tmp_path, edit=edit)), Options())
    found = [(d.code, d.pointer, d.message) for d in generated.diagnostics if d.code == "W502"]
    assert ("W502", "/paths/~1orders/get/x-mcp/name", "'bad name!' is not a valid tool name") in found
    assert ("W502", "/paths/~1orders/get/x-mcp/hidden", "unknown key") in found
    assert ("W502", "/paths/~1orders/post/x-mcp", "must be a table") in found
    assert all(d.line for d in generated.diagnostics if d.code == "W502")
    assert "listOrders" in {t.name for t in generated.api.tools}


def test_many_tools_suggest_discovery_mode(tmp_path):
    document = {"openapi": "3.0.3", "info": {"title": "Big", "version": "1"}, "paths": {
        f"/things{i}": {"get": {"operationId": f"getThing{i}", "responses": {"200": {"description": "ok"}}}}
        for i in range(101)}}
    spec = tmp_path / "big.yaml"
    spec.write_text(yaml.safe_dump(document))
    codes = [(d.severity, d.code) for d in prepare(str(spec), Options(models=False)).diagnostics]
    assert (Severity.INFO, "I601") in codes
    assert (Severity.INFO, "I601") not in [(d.severity, d.code) for d in
                                           prepare(str(spec), Options(models=False, mode="discovery")).diagnostics]
    prepare(str(spec), Options(models=False, strict=True))  # a suggestion, not a warning
    said = next(d.message for d in prepare(str(spec), Options(models=False)).diagnostics if d.code == "I601")
    assert said.startswith("101 tools, a tools/list of ") and " tokens, all of them in the model's context)" in said


def test_a_large_tool_list_suggests_discovery_mode_too(tmp_path):
    choices = [f"choice-{n:06d}" for n in range(30_000)]  # about 400 kB of JSON per tool
    document = {"openapi": "3.0.3", "info": {"title": "Wide", "version": "1"}, "paths": {
        f"/things{i}": {"get": {"operationId": f"getThing{i}", "responses": {"200": {"description": "ok"}},
                                "parameters": [{"name": "pick", "in": "query", "schema": {"enum": choices}}]}}
        for i in range(3)}}
    spec = tmp_path / "wide.json"
    spec.write_text(json.dumps(document))
    said = [d.message for d in prepare(str(spec), Options(models=False, skip_validation=True)).diagnostics
            if d.code == "I601"]
    assert len(said) == 1 and said[0].startswith("3 tools, a tools/list of 1.") and " MB (about 3" in said[0]
    document["paths"] = {"/things0": document["paths"]["/things0"]}
    spec.write_text(json.dumps(document))
    assert "I601" not in [d.code for d in prepare(str(spec), Options(models=False, skip_validation=True)).diagnostics]


def test_cli_reports_configuration_errors_without_traceback(tmp_path):
    spec = shop(tmp_path, '[include]\ntagz = ["orders"]\n')
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "rest2mcp", "generate", str(spec), "-o", str(out)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and not out.exists()
    assert f"error[E502] {tmp_path / 'rest2mcp.toml'}:2: include.tagz: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    bad_mode = subprocess.run([sys.executable, "-m", "rest2mcp", "generate", str(spec), "--mode", "lazy"],
                              capture_output=True, text=True, check=False)
    assert bad_mode.returncode == 1 and "invalid --mode 'lazy'" in bad_mode.stderr


def test_the_configuration_is_recorded_and_reused(tmp_path):
    spec = shop(tmp_path, '[include]\ntags = ["orders"]\n')
    out = tmp_path / "out"
    run = [sys.executable, "-m", "rest2mcp"]
    subprocess.run([*run, "generate", str(spec), "-o", str(out), "--mode", "discovery"], check=True,
                   capture_output=True)
    manifest = (out / ".rest2mcp" / "manifest.json").read_text()
    assert '"config_file"' in manifest and '"mode": "discovery"' in manifest
    assert subprocess.run([*run, "check", str(spec), "-o", str(out)], capture_output=True, check=False).returncode == 0
    (tmp_path / "rest2mcp.toml").write_text('[include]\ntags = ["catalog"]\n')
    checked = subprocess.run([*run, "check", str(spec), "-o", str(out)], capture_output=True, text=True, check=False)
    assert checked.returncode == 1 and "tools.json" in checked.stdout
    shutil.rmtree(out)
