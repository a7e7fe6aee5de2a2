"""A small sweep designed on the Results page, written as ``willsim sweep`` would write it.

The form (:class:`SweepForm`) names a base scenario and city, a grid (``factorial``) or a Latin
hypercube (``lhs``) over one to four parameters of the registry, replicates, weeks and residents,
within the app's caps (:data:`LIMITS`, :data:`MAX_RUNS`). :func:`write_spec` turns it into two
files in a new sweep folder, ``base.toml`` (the scenario in its city, complete) and
``spec.toml`` (the sweep spec, whose base scenario is ``base.toml``), and creates the store with
:func:`willsim.experiments.sweep.prepare`; :func:`run` runs it with
:func:`willsim.experiments.sweep.run_sweep` on the local engine. The folder is an ordinary sweep
folder, so ``willsim sweep DIR/spec.toml --out DIR --resume`` resumes (or completes) it and
``willsim results DIR`` summarises it. Nothing here imports solara.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from willsim.experiments import SpecError
from willsim.params import PARAMETERS

MAX_RUNS = int(os.environ.get("WILLSIM_APP_MAX_SWEEP_RUNS", "200"))
"""The most runs a sweep launched from the browser may have."""
MAX_FACTORS = 4
LIMITS: dict[str, tuple[int, int]] = {
    "replicates": (1, 20),
    "weeks": (1, 520),
    "residents": (100, 20_000),
    "samples": (2, 100),
    "steps": (2, 5),
}
"""The smallest and largest value of each number of the form."""
SPEC_FILE, BASE_FILE = "spec.toml", "base.toml"
DEFAULT_OUTPUTS = (
    "unmet_need_share",
    "mean_wait_weeks",
    "coverage",
    "crises_per_1000",
    "public_spending_eur",
)


class FormError(ValueError):
    """The form cannot make a sweep; ``key`` and ``fmt`` give the message in any language."""

    def __init__(self, key: str, /, **fmt: Any) -> None:
        from willsim.reporting.i18n import text

        self.key, self.fmt = key, fmt
        super().__init__(text(key, "en", **fmt))


def sweepable(key: str) -> bool:
    """A parameter a sweep of the app may vary: a single bounded number."""
    p = PARAMETERS[key]
    return (
        p.length is None
        and not p.choices
        and isinstance(p.default, (int, float))
        and not isinstance(p.default, bool)
        and p.low is not None
        and p.high is not None
        and not key.startswith("run.")
        and abs(p.high) < 1e9
    )


def default_range(key: str) -> tuple[float, float]:
    """A first range for ``key``: its default halved and raised by half (shares by a quarter
    either way), within the registry's range."""
    p = PARAMETERS[key]
    d = float(p.default)
    lo_bound, hi_bound = float(p.low), float(p.high)  # type: ignore[arg-type]
    if p.unit in ("share", "score") and hi_bound <= 1:
        lo, hi = d - 0.25, d + 0.25
    elif d == 0:
        lo, hi = lo_bound, lo_bound + (hi_bound - lo_bound) / 10
    else:
        lo, hi = d * 0.5, d * 1.5
    lo, hi = max(lo, lo_bound), min(hi, hi_bound)
    if isinstance(p.default, int):
        lo, hi = math.floor(lo), math.ceil(hi)
    return round(lo, 6), round(hi, 6)


@dataclass(frozen=True)
class Factor:
    """One varied parameter: its range and, for a grid, its number of levels."""

    key: str
    low: float
    high: float
    steps: int = 3

    @classmethod
    def of(cls, key: str) -> Factor:
        return cls(key, *default_range(key))


@dataclass(frozen=True)
class SweepForm:
    """What the researcher chose on the Results page."""

    name: str = "app-sweep"
    scenario: str = "baseline"
    city: str | None = None
    design: str = "lhs"
    factors: tuple[Factor, ...] = field(
        default_factory=lambda: (
            Factor("helpseeking.awareness", 0.4, 0.95),
            Factor("office.assessment_hours", 1.5, 5.0),
        )
    )
    samples: int = 10
    replicates: int = 2
    weeks: int = 52
    residents: int = 2000
    seed: int = 20261207

    @property
    def points(self) -> int:
        if self.design == "factorial":
            return math.prod(f.steps for f in self.factors) if self.factors else 0
        return self.samples

    @property
    def runs(self) -> int:
        return self.points * self.replicates

    def with_factor(self, i: int, **changes: Any) -> SweepForm:
        fs = list(self.factors)
        fs[i] = replace(fs[i], **changes)
        return replace(self, factors=tuple(fs))


