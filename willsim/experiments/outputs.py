"""Output folders: checked before anything runs, written atomically, never silently overwritten.

* :func:`check_out` — called before any simulation: an ``--out`` that cannot be written, or an
  existing folder that already holds files (without ``force``), stops with a one-line message
  (a :class:`~willsim.experiments.SpecError`, exit status 2 on the command line);
* :class:`RunRecord` / :func:`record` — everything kept from one finished run, so the model can
  be released;
* :func:`manifest` — the provenance of a run, built from the *input* scenario
  (``model.scenario.to_dict()``), the policy log and the source digest;
* :func:`save_runs` — replicates of one scenario as Parquet time series (provenance in the
  Parquet metadata), summary and groups CSV and ``manifest.json``, each file written atomically.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.provenance import parquet_table, provenance
from willsim.fileio import atomic_write, write_text

if TYPE_CHECKING:
    from willsim.model import WelfareModel


def _reason(exc: OSError) -> str:
    return exc.strerror or (errno.errorcode.get(exc.errno or 0) if exc.errno else "") or str(exc)


def check_out(
    path: str | os.PathLike,
    force: bool = False,
    option: str = "--out",
    allow: Sequence[str] = (),
) -> Path:
    """Check that ``path`` can receive results, before any simulation.

    The folder is created if missing and a probe file is written and removed. An existing folder
    that holds anything other than hidden files (or the names in ``allow``) is refused unless
    ``force``. Raises :class:`~willsim.experiments.SpecError` with a one-line message.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise SpecError(f"{option} {out} is a file, not a folder; choose a folder path")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".willsim-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise SpecError(f"cannot write to {option} {out}: {_reason(exc)}") from None
    if not force:
        present = sorted(
            p.name for p in out.iterdir() if not p.name.startswith(".") and p.name not in allow
        )
        if present:
            shown = ", ".join(present[:4]) + (", …" if len(present) > 4 else "")
            raise SpecError(
                f"{option} {out} already holds {len(present)} file(s) ({shown}); "
                "add --force to replace willsim's files there, or choose another folder"
            )
    return out


@contextlib.contextmanager
def output_folder(
    path: str | os.PathLike | None, force: bool = False, option: str = "--out"
) -> Iterator[Path | None]:
    """:func:`check_out` around a block; a folder this call created is removed again if the
    block fails before writing anything into it (an interrupted run leaves nothing behind)."""
    if path is None:
        yield None
        return
    created = not Path(path).exists()
    out = check_out(path, force=force, option=option)
    try:
        yield out
    except BaseException:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        raise


@dataclass
class RunRecord:
    """Everything kept from one finished run, so the model itself can be released."""

    seed: int
    summary: dict[str, float]
    timeseries: pd.DataFrame
    groups: pd.DataFrame
    manifest: dict[str, Any]


def record(model: WelfareModel) -> RunRecord:
    """Extract the results of a finished run."""
    from willsim.results import group_summary, summary, timeseries

    return RunRecord(
        seed=int(model.params["run.seed"]),
        summary=summary(model),
        timeseries=timeseries(model),
        groups=group_summary(model),
        manifest=manifest(model),
    )


def policy_log(model: WelfareModel) -> list[dict[str, Any]]:
    """The policy changes of a run (week, policy, action, values...) as plain records."""
    frame = model.policies.to_frame()
    return json.loads(frame.to_json(orient="records", default_handler=str))


def manifest(model: WelfareModel) -> dict[str, Any]:
    """Provenance of a run: versions, source digest, the input scenario (with its hash), the
    policies that acted and when, the seed and the population."""
    scenario = model.scenario.to_dict()
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **provenance(),
        "scenario": scenario["name"],
        "scenario_hash": scenario["hash"],
        "scenario_path": scenario["path"],
        "city": scenario["city"],
        "seed": int(model.params["run.seed"]),
        "weeks": model.weeks,
        "residents_simulated": model.citizens.n,
        "population_mode": model.population_mode,
        "weight": model.citizens.weight,
        "params": scenario["params"],
        "provenance": scenario["provenance"],
        "policies": scenario["policies"],
        "policy_log": policy_log(model),
        "city_sources": model.scenario.city_sources,
    }


def _meta(rec: RunRecord) -> dict[str, Any]:
    keys = ("source_digest", "willsim_version", "git_commit", "git_dirty", "scenario_hash", "city")
    return {k: rec.manifest.get(k) for k in keys}


def save_runs(records: Sequence[RunRecord], out: str | os.PathLike) -> Path:
    """Write replicates of one scenario to ``out`` (check it first with :func:`check_out`).

    Files: ``timeseries.parquet`` (provenance and seeds in its metadata), ``summary.csv``,
    ``groups.csv``, ``manifest.json``; each written to a temporary name and renamed.
    """
    import pyarrow.parquet as pq

    out = Path(out)
    series, summaries, groups = [], [], []
    for replicate, rec in enumerate(records):
        ts = rec.timeseries.copy()
        ts.insert(0, "seed", rec.seed)
        ts.insert(0, "replicate", replicate)
        series.append(ts)
        summaries.append({"replicate": replicate, "seed": rec.seed, **rec.summary})
        gs = rec.groups.copy()
        gs.insert(0, "seed", rec.seed)
        gs.insert(0, "replicate", replicate)
        groups.append(gs)
    seeds = [r.seed for r in records]
    ts_all = pd.concat(series, ignore_index=True)
    for name in ("indicator", "group_var", "group"):
        ts_all[name] = ts_all[name].astype("category")
    table = parquet_table(ts_all, {**_meta(records[0]), "seeds": seeds})
    atomic_write(out / "timeseries.parquet", lambda p: pq.write_table(table, p))
    write_text(out / "summary.csv", pd.DataFrame(summaries).to_csv(index=False))
    write_text(out / "groups.csv", pd.concat(groups, ignore_index=True).to_csv(index=False))
    meta = {**records[0].manifest, "seeds": seeds}
    meta.pop("seed", None)
    meta["policy_log"] = [
        {"seed": r.seed, "changes": r.manifest.get("policy_log", [])} for r in records
    ]
    write_text(out / "manifest.json", json.dumps(meta, indent=2, default=str))
    return out
