"""Stage 2, schemas: OpenAPI Schema Objects (2.0, 3.0, 3.1) to JSON Schema 2020-12 for MCP clients."""
