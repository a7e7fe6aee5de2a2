"""Export what is on screen: CSV and Parquet of the data shown, PNG and SVG of the charts, and
the scenario files plus the command line that reproduce it (``willsim run`` / ``willsim compare``).

Pure functions returning bytes or text (no solara), so they are unit-tested directly."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from willsim.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def frame_csv(frame: pd.DataFrame, index_name: str | None = "week") -> bytes:
    """CSV bytes of ``frame`` (language-neutral keys as columns, '.' decimals)."""
    out = frame.reset_index() if index_name and frame.index.name == index_name else frame
    return out.to_csv(index=False).encode("utf-8")


def file_stem(scenario: Scenario) -> str:
    """A safe file-name stem for a scenario, e.g. ``willsim-baseline-bergamo``."""
    stem = f"willsim-{scenario.name}-{scenario.city}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem)


def scenario_file(scenario: Scenario) -> str:
    """A standalone TOML scenario file that reproduces ``scenario`` exactly (seed included)."""
    text = scenario.to_toml()
    header = (
        f"# Written by the willsim app. Scenario hash {scenario.hash}.\n"
        f"# Reproduce with: {command_line(scenario)}\n"
    )
    return header + text


def command_line(scenario: Scenario, replicates: int = 1) -> str:
    """The ``willsim run`` command that reproduces ``scenario`` from its saved file."""
    args = ["willsim", "run", f"{file_stem(scenario)}.toml"]
    if replicates > 1:
        args += ["--replicates", str(replicates)]
    args += ["--out", f"runs/{file_stem(scenario)}"]
    return shlex.join(args)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet bytes of ``frame`` (the index is dropped; object columns become strings)."""
    import io

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    out.columns = [str(c) for c in out.columns]
    buf = io.BytesIO()
    out.to_parquet(buf, index=False)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV bytes of a table as shown (no index, '.' decimals, UTF-8)."""
    return frame.to_csv(index=False).encode("utf-8")


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 120) -> bytes:
    """A matplotlib figure as PNG or SVG bytes (fonts as paths in SVG: no external fonts)."""
    import io

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format {fmt!r}; valid formats: png, svg")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def comparison_command(
    scenarios: Sequence[Scenario], replicates: int, stems: Sequence[str] | None = None
) -> str:
    """The ``willsim compare`` command that reproduces a comparison from its scenario files
    (same strategies, replicates and root seed, so the same common seeds)."""
    stems = list(stems or strategy_stems(scenarios))
    args = [
        "willsim",
        "compare",
        *[f"{s}.toml" for s in stems],
        "--replicates",
        str(max(int(replicates), 2)),
    ]
    if scenarios:
        args += ["--seed", str(int(scenarios[0].params["run.seed"]))]
    return shlex.join(args)


def strategy_stems(scenarios: Sequence[Scenario]) -> list[str]:
    """Distinct file stems for the scenario files of a comparison's strategies."""
    return [f"{i + 1}-{file_stem(sc)}" for i, sc in enumerate(scenarios)]