def check(form: SweepForm, max_runs: int = MAX_RUNS) -> None:
    """Raise :class:`FormError` naming the first problem of ``form``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", form.name):
        raise FormError("sw_bad_name", name=form.name)
    if form.design not in ("factorial", "lhs"):
        raise FormError("sw_bad_design", design=form.design)
    if not 1 <= len(form.factors) <= MAX_FACTORS:
        raise FormError("sw_factor_count", n=MAX_FACTORS)
    keys = [f.key for f in form.factors]
    if len(set(keys)) < len(keys):
        raise FormError("sw_factor_twice")
    for f in form.factors:
        if f.key not in PARAMETERS or not sweepable(f.key):
            raise FormError("sw_bad_factor", key=f.key)
        p = PARAMETERS[f.key]
        if not (math.isfinite(f.low) and math.isfinite(f.high)) or not f.low < f.high:
            raise FormError("sw_bad_range", key=f.key)
        if f.low < p.low or f.high > p.high:  # type: ignore[operator]
            raise FormError("sw_out_of_range", key=f.key, low=f"{p.low:g}", high=f"{p.high:g}")
    numbers = {
        "replicates": form.replicates,
        "weeks": form.weeks,
        "residents": form.residents,
        "samples": form.samples,
    }
    checks = [*numbers.items(), *(("steps", f.steps) for f in form.factors)]
    for name, v in checks:
        lo, hi = LIMITS[name]
        if not lo <= v <= hi:
            raise FormError(f"res_sweep_limit_{name}", low=lo, high=hi)
    if form.runs > max_runs:
        raise FormError("sw_too_many", runs=form.runs, cap=max_runs)


def spec_data(form: SweepForm) -> dict[str, Any]:
    """The sweep spec of ``form`` as the tables of a spec file (base scenario: ``base.toml``)."""
    vary: dict[str, Any] = {}
    for f in form.factors:
        integer = isinstance(PARAMETERS[f.key].default, int)
        low, high = (int(f.low), int(f.high)) if integer else (float(f.low), float(f.high))
        table: dict[str, Any] = {"range": [low, high]}
        if form.design == "factorial":
            table["steps"] = int(f.steps)
        vary[f.key] = table
    sweep: dict[str, Any] = {
        "name": form.name,
        "description": "designed on the Results page of the willsim app",
        "scenario": BASE_FILE,
        "design": form.design,
        "replicates": int(form.replicates),
        "seed": int(form.seed),
        "outputs": list(DEFAULT_OUTPUTS),
        "timeseries": True,
    }
    if form.design == "lhs":
        sweep["samples"] = int(form.samples)
    return {
        "sweep": sweep,
        "fixed": {
            "run.weeks": int(form.weeks),
            "run.residents": int(form.residents),
            "run.mesa_citizens": False,
        },
        "vary": vary,
    }


def base_text(form: SweepForm, resolve: Callable[[str, str | None], Any]) -> str:
    """The base scenario file: ``resolve(scenario, city)`` (a loaded scenario) written whole."""
    from willsim.app.export import scenario_file

    return scenario_file(resolve(form.scenario, form.city))


def folder_for(root: Path, text: str) -> Path:
    """The new sweep folder named by ``text`` under ``root``: it must lie inside ``root`` and
    not exist yet (or be empty)."""
    root = root.resolve()
    path = Path(text.strip() or ".").expanduser()
    path = (path if path.is_absolute() else root / path).resolve()
    if not path.is_relative_to(root) or path == root:
        raise FormError("sw_outside", path=text, root=str(root))
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise FormError("sw_exists", path=text)
    return path


def write_spec(form: SweepForm, folder: Path, base: str) -> Any:
    """Create the sweep folder of ``form``: the store (design and manifest, by
    :func:`willsim.experiments.sweep.prepare`), then ``base.toml`` and ``spec.toml`` beside it.
    Returns the loaded :class:`~willsim.experiments.design.SweepSpec`."""
    from willsim.experiments.design import load_spec
    from willsim.experiments.sweep import prepare
    from willsim.fileio import toml_dumps, write_text

    check(form)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        write_text(staging / BASE_FILE, base)
        write_text(staging / SPEC_FILE, toml_dumps(spec_data(form)))
        spec = load_spec(staging / SPEC_FILE)
        prepare(spec, folder)
        for name in (BASE_FILE, SPEC_FILE):
            shutil.move(str(staging / name), str(folder / name))
    except SpecError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_spec(folder / SPEC_FILE)


def run(
    folder: Path,
    on_run: Callable[[int, int], Any] | None = None,
    cancel: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> Any:
    """Run (or resume) the sweep of ``folder`` on the local engine; returns the report."""
    from willsim.experiments.sweep import run_sweep

    return run_sweep(
        folder / SPEC_FILE,
        folder,
        engine="local",
        workers=workers,
        resume=True,
        progress=False,
        on_run=on_run,
        cancel=cancel,
    )


def commands(folder: Path, root: Path) -> str:
    """The commands that resume and summarise the sweep of ``folder`` from the command line."""
    import shlex

    rel = folder.relative_to(root) if folder.is_relative_to(root) else folder
    return "\n".join(
        [
            shlex.join(["willsim", "sweep", str(rel / SPEC_FILE), "--out", str(rel), "--resume"]),
            shlex.join(["willsim", "results", str(rel)]),
        ]
    )


def form_from(values: Mapping[str, Any], form: SweepForm) -> SweepForm:
    """``form`` with ``values`` (field name -> value) replaced."""
    return replace(form, **values)
