"""Export what is on screen: CSV of the data shown, and a scenario file plus the command line
that reproduce it with ``willsim run``."""

from __future__ import annotations

import re
import shlex

import pandas as pd

from willsim.scenario import Scenario


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
    header = (f"# Written by the willsim app. Scenario hash {scenario.hash}.\n"
              f"# Reproduce with: {command_line(scenario)}\n")
    return header + text


def command_line(scenario: Scenario, replicates: int = 1) -> str:
    """The ``willsim run`` command that reproduces ``scenario`` from its saved file."""
    args = ["willsim", "run", f"{file_stem(scenario)}.toml"]
    if replicates > 1:
        args += ["--replicates", str(replicates)]
    args += ["--out", f"runs/{file_stem(scenario)}"]
    return shlex.join(args)
