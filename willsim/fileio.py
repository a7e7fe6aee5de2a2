"""Writing files safely: atomic replacement and the one TOML writer.

* :func:`atomic_write` — write through a temporary file in the same folder, then rename it into
  place, so a reader (or a crash) never sees half a file;
* :func:`write_text` — the same for text;
* :func:`toml_dumps` — TOML text from plain data (tomli-w), for scenario files, sweep specs and
  every other TOML willsim writes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> None:
    """Write a file through ``write(tmp_path)`` then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def toml_dumps(data: Mapping[str, Any]) -> str:
    """TOML text of ``data`` (tables, arrays of tables, dotted keys written as quoted keys)."""
    return tomli_w.dumps(_plain(data))


def _plain(value: Any) -> Any:
    """NumPy scalars and tuples as plain Python values that TOML can hold."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
