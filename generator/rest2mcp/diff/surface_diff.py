"""The change in the tool surface a model sees between two versions of an API: the public entry.

A surface is a catalog (tools.json): MCP tool definitions plus request plans, built from a spec
or read from a generated folder (surfaces.py). Two surfaces are compared tool by tool (tools.py),
each tool's input and output schemas with opposite polarity (schemas.py); the result is a
report (report.py). Every change is breaking or compatible (changes.py).
"""

from __future__ import annotations

from rest2mcp.diff.changes import BREAKING, COMPATIBLE, Change
from rest2mcp.diff.report import FAIL_ON, diff_command, render_table, summary, to_json
from rest2mcp.diff.schemas import compare_schemas
from rest2mcp.diff.surfaces import Surface, Tool, find_catalog, load_surface, surface_from_catalog
from rest2mcp.diff.tools import SurfaceDiff, ToolDiff, diff_surfaces, diff_tool

__all__ = [
    "BREAKING", "COMPATIBLE", "FAIL_ON", "Change", "Surface", "SurfaceDiff", "Tool", "ToolDiff",
    "compare_schemas", "diff_command", "diff_surfaces", "diff_tool", "find_catalog", "load_surface",
    "render_table", "summary", "surface_from_catalog", "to_json",
]
