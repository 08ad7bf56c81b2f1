"""Stage 4, the tool surface: the configuration (`rest2mcp.toml`, `x-mcp`) choosing operations,
changing tools and grouping them into toolsets."""
