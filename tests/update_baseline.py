"""Refresh the regression baseline (tests/baseline.json). Run on purpose only: `make baseline`.

A change that moves the baseline must say so in its commit message ("Changed results").
"""

from __future__ import annotations

import json
from pathlib import Path

from willsim import WelfareModel
from willsim.results import summary

BASELINE = Path(__file__).with_name("baseline.json")
CONFIG = {"scenario": "baseline", "seed": 2024, "run__weeks": 104, "city__population": 20000}


def compute() -> dict[str, float | None]:
    model = WelfareModel(**CONFIG)
    model.run()
    result = summary(model)
    model.release()
    return {k: (None if v != v else v) for k, v in result.items()}


def main() -> None:
    data = {"config": CONFIG, "summary": compute()}
    BASELINE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
