"""One run, as every experiment executes it: build, step (cancellable), turn into tidy rows.

* :func:`run_model` — the model of a scenario and seed, run to the end; ``should_stop`` is asked
  every few weeks and :class:`~willsim.experiments.engines.Cancelled` ends the run early;
* :func:`tidy_rows` — a finished run as tidy rows ``kind, week, group_var, group, indicator,
  value`` (``kind``: ``summary`` end-of-run figure, ``week`` weekly value, ``group`` end-of-run
  figure of one citizen group; ``week`` is -1 for end-of-run figures);
* :func:`check_source` — a worker refuses a run made for another model version (a Dask worker
  with other code would otherwise mix versions silently);
* :func:`run_meta` — what a run file records of the worker that made it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from willsim.experiments.engines import Cancelled

if TYPE_CHECKING:
    from willsim.model import WelfareModel
    from willsim.scenario import Scenario

ROW_COLUMNS = ("kind", "week", "group_var", "group", "indicator", "value")
CHECK_EVERY = 13  # weeks between two looks at ``should_stop``


class SourceMismatch(RuntimeError):
    """A worker runs other model code than the driver that planned the run."""


def check_source(expected: str | None) -> None:
    """Raise :class:`SourceMismatch` if this process's source digest is not ``expected``."""
    if expected is None:
        return
    from willsim.experiments.provenance import source_digest

    here = source_digest()
    if here != expected:
        raise SourceMismatch(
            f"this worker runs model source {here}, the run was planned for {expected}: "
            "install the same willsim on every worker"
        )


def run_model(
    scenario: Scenario,
    seed: int,
    should_stop: Callable[[], bool] | None = None,
    every: int = CHECK_EVERY,
) -> WelfareModel:
    """Build and run ``scenario`` with ``seed``; the caller releases the model."""
    from willsim.model import WelfareModel

    model = WelfareModel(scenario, seed=seed)
    try:
        while model.running and model.week < model.weeks:
            model.step()
            if should_stop is not None and model.week % every == 0 and should_stop():
                raise Cancelled
    except BaseException:
        model.release()
        raise
    return model


def tidy_rows(
    model: WelfareModel,
    outputs: Sequence[str] | None = None,
    weekly: Sequence[str] = (),
    groups: Sequence[str] | bool = True,
) -> pd.DataFrame:
    """Tidy rows of a finished run.

    ``outputs``: end-of-run indicators (default every indicator); ``weekly``: indicators whose
    weekly city-level series is kept; ``groups``: by-group indicators kept (True: every one of
    ``outputs`` that has groups; False: none).
    """
    from willsim.indicators import INDICATORS
    from willsim.results import group_summary, summary, wide

    summ = summary(model)
    keys = list(summ) if outputs is None else list(outputs)
    frames = [
        pd.DataFrame(
            {
                "kind": "summary",
                "week": -1,
                "group_var": "all",
                "group": "all",
                "indicator": keys,
                "value": [summ[k] for k in keys],
            }
        )
    ]
    if weekly:
        series = wide(model)[list(weekly)]
        long = series.reset_index().melt(id_vars="week", var_name="indicator")
        frames.append(long.assign(kind="week", group_var="all", group="all"))
    if groups is not False:
        wanted = (
            [k for k in keys if k in INDICATORS and INDICATORS[k].by_group]
            if groups is True
            else list(groups)
        )
        if wanted:
            gs = group_summary(model)
            frames.append(gs[gs["indicator"].isin(wanted)].assign(kind="group", week=-1))
    rows = pd.concat(frames, ignore_index=True)[list(ROW_COLUMNS)]
    rows["week"] = rows["week"].astype("int32")
    rows["value"] = rows["value"].astype("float64")
    for col in ("kind", "group_var", "group", "indicator"):
        rows[col] = rows[col].astype(str)
    return rows


def run_meta(scenario: Scenario, seed: int) -> dict[str, Any]:
    """Provenance of one run as the worker saw it (stored in the run file's metadata)."""
    from willsim.experiments.provenance import provenance

    prov = provenance()
    return {
        "seed": int(seed),
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        **{k: prov[k] for k in ("source_digest", "willsim_version", "git_commit", "git_dirty")},
        "host": prov["host"],
    }
