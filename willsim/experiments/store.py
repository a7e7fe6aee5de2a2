"""The run store: one immutable Parquet file per run, a design, a run table, a manifest.

Layout of a store folder (a sweep; a comparison's ``--out`` has the same parts)::

    sweep.json          manifest: spec, spec hash, versions, source digest, git commit and dirty
                        flag, engine, counts (``manifest.json`` for a comparison)
    design.parquet      every run (run, run_key, point, replicate, seed, parameters), written once
    runs/<run_key>.parquet     one file per finished run (tidy rows, see below), with the
                        worker's provenance in the Parquet metadata
    failed/<run_key>.json      a failed run: error, attempts, seconds
    quarantine/         run files that could not be read (a disk fault, a copy cut short); they
                        are moved here and their runs run again on ``--resume``
    results.parquet     all runs compacted into one dataset (pandas, polars, DuckDB)
    run_table.parquet   every run with its status (done / failed / pending) and error

Every file is written to a temporary name in the same folder, flushed to disk and renamed
(:func:`willsim.fileio.atomic_write`), so a store killed at any moment leaves only whole files
(and perhaps a hidden temporary file that the next start removes). A run's file is named by its
key, which hashes the model's source digest, the run's parameters and its seed: writing a run
twice (an engine that retries) rewrites the same content, and runs of another model version can
never be taken for this one's.

Rows of a run file: ``run_key`` and the run's identity (``point, replicate, seed`` and the varied
parameters for a sweep; ``arm, scenario, draw, replicate, seed`` for a comparison), then ``kind``
(``summary`` = end-of-run figure, ``week`` = weekly value, ``group`` = end-of-run figure of one
citizen group), ``week`` (-1 for end-of-run figures), ``group_var``, ``group``, ``indicator``,
``value``.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from willsim.experiments import SpecError
from willsim.fileio import atomic_write

MANIFEST = "sweep.json"
DESIGN = "design.parquet"
RESULTS = "results.parquet"
RUN_TABLE = "run_table.parquet"
QUARANTINE = "quarantine"
DESIGN_BATCH = 65_536  # design rows per Parquet row group (and per lazy read)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def durable_write(path: Path, write: Callable[[Path], None]) -> None:
    """:func:`willsim.fileio.atomic_write` with the data and the folder flushed to disk, so a
    power cut cannot leave an empty file under the final name either."""

    def write_synced(tmp: Path) -> None:
        write(tmp)
        _fsync(tmp)

    atomic_write(path, write_synced)
    # some filesystems cannot fsync a folder; the rename is atomic all the same
    with contextlib.suppress(OSError):
        _fsync(path.parent)


def write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, default=str)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    durable_write(path, write)


def write_parquet(path: Path, frame: pd.DataFrame, meta: dict[str, Any] | None = None) -> None:
    """``frame`` as Parquet, with ``meta`` as willsim provenance in the file's metadata."""
    import pyarrow.parquet as pq

    from willsim.experiments.provenance import parquet_table

    table = parquet_table(frame, meta or {})
    durable_write(path, lambda p: pq.write_table(table, p))


def _readable(path: Path) -> bool:
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except Exception:  # ArrowInvalid, OSError: truncated, empty or not Parquet
        return False
    return True


