"""Every diagnostic code rest2mcp reports: its severity and what it means.

The README's "Diagnostics" table is generated from this registry (`python -m rest2mcp.diagnostics.codes`
prints it) and a test checks that both agree, and that every code the generator uses is registered.

Code families:
  E1xx  input cannot be read or written (file, URL, JSON/YAML syntax, output folder)
  E2xx / W2xx  the document is not a valid OpenAPI description
  W3xx  a construct mapped with a loss, or an operation skipped; E331 no tools at all
  E4xx  usage (bad option values)
  E5xx / W5xx  the tool-surface configuration and the generated folder
  I3xx  a construct mapped as its authors meant rather than as the letter of the specification says
  I6xx  suggestions
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from rest2mcp.diagnostics import Severity
from rest2mcp.readme_tables import between_markers, table_command


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    meaning: str  # one line of Markdown, as the README shows it


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: tuple[Code, ...] = (
    Code("E101", E, "the file cannot be read (missing, a folder, no permission)"),
    Code("E102", E, "the URL cannot be fetched (network error, or an HTTP error status)"),
    Code("E103", E, "the file is not UTF-8 text"),
    Code("E104", E, "invalid JSON or YAML (with the line), or an empty document"),
    Code("E105", E, "the output folder cannot be written"),
    Code("W106", W, "a `$ref` to another file or host not followed (missing, not a regular file, outside the "
                    "document's folder without `--allow-ref-dir`, or host not allowed); said once per file or "
                    "URL, with the number of other references to it"),
    Code("E106", E, "the document or a referenced file is larger than 64 MB (the referenced files together too)"),
    Code("E107", E, "the document or a referenced file nests more than 200 levels deep"),
    Code("E108", E, "the document or a referenced file has more than 5,000,000 values, or YAML aliases that "
                    "expand to more than 100,000 values or lie inside the node they name"),
    Code("E201", E, "not a Swagger 2.0 or OpenAPI 3.0/3.1 document"),
    Code("W201", W, "OpenAPI validation could not run"),
    Code("W202", W, "OpenAPI validation found a problem (all are listed; `--strict` refuses the document, "
                    "`rest2mcp validate` exits 1)"),
    Code("W301", W, "an operation skipped: a `$ref` cannot be resolved, or a path variable has no parameter"),
    Code("W302", W, "a schema part dropped: not an object"),
    Code("W303", W, "a schema part dropped: unknown type"),
    Code("W304", W, "a schema part dropped: invalid regular expression"),
    Code("W305", W, "a path template containing `?`, or a `#` before a `{variable}` in its segment (sent "
                    "percent-encoded as part of the path)"),
    Code("I305", I, "a path template with a URL fragment (`/folders/{id}#shared_link`, `/send/#env/v1`): the "
                    "`#...` keys are left out of the path sent (the tools keep apart names)"),
    Code("W306", W, "an operation skipped: its path does not start with `/` (appended to the base URL, it could "
                    "change the host the request goes to)"),
    Code("W307", W, "an operation skipped: a schema nests more than 100 levels deep (references followed), or "
                    "the tool's schema more than 200 JSON levels (clients could not list the tool)"),
    Code("I309", I, "keywords beside a `$ref` in an OpenAPI 3.0 (or Swagger 2.0) schema applied with the "
                    "referenced schema, as 3.1 says (3.0 says to ignore them, but authors mean them: "
                    "`required`, `nullable`...)"),
    Code("W310", W, "an operation skipped: a form or multipart body that is not an object with named properties"),
    Code("W311", W, "a parameter ignored: bad `in`"),
    Code("W312", W, "a parameter ignored: an Accept, Content-Type or Authorization header (the server sets it)"),
    Code("W313", W, "a parameter style the location does not define (the default is used), or `deepObject` "
                    "with `explode: false` (sent as `name[key]=value`)"),
    Code("W314", W, "a request body whose media type rest2mcp sends as bytes (an unknown `application/...` type) "
                    "but whose schema describes fields: usually a typo for a form or JSON type"),
    Code("W320", W, "a security scheme that cannot be resolved"),
    Code("W321", W, "an apiKey security scheme without `in` or `name`"),
    Code("W322", W, "a security scheme type or HTTP authentication scheme that is not supported"),
    Code("W323", W, "an operation with no usable security scheme: it is called without credentials"),
    Code("W330", W, "the document has only webhooks: no tools"),
    Code("E331", E, "no tools: every operation was left out (deprecated, filtered, read-only or unmappable, with "
                    "the counts) or the document describes none; `--allow-empty` accepts it"),
    Code("W340", W, "typed models (models.py) could not be generated; the server does not need them"),
    Code("E401", E, "a bad `--name` (or name made from `info.title`): not a valid name, or its import name would "
                    "shadow a module (standard library, installed or widely used distributions, `sitecustomize`)"),
    Code("E402", E, "a bad `--base-url`"),
    Code("E403", E, "the output folder is a file"),
    Code("E404", E, "a bad `--fail-on`"),
    Code("E405", E, "a bad `--mode`"),
    Code("E406", E, "an unknown lint code in `rest2mcp lint --ignore`"),
    Code("E501", E, "a generated file was edited by hand, or a file rest2mcp did not write is in the way (exit 2)"),
    Code("W501", W, "a configuration pattern or operation key that matches no operation"),
    Code("E502", E, "an unknown key or a wrong value in the configuration"),
    Code("W502", W, "an unknown key or a wrong value in an `x-mcp` extension (ignored)"),
    Code("E503", E, "a fixed or default argument value that the argument's schema rejects"),
    Code("W503", W, "a configured argument that the tool does not have"),
    Code("E504", E, "two tools with the same name after renaming"),
    Code("E505", E, "the configuration cannot be read (missing, not UTF-8, invalid TOML with the line, "
                    "no `[tool.rest2mcp]`)"),
    Code("E506", E, "the output folder's `.rest2mcp/manifest.json` is not one rest2mcp writes (not JSON, unknown "
                    "keys, values of the wrong type, files outside the folder): nothing is reused or written"),
    Code("E507", E, "an operation configured as a resource (`resource` in the configuration) that cannot be one: "
                    "not a GET, a required argument other than a path parameter (without a default or fixed "
                    "value), a path parameter that is not a string, number or boolean, a `uri` without exactly the "
                    "path parameters as variables, or a URI or name another resource has"),
    Code("W507", W, "the same in an operation's `x-mcp` extension (that operation is not a resource)"),
    Code("E508", E, "a prompt of the configuration whose text has a `{placeholder}` that is none of its arguments"),
    Code("W508", W, "the same in the document's `x-mcp-prompts` (that prompt is left out)"),
    Code("E509", E, "`rest2mcp update` (or `check` without SPEC) on a folder without a manifest: rest2mcp did not "
                    "generate it"),
    Code("E520", E, "`generate -o DIR` into a folder that holds files but no rest2mcp manifest (exit 2, nothing "
                    "written): pass `--adopt` to generate into it"),
    Code("E521", E, "a file of `[package] readme_sections` cannot be read"),
    Code("I601", I, "more than 100 tools, or a tools/list over 1 MB (its size and tokens said): consider "
                    "discovery or dynamic mode, toolsets or selection"),
    Code("I602", I, "the document gives no usable base URL (no `servers`/`host`, or a relative one): "
                    "the server needs `--base-url`"),
    Code("I603", I, "options not given on the command line were reused from the output folder's last run "
                    "(its manifest); each is listed"),
    Code("I604", I, "deprecated operations left out (named; `deprecated = true` in `rest2mcp.toml` keeps them)"),
)

REGISTRY: dict[str, Code] = {entry.code: entry for entry in CODES}

TABLE_START = "<!-- diagnostic codes: generated by `python -m rest2mcp.diagnostics.codes README.md` -->\n"
TABLE_END = "<!-- end of diagnostic codes -->"


def markdown_table() -> str:
    """The README's table of codes, one row per code."""
    rows = "".join(f"| {c.code} | {c.severity.value} | {c.meaning} |\n" for c in CODES)
    return "| code | severity | meaning |\n|---|---|---|\n" + rows


def with_table(readme: str) -> str:
    """`readme` with the text between the table markers replaced by the current table."""
    return between_markers(readme, TABLE_START, TABLE_END, markdown_table())


def main(argv: list[str]) -> int:
    """Print the table, or with a path rewrite the table in that Markdown file."""
    return table_command(argv, markdown_table, with_table)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
