"""Provenance: which model made a result, so results of different model versions never mix.

* :func:`source_digest` — a hash of the model's source files (every module a run executes), the
  same for a git checkout and an installed package, and different as soon as one line changes,
  committed or not. It is part of every run key, so a stored run is tied to the code that made it;
* :func:`git_state` — the commit and whether the working tree has uncommitted changes (for the
  manifest; the digest is what decides);
* :func:`versions` — willsim, Python and the libraries that shape a run;
* :func:`provenance` — all of the above in one dict, for manifests and Parquet metadata;
* :func:`parquet_table` — a Parquet table carrying that provenance in its schema metadata (key
  ``willsim``), readable with ``pyarrow.parquet.read_schema(path).metadata``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
OUTSIDE_THE_MODEL = (
    "app/",
    "workshop/",
    "reporting/",
    "cli.py",
    "experiments/analysis.py",
    "experiments/commands.py",
)
"""Parts of the package that never run inside a simulation (user interfaces and the analysis of
stored results): editing them keeps the digest, so it does not invalidate stored runs."""
METADATA_KEY = b"willsim"


def model_files(root: Path = PACKAGE_ROOT) -> list[Path]:
    """The source files the digest covers, sorted."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or "__pycache__" in rel or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.startswith(OUTSIDE_THE_MODEL):
            continue
        out.append(path)
    return out


@lru_cache(maxsize=4)
def source_digest(root: Path = PACKAGE_ROOT) -> str:
    """A short hash of the model's source: every file of the package except
    :data:`OUTSIDE_THE_MODEL`, by relative path and content."""
    h = hashlib.sha256()
    for path in model_files(root):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def git_state() -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the source's git checkout."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args],
                capture_output=True,
                text=True,
                cwd=PACKAGE_ROOT,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--", str(PACKAGE_ROOT))
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def git_commit() -> str | None:
    """The git commit of the willsim source, if it is a git checkout."""
    return git_state()["commit"]


def versions() -> dict[str, str]:
    """Versions of willsim, Python and the libraries that shape a run."""
    import mesa
    import numpy as np
    import pandas as pd

    import willsim

    return {
        "willsim_version": willsim.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
    }


def provenance() -> dict[str, Any]:
    """Versions, source digest, git commit and dirty flag, and the host."""
    git = git_state()
    return {
        **versions(),
        "source_digest": source_digest(),
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "host": platform.node(),
    }


def parquet_table(frame: Any, meta: dict[str, Any]) -> Any:
    """``frame`` as a pyarrow Table whose schema metadata holds ``meta`` (JSON) under
    ``willsim``."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    blob = json.dumps(meta, sort_keys=True, default=str).encode()
    return table.replace_schema_metadata({**(table.schema.metadata or {}), METADATA_KEY: blob})


def read_parquet_provenance(path: str | Path) -> dict[str, Any]:
    """The ``willsim`` provenance stored in a Parquet file's metadata ({} if none)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    blob = meta.get(METADATA_KEY)
    return json.loads(blob) if blob else {}
