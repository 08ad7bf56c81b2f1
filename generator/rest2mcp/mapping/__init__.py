"""Stage 3, mapping: each operation to a tool (name, flat inputSchema, where each argument goes on the
wire, output schema, credentials), as the intermediate representation in `ir.py`."""
