"""Digest every bundled scenario's results, to check that a speed change is bit-identical.

Runs each scenario of :func:`willsim.scenario.available_scenarios` at 10,000 residents x 52 weeks
with two seeds, plus the baseline at its default size for 26 weeks, and hashes the weekly
indicator series (``collector.overall``), the by-group quantity sums (``collector.groups``),
Mesa's DataCollector table and the end-of-run summary of each run::

    python benchmarks/check_identical.py --write before.json   # on the tree before a change
    python benchmarks/check_identical.py --compare before.json # after it: exit 1 on a difference

``--scenarios a b`` limits the runs (a quick check while working); the full check takes a few
minutes on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import numpy as np

SEEDS = (1, 2)
SMALL = {"city.population": 10_000, "run.residents": 0, "run.weeks": 52}
DEFAULT_SIZE_WEEKS = 26


def _hash(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:20]


def digest(scenario: str, seed: int, params: dict) -> dict[str, str]:
    """Hashes of one run's weekly series, group sums, DataCollector table and summary."""
    from willsim import WelfareModel
    from willsim.results import summary

    model = WelfareModel(scenario, seed=seed, params=params).run()
    col = model.collector
    weeks = col.weeks_recorded
    table = model.datacollector.get_model_vars_dataframe()
    summ = summary(model)
    out = {
        "weeks": str(weeks),
        "overall": _hash(col.overall[:weeks]),
        "groups": _hash(col.groups[:weeks]),
        "datacollector": _hash(table.to_numpy(dtype=float)) + ":" + ",".join(table.columns),
        "summary": hashlib.sha256(
            json.dumps({k: repr(float(v)) for k, v in summ.items()}, sort_keys=True).encode()
        ).hexdigest()[:20],
    }
    model.release()
    return out


def run_all(scenarios: list[str] | None) -> dict[str, dict[str, str]]:
    """Digest of every run, keyed ``scenario@seed`` (``baseline@default`` for the big one)."""
    from willsim.scenario import available_scenarios

    names = scenarios or list(available_scenarios())
    results = {}
    for name in names:
        for seed in SEEDS:
            t0 = time.process_time()
            results[f"{name}@{seed}"] = digest(name, seed, SMALL)
            print(f"{name}@{seed}: {time.process_time() - t0:.1f} cpu s", file=sys.stderr)
    if scenarios is None or "baseline" in scenarios:
        t0 = time.process_time()
        results["baseline@default"] = digest("baseline", 1, {"run.weeks": DEFAULT_SIZE_WEEKS})
        print(f"baseline@default: {time.process_time() - t0:.1f} cpu s", file=sys.stderr)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="FILE", help="write the digests to FILE (JSON)")
    mode.add_argument("--compare", metavar="FILE", help="compare with digests written before")
    ap.add_argument("--scenarios", nargs="+", help="only these scenarios (default: all)")
    args = ap.parse_args(argv)
    results = run_all(args.scenarios)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1, sort_keys=True)
        print(f"{len(results)} runs digested into {args.write}")
        return 0
    with open(args.compare, encoding="utf-8") as f:
        before = json.load(f)
    differ = [k for k, v in results.items() if before.get(k) != v]
    missing = [k for k in results if k not in before]
    for key in differ:
        print(
            f"DIFFERENT {key}: "
            + ", ".join(
                part for part in results[key] if before.get(key, {}).get(part) != results[key][part]
            )
        )
    print(
        f"{len(results) - len(differ)} of {len(results)} runs identical"
        + (f" ({len(missing)} not in {args.compare})" if missing else "")
    )
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
