"""Stage 1, the document: read a file or URL (JSON or YAML), bundle the files it references, validate
it, and lift Swagger 2.0 to the OpenAPI 3 form the later stages read."""
