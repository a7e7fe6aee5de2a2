"""Do two versions of willsim give the same results in distribution? A statistical check.

Runs the same scenarios and seeds on a reference commit and on a new one (each checked out in a
temporary ``git worktree``; by default the new one is the working tree), side by side (two
processes at a time), and compares every
indicator's end-of-run mean over the seeds: the difference against its standard error
``sqrt(se_ref**2 + se_new**2)``. With independent noise about 95% of indicators land within 2
standard errors; a change of code that should not move results in distribution must do at least
that. Runs whose summaries are identical are counted too (a change that keeps every draw)::

    python benchmarks/compare_commits.py --ref 96dace3            # working tree vs a commit
    python benchmarks/compare_commits.py --ref main --new HEAD --seeds 30 --residents 20000

The table lists, per scenario, how many indicators were compared, how many lie within 2 SE, the
largest |z| and how many runs were bit-identical; ``--details`` prints every indicator.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = (
    "baseline",
    "on-demand-centralised",
    "on-demand-platform",
    "proactive-centralised",
    "proactive-platform",
)
CHILD = """
import json, sys
from willsim import WelfareModel
from willsim.results import summary
scenario, seeds, residents, weeks = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), \\
    int(sys.argv[4])
out = []
for seed in seeds:
    model = WelfareModel(scenario, seed=seed, params={"city.population": residents,
        "run.residents": 0, "run.weeks": weeks, "run.mesa_citizens": False})
    model.run()
    out.append({k: (None if v != v else v) for k, v in summary(model).items()})
    model.release()
print(json.dumps(out))
"""


def run(tree: Path, scenario: str, seeds: list[int], residents: int, weeks: int) -> list[dict]:
    """Summaries of ``scenario`` for ``seeds`` with the willsim of ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    args = [sys.executable, "-c", CHILD, scenario, json.dumps(seeds), str(residents), str(weeks)]
    done = subprocess.run(args, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{tree} {scenario}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mean_se(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else math.nan
    return mean, math.sqrt(var / n)


def compare(ref: list[dict], new: list[dict]) -> list[dict]:
    """Per indicator: means, standard error of the difference, z (NaN-free seeds only)."""
    rows = []
    for key in ref[0]:
        pairs = [(a[key], b.get(key)) for a, b in zip(ref, new, strict=True)]
        a = [x for x, y in pairs if x is not None and y is not None]
        b = [y for x, y in pairs if x is not None and y is not None]
        if len(a) < 2:
            continue
        (ma, sa), (mb, sb) = _mean_se(a), _mean_se(b)
        se = math.hypot(sa, sb)
        z = 0.0 if ma == mb else (mb - ma) / se if se > 0 else math.inf
        rows.append({"indicator": key, "ref": ma, "new": mb, "se": se, "z": z})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ref", required=True, help="the reference commit (e.g. main, a hash)")
    ap.add_argument("--new", help="the new commit (default: the working tree as it is)")
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--seeds", type=int, default=20, help="seeds per scenario (default 20)")
    ap.add_argument("--residents", type=int, default=10_000)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--details", action="store_true", help="print every indicator")
    args = ap.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"ref": args.ref, "new": args.new}
        paths = {}
        for role, commit in trees.items():
            if commit is None:
                paths[role] = ROOT
                continue
            paths[role] = Path(tmp) / role
            add = ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q"]
            subprocess.run([*add, str(paths[role]), commit], check=True)
        try:
            jobs = [(paths[role], sc) for sc in args.scenarios for role in ("ref", "new")]
            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(
                    pool.map(lambda j: run(j[0], j[1], seeds, args.residents, args.weeks), jobs)
                )
        finally:
            for role, commit in trees.items():
                if commit is not None:
                    remove = ["git", "-C", str(ROOT), "worktree", "remove", "--force"]
                    subprocess.run([*remove, str(paths[role])], check=False)
    print(
        f"{args.ref} vs {args.new or 'working tree'}: {args.seeds} seeds, "
        f"{args.residents:,} residents x {args.weeks} weeks"
    )
    print("scenario | indicators | within 2 SE | largest |z| | identical runs")
    total = within_all = 0
    for k, scenario in enumerate(args.scenarios):
        ref, new = results[2 * k], results[2 * k + 1]
        rows = compare(ref, new)
        within = sum(1 for r in rows if abs(r["z"]) <= 2)
        identical = sum(1 for a, b in zip(ref, new, strict=True) if a == b)
        largest = max((abs(r["z"]) for r in rows), default=0.0)
        total += len(rows)
        within_all += within
        print(f"{scenario} | {len(rows)} | {within} | {largest:.2f} | {identical}/{len(ref)}")
        if args.details:
            for r in rows:
                print(f"  {r['indicator']}: {r['ref']:.6g} -> {r['new']:.6g} (z {r['z']:+.2f})")
    print(f"all | {total} | {within_all} ({within_all / max(total, 1):.1%}) | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
