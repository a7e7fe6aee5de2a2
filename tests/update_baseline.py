"""Refresh the regression baseline (tests/baseline.json). Run on purpose only: `make baseline`.

The baseline covers the four corners of the welfare regime (on demand or proactive,
centralised or with platforms: every mechanism on in one of them) and a scenario whose policy
starts during the run and is still active at its end (``budget-cut``, from week 52), each at
20,000 residents for 104 weeks with a fixed seed. A change that moves the baseline must say so
in CHANGELOG.md ("Changed results") and in its commit message.
"""

from __future__ import annotations

import json
from pathlib import Path

from willsim import WelfareModel
from willsim.results import summary

BASELINE = Path(__file__).with_name("baseline.json")
SIZE = {"seed": 2024, "run__weeks": 104, "city__population": 20000, "run__mesa_citizens": False}
RUNS: dict[str, dict] = {
    name: {"scenario": name, **SIZE}
    for name in (
        "on-demand-centralised",
        "on-demand-platform",
        "proactive-centralised",
        "proactive-platform",
        "budget-cut",  # timed policy: a 20% budget cut from week 52 to the end
    )
}


def compute(name: str) -> dict[str, float | None]:
    """End-of-run summary of one baseline run (NaN as None)."""
    model = WelfareModel(**RUNS[name])
    model.run()
    result = summary(model)
    model.release()
    return {k: (None if v != v else v) for k, v in result.items()}


def main() -> None:
    data = {name: {"config": config, "summary": compute(name)} for name, config in RUNS.items()}
    BASELINE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
