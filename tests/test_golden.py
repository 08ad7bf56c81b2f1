"""generated/ is exactly what the generator writes today, and the generated code is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import EXAMPLES, GENERATED, ROOT, SPECS, ruff
from jsonschema import Draft202012Validator
from rest2mcp.mapping.naming import TOOL_NAME_RE
from rest2mcp.pipeline import Options, plan, prepare


def _on_disk(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".rest2mcp" not in p.parts
    }


@pytest.mark.parametrize("spec,folder", sorted(EXAMPLES.items()))
def test_generated_examples_match_byte_for_byte(spec, folder, monkeypatch):
    monkeypatch.chdir(ROOT)  # the manifest records the spec path as given, relative to the checkout
    generated = prepare(f"specs/{spec}", Options())
    on_disk = _on_disk(GENERATED / folder)
    assert sorted(generated.files) == sorted(on_disk), "the set of files differs: regenerate generated/ (see README)"
    for path, data in generated.files.items():
        assert data == on_disk[path], f"{folder}/{path} differs: regenerate generated/ (see README)"
    write_plan = plan(generated, GENERATED / folder)
    assert not write_plan.changes and not write_plan.conflicts, "the manifest differs: regenerate generated/"


@pytest.mark.parametrize("spec", sorted(EXAMPLES))
def test_generation_is_deterministic(spec):
    first = prepare(str(SPECS / spec), Options()).files
    second = prepare(str(SPECS / spec), Options()).files
    assert first == second


@pytest.mark.parametrize("folder", sorted(EXAMPLES.values()))
def test_tool_definitions_are_valid_for_clients(folder):
    module = next(p.parent for p in (GENERATED / folder).glob("*/generated/tools.json"))
    catalog = json.loads((module / "tools.json").read_text())
    names = [tool["name"] for tool in catalog["tools"]]
    assert len(names) == len(set(names))
    for tool in catalog["tools"]:
        assert TOOL_NAME_RE.fullmatch(tool["name"])
        for key in ("inputSchema", "outputSchema"):
            schema = tool.get(key)
            if schema is None:
                continue
            Draft202012Validator.check_schema(schema)
            assert schema["type"] == "object"
            assert not {"oneOf", "anyOf", "allOf"} & set(schema), f"{tool['name']}: root combinator"
        plan = catalog["plans"][tool["name"]]
        assert set(plan["arguments"]) == set(tool["inputSchema"]["properties"]) | set(plan.get("fixed", {}))


def test_generated_code_passes_ruff_and_compiles():
    folders = [str(GENERATED / folder) for folder in EXAMPLES.values()]
    # The project's own settings (the runtime is linted in place with them), whatever config is around.
    settings = ["--isolated", "--line-length", "110", "--target-version", "py310"]
    result = subprocess.run([*ruff(), "check", "--no-cache", *settings, *folders], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_readme_says_one_of_several_credentials_is_enough():
    # everything.yaml has operations with alternative schemes (bearer or basic); petstore has one
    several = (GENERATED / "everything" / "README.md").read_text()
    single = (GENERATED / "petstore" / "README.md").read_text()
    sentence = "one of them is enough: the first one that is set, in the document's order, is used."
    assert sentence in " ".join(several.split())
    assert "one of them is enough" not in single
    assert "`EVERYTHING_MCP_BEARER_AUTH_TOKEN`" in several and "`PETSTORE_MCP_API_KEY`" in single


@pytest.mark.e2e
def test_runtime_and_generated_packages_pass_mypy_strict():
    """The runtime in place and every generated package (its copy of the runtime, its own modules)."""
    packages = [str(p) for folder in EXAMPLES.values() for p in (GENERATED / folder).iterdir()
                if p.is_dir() and (p / "__init__.py").is_file()]
    for targets in (["generator/rest2mcp/runtime"], packages):
        result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir", os.devnull, *targets], cwd=ROOT,
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.e2e
def test_generator_passes_mypy_with_the_project_configuration():
    """`python -m mypy` as configured in pyproject.toml: the generator, its runtime strictly."""
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", os.devnull], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
