"""Memory across ``mesa.batch_run`` runs: does each finished model stay in memory?

Runs ``mesa.batch_run(WelfareModel, ...)`` once per seed in one process and prints the resident
set size after each run (after ``gc.collect()``); a flat line means finished models are freed,
a rising one that each run leaks a model::

    python benchmarks/bench_batch_memory.py --runs 5 --residents 50000
    PYTHONPATH=/path/to/other/checkout python benchmarks/bench_batch_memory.py  # another version
"""

from __future__ import annotations

import argparse
import gc
import os
import sys


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--residents", type=int, default=50_000)
    ap.add_argument("--weeks", type=int, default=5)
    ap.add_argument("--mesa-citizens", choices=("default", "yes", "no"), default="default")
    args = ap.parse_args(argv)
    import mesa

    from willsim import WelfareModel

    params = {"city__population": [args.residents], "run__weeks": [args.weeks]}
    if args.mesa_citizens != "default":
        params["run__mesa_citizens"] = [args.mesa_citizens == "yes"]
    gc.collect()
    sizes = [rss_mib()]
    for seed in range(1, args.runs + 1):
        mesa.batch_run(
            WelfareModel,
            parameters={**params, "seed": [seed]},
            iterations=1,
            max_steps=args.weeks,
            number_processes=1,
            data_collection_period=-1,
            display_progress=False,
        )
        gc.collect()
        sizes.append(rss_mib())
    growth = (sizes[-1] - sizes[1]) / max(args.runs - 1, 1)
    print(
        f"RSS MiB before and after each run: {' '.join(f'{s:.0f}' for s in sizes)}; "
        f"growth per run after the first: {growth:+.1f} MiB",
        file=sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
