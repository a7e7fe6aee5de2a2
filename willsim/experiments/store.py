"""The sweep store: one immutable Parquet file per run, a run table, compaction, a manifest.

Layout of a sweep folder::

    sweep.json          manifest: spec, spec hash, versions, git commit, engine, counts
    design.parquet      every run (run_key, point, replicate, seed, parameters), written once
    runs/<run_key>.parquet     one file per finished run (tidy rows, see below)
    failed/<run_key>.json      a failed run: error, attempts, seconds
    results.parquet     all runs compacted into one dataset (pandas, polars, DuckDB)
    run_table.parquet   every run with its status (done / failed / pending) and error

Every file is written to a temporary name in the same folder, flushed to disk and renamed, so a
sweep killed at any moment leaves only whole files (and perhaps a ``.tmp`` that the next start
removes). A run's file is named by its key, so writing a run twice (an engine that retries)
rewrites the same content: nothing is lost or duplicated.

Rows of a run file: ``run_key, point, replicate, seed``, the varied parameters, then ``kind``
(``summary`` = end-of-run figure, ``week`` = weekly value, ``group`` = end-of-run figure of one
citizen group), ``week`` (-1 for end-of-run figures), ``group_var``, ``group``, ``indicator``,
``value``.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from willsim.experiments import SpecError

MANIFEST = "sweep.json"
DESIGN = "design.parquet"
RESULTS = "results.parquet"
RUN_TABLE = "run_table.parquet"


def durable_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)``: temporary name, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, default=str)
    durable_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    durable_write(path, lambda p: frame.to_parquet(p, index=False))


@dataclass
class SweepStore:
    """A sweep folder."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    # --- paths ----------------------------------------------------------------------------------

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def failed_dir(self) -> Path:
        return self.root / "failed"

    def run_path(self, key: str) -> Path:
        return self.runs_dir / f"{key}.parquet"

    # --- state ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.root / MANIFEST).is_file()

    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecError(f"{self.root} is not a sweep folder (no {MANIFEST})") from None

    def design(self) -> pd.DataFrame:
        path = self.root / DESIGN
        if not path.is_file():
            raise SpecError(f"{self.root} is not a sweep folder (no {DESIGN})")
        return pd.read_parquet(path)

    def done_keys(self) -> set[str]:
        """Keys of runs with a finished file (a directory listing, no file is opened)."""
        if not self.runs_dir.is_dir():
            return set()
        return {
            p.name[:-8]
            for p in os.scandir(self.runs_dir)
            if p.name.endswith(".parquet") and not p.name.startswith(".")
        }

    def failed(self) -> dict[str, dict[str, Any]]:
        """Failure records by run key (runs that later succeeded are not included)."""
        if not self.failed_dir.is_dir():
            return {}
        done = self.done_keys()
        out = {}
        for p in self.failed_dir.glob("*.json"):
            if p.stem not in done:
                out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
        return out

    def clean_temporary(self) -> int:
        """Remove temporary files left by a sweep that was killed while writing."""
        removed = 0
        for folder in (self.root, self.runs_dir, self.failed_dir):
            if folder.is_dir():
                for p in folder.glob(".*.tmp"):
                    p.unlink(missing_ok=True)
                    removed += 1
        return removed

    # --- writing --------------------------------------------------------------------------------

    def initialise(self, manifest: dict[str, Any], design: pd.DataFrame) -> None:
        """Write the design and the manifest of a new sweep (design first: the manifest marks a
        complete start)."""
        write_parquet(self.root / DESIGN, design)
        write_json(self.root / MANIFEST, manifest)

    def update_manifest(self, **fields: Any) -> None:
        write_json(self.root / MANIFEST, {**self.manifest(), **fields})

    def save_run(self, key: str, frame: pd.DataFrame) -> None:
        write_parquet(self.run_path(key), frame)
        (self.failed_dir / f"{key}.json").unlink(missing_ok=True)

    def save_failure(self, key: str, error: str, attempts: int, seconds: float) -> None:
        write_json(
            self.failed_dir / f"{key}.json",
            {
                "run_key": key,
                "error": error,
                "attempts": attempts,
                "seconds": round(seconds, 3),
                "host": platform.node(),
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )

    # --- reading --------------------------------------------------------------------------------

    def run_table(self) -> pd.DataFrame:
        """Every run of the design with ``status`` (done / failed / pending) and ``error``."""
        design = self.design()
        cols = [c for c in design.columns if not c.startswith("u:")]
        table = design[cols].copy()
        done, failed = self.done_keys(), self.failed()
        table["status"] = [
            ("done" if k in done else "failed" if k in failed else "pending")
            for k in table["run_key"]
        ]
        table["error"] = [failed[k]["error"] if k in failed else None for k in table["run_key"]]
        return table

    def run_files(self, keys: Iterable[str] | None = None) -> list[Path]:
        keys = sorted(self.done_keys() if keys is None else keys)
        return [self.run_path(k) for k in keys]

    def load(self, kind: str | None = None) -> pd.DataFrame:
        """All stored rows (the compacted file if it is complete, else the run files)."""
        compacted = self.root / RESULTS
        done = self.done_keys()
        frame = None
        if compacted.is_file():
            meta = self.manifest().get("compacted", {})
            if meta.get("runs") == len(done):
                frame = pd.read_parquet(compacted)
        if frame is None:
            files = self.run_files(done)
            if not files:
                raise SpecError(f"{self.root}: no finished runs yet")
            frame = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
        if kind is not None:
            frame = frame[frame["kind"] == kind].reset_index(drop=True)
        return frame

    def compact(self) -> Path:
        """Write every finished run into ``results.parquet`` (sorted by run) and the run table."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        files = self.run_files()
        order = self.design().set_index("run_key")["run"]
        files.sort(key=lambda p: order.get(p.stem, len(order)))
        if files:
            tables = [pq.read_table(p) for p in files]
            table = pa.concat_tables(tables, promote_options="default")
            durable_write(self.root / RESULTS, lambda p: pq.write_table(table, p))
        write_parquet(self.root / RUN_TABLE, self.run_table())
        self.update_manifest(
            compacted={"runs": len(files), "time": datetime.now(UTC).isoformat(timespec="seconds")}
        )
        return self.root / RESULTS
