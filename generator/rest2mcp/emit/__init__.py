"""Stage 5, emitting: the IR to the generated package's files, in memory (templates, the catalog,
the runtime copied verbatim, typed models)."""
