"""The package templates compiled once per installation, kept as Python keeps compiled modules.

Compiling the seven templates of a package to Python code took a twentieth of a second of every
generation. Jinja's compiled code is kept in this folder's `__pycache__`, beside the generator's own
compiled modules, under the same rules: not written when Python writes no bytecode
(`PYTHONDONTWRITEBYTECODE`), silently not kept where the folder is read-only, and used only for the
template text, Jinja and Python it was made by (Jinja's bucket checks its source checksum and
version; the key names the environment's options). What is kept is the code of the generator's own
templates, trusted as its modules are; one that cannot be read is compiled again.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

FOLDER = Path(__file__).resolve().parent / "__pycache__"


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's bytecode of each template, one file a template in `folder`. `options`: what else shapes
    the compiled code (the environment's settings): part of every key."""

    def __init__(self, options: str, folder: Path = FOLDER) -> None:
        self.options = options
        self.folder = folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.options}\0{name}\0{filename}".encode()).hexdigest()[:32]

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"template-{bucket.key}.{sys.implementation.cache_tag}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        try:
            bucket.bytecode_from_string(data)  # a stale or foreign file resets the bucket
        except Exception:  # noqa: BLE001 -- a damaged file: compiled again (and written over)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if sys.dont_write_bytecode:
            return
        path = self._path(bucket)
        try:
            path.parent.mkdir(exist_ok=True)
            # Written whole, then renamed: a generation running at the same time reads the old file or the new.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(bucket.bytecode_to_string())
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:  # a read-only installation: compiled again next time
            pass