@dataclass
class SweepStore:
    """A store folder (a sweep's, or a comparison's with ``manifest="manifest.json"``)."""

    root: Path
    manifest_name: str = MANIFEST
    quarantined: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    # --- paths ----------------------------------------------------------------------------------

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def failed_dir(self) -> Path:
        return self.root / "failed"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / QUARANTINE

    def run_path(self, key: str) -> Path:
        return self.runs_dir / f"{key}.parquet"

    # --- state ----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.root / self.manifest_name).is_file()

    def manifest(self) -> dict[str, Any]:
        try:
            return json.loads((self.root / self.manifest_name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecError(
                f"{self.root} is not a willsim store (no {self.manifest_name})"
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SpecError(f"{self.root / self.manifest_name} is unreadable: {exc}") from None

    def design(self, columns: list[str] | None = None) -> pd.DataFrame:
        path = self.root / DESIGN
        if not path.is_file():
            raise SpecError(f"{self.root} is not a complete store (no {DESIGN})")
        return pd.read_parquet(path, columns=columns)

    def design_batches(
        self, columns: list[str] | None = None, batch_size: int = DESIGN_BATCH
    ) -> Iterator[pd.DataFrame]:
        """The design in batches (a million-run design is never in memory at once)."""
        import pyarrow.parquet as pq

        with pq.ParquetFile(self.root / DESIGN) as f:
            for batch in f.iter_batches(batch_size=batch_size, columns=columns):
                yield batch.to_pandas()

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
                try:
                    out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError, OSError):
                    out[p.stem] = {"run_key": p.stem, "error": "unreadable failure record"}
        return out

    def clean_temporary(self) -> int:
        """Remove temporary files left by a store killed while writing."""
        removed = 0
        for folder in (self.root, self.runs_dir, self.failed_dir):
            if folder.is_dir():
                for p in folder.iterdir():
                    if p.name.startswith(".") and p.is_file():
                        p.unlink(missing_ok=True)
                        removed += 1
        return removed

    def verify(self) -> list[str]:
        """Move unreadable run files to ``quarantine/`` (their runs count as missing again);
        returns their keys. Only the Parquet footer of each file is read."""
        bad = []
        for key in sorted(self.done_keys()):
            path = self.run_path(key)
            if not _readable(path):
                self.quarantine_dir.mkdir(exist_ok=True)
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                shutil.move(path, self.quarantine_dir / f"{key}.{stamp}.parquet")
                bad.append(key)
        self.quarantined += bad
        return bad

    def quarantine_message(self, keys: list[str] | None = None, rerun: bool = False) -> str:
        keys = self.quarantined if keys is None else keys
        if not keys:
            return ""
        then = (
            "their runs are run again now"
            if rerun
            else "run the same command with --resume to run them again"
        )
        return (
            f"{len(keys)} unreadable run file(s) moved to {self.quarantine_dir} "
            f"(e.g. {keys[0]}); {then}"
        )

    # --- writing --------------------------------------------------------------------------------

    def initialise(
        self, manifest: dict[str, Any], design: pd.DataFrame | Iterable[pd.DataFrame]
    ) -> None:
        """Write the design (a frame, or batches of rows) and the manifest of a new store
        (design first: the manifest marks a complete start)."""
        self.write_design(design)
        write_json(self.root / self.manifest_name, manifest)

    def write_design(self, design: pd.DataFrame | Iterable[pd.DataFrame]) -> int:
        """Write ``design.parquet`` batch by batch (bounded memory); returns the rows written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        batches = [design] if isinstance(design, pd.DataFrame) else design
        rows = 0

        def write(tmp: Path) -> None:
            nonlocal rows
            writer = None
            try:
                for frame in batches:
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table, row_group_size=DESIGN_BATCH)
                    rows += len(frame)
            finally:
                if writer is not None:
                    writer.close()

        durable_write(self.root / DESIGN, write)
        return rows

    def update_manifest(self, **fields: Any) -> None:
        write_json(self.root / self.manifest_name, {**self.manifest(), **fields})

    def save_run(self, key: str, frame: pd.DataFrame, meta: dict[str, Any] | None = None) -> None:
        write_parquet(self.run_path(key), frame, {"run_key": key, **(meta or {})})
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
        """All stored rows (the compacted file if it is complete, else the run files; an
        unreadable run file is quarantined with a message rather than stopping the read)."""
        compacted = self.root / RESULTS
        self.verify()
        done = self.done_keys()
        frame = None
        if compacted.is_file() and _readable(compacted):
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

    def compact(self, meta: dict[str, Any] | None = None) -> Path:
        """Write every finished run into ``results.parquet`` (sorted by run, with ``meta`` as
        provenance) and the run table."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from willsim.experiments.provenance import METADATA_KEY

        self.verify()
        files = self.run_files()
        design = self.design(columns=["run_key", "run"]).drop_duplicates("run_key")
        order = design.set_index("run_key")["run"]
        files.sort(key=lambda p: order.get(p.stem, len(order)))
        if files:
            tables = [pq.read_table(p) for p in files]
            pandas_meta = {
                k: v for k, v in (tables[0].schema.metadata or {}).items() if k == b"pandas"
            }
            tables = [t.replace_schema_metadata(None) for t in tables]
            table = pa.concat_tables(tables, promote_options="default")
            blob = json.dumps({**(meta or {}), "runs": len(files)}, default=str).encode()
            table = table.replace_schema_metadata({**pandas_meta, METADATA_KEY: blob})
            durable_write(self.root / RESULTS, lambda p: pq.write_table(table, p))
        write_parquet(self.root / RUN_TABLE, self.run_table(), meta)
        self.update_manifest(
            compacted={"runs": len(files), "time": datetime.now(UTC).isoformat(timespec="seconds")}
        )
        return self.root / RESULTS
