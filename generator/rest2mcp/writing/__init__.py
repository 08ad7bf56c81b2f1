"""Stage 6, writing: files to disk with the manifest that makes regeneration safe."""
