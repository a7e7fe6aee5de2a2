"""Engine throughput: build time, run time, agent-steps per second and memory by population size.

Every size (and each Citizen-agent mode) runs in a fresh Python process, which builds
``--reps`` models one after the other (seed = repetition number), runs each for ``--weeks`` weeks
with every mechanism of the engine on (the baseline scenario, population overridden, one agent
per resident) and reports per repetition:

* ``build_s``: ``WelfareModel(...)`` construction, wall seconds (the burn-in included: its
  ``run.burn_in_weeks`` weeks are simulated inside construction; ``burn_in_s`` of them);
* ``run_s``: ``model.run()`` for all reported weeks, wall seconds (construction not included);
* ``agent_steps_per_s`` = residents x (weeks + burn-in weeks) / (``run_s`` + ``burn_in_s``):
  burn-in weeks count as steps; ``ms_per_week`` = 1000 ``run_s`` / weeks; ``--burn-in N``
  sets the burn-in (``--burn-in 0``: reported weeks only);
* ``cpu_over_wall``: process CPU seconds / wall seconds of the run (< 0.9 flags a repetition
  slowed by other processes; hypervisor steal is invisible to it).

The table shows the median over repetitions and the [min-max] range. Memory: the peak RSS of
the whole child process (``os.wait4``, i.e. what ``/usr/bin/time`` reports) and, unless
``--no-trace``, the bytes ``tracemalloc`` sees allocated per resident by building one model
(measured in another fresh process, as tracing slows everything down). ``--phases`` adds the
wall time of each weekly phase (mechanisms and the collector).

``--scenarios NAME ...`` runs bundled scenarios instead of the baseline (population overridden);
``--corners`` runs the four corners of the welfare regime (on demand or proactive, centralised or
with platforms) at 100k residents x 260 weeks, with Citizen agents and per-phase times, unless
``--sizes``/``--weeks``/``--mesa-citizens`` say otherwise.

Examples::

    python benchmarks/bench_engine.py                       # 10k, 100k, 1M x 260 weeks, 3 reps
    python benchmarks/bench_engine.py --sizes 100000 --weeks 52 --reps 5 --phases
    python benchmarks/bench_engine.py --json > bench.jsonl  # JSON lines on stdout, table on stderr
    python benchmarks/bench_engine.py --corners --no-trace  # the four corners, per-phase times
    python benchmarks/bench_engine.py --corners --ref a1294ce --reps 2  # A/B against a commit

``--ref COMMIT`` checks that commit out in a temporary ``git worktree`` and measures it and the
working tree one after the other for every configuration (before, after, before, after...), so
both see the same machine load; each row is labelled with its version.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
# Targets: (residents, weeks) -> max run seconds; and minimum agent-steps/s at 100k residents.
RUN_TARGETS = {(100_000, 260): 5.0, (1_000_000, 260): 60.0}
RATE_TARGET = (100_000, 10e6)
CORNERS = (
    "on-demand-centralised",
    "on-demand-platform",
    "proactive-centralised",
    "proactive-platform",
)
BASELINE = "baseline"
BURN_IN_ENV = "WILLSIM_BENCH_BURN_IN"
"""Set by ``--burn-in`` for the child processes: the burn-in weeks of every model built."""


# --------------------------------------------------------------------------- child process


def _build(n: int, weeks: int, seed: int, mesa_citizens: bool, scenario: str = BASELINE):
    import willsim

    burn_in = os.environ.get(BURN_IN_ENV)
    extra = {} if burn_in is None else {"run__burn_in_weeks": int(burn_in)}
    return willsim.WelfareModel(
        scenario,
        seed=seed,
        run__weeks=weeks,
        city__population=n,
        run__residents=0,
        run__mesa_citizens=mesa_citizens,
        **extra,
    )


def _instrument(model) -> tuple[dict[str, float], dict[str, float]]:
    """Wrap each phase's ``step`` and the collector so their wall and CPU times add up."""
    try:
        from willsim.phases import phase_names
    except ImportError:  # a version before the declared list of phases
        from willsim.model import PHASES as names_before

        def phase_names() -> tuple[str, ...]:
            return tuple(names_before)

    phases = phase_names()
    names = (*phases, "collector")
    spent, spent_cpu = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    clock, cpu_clock = time.perf_counter, time.process_time

    def timed(name: str, func):
        def wrapper(*args, **kwargs):
            start, cpu_start = clock(), cpu_clock()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += clock() - start
                spent_cpu[name] += cpu_clock() - cpu_start

        return wrapper

    for phase in phases:
        mechanism = getattr(model, phase)
        mechanism.step = timed(phase, mechanism.step)
    model.collector.collect = timed("collector", model.collector.collect)
    return spent, spent_cpu


def child_timing(
    n: int, weeks: int, reps: int, mesa_citizens: bool, phases: bool, scenario: str = BASELINE
) -> dict:
    """Build and run ``reps`` models of ``n`` residents of ``scenario``; one dict of results."""
    warm = _build(2_000, 3, 0, mesa_citizens, scenario)  # imports, first-call caches
    warm.run()
    warm.release()
    del warm
    gc.collect()
    base_rss = _current_rss_mib()
    runs = []
    for rep in range(reps):
        t0 = time.perf_counter()
        model = _build(n, weeks, rep + 1, mesa_citizens, scenario)
        t1 = time.perf_counter()
        spent, spent_cpu = _instrument(model) if phases else (None, None)
        c0 = time.process_time()
        t2 = time.perf_counter()
        model.run()
        t3 = time.perf_counter()
        cpu = time.process_time() - c0
        if model.week != weeks:
            raise RuntimeError(f"model stopped at week {model.week} of {weeks}")
        run_s = t3 - t2
        # the burn-in's weeks (simulated inside construction) are agent-steps too
        burn = int(getattr(model, "burn_in", 0))
        burn_s = float(getattr(model, "burn_in_wall_s", 0.0))
        burn_cpu = float(getattr(model, "burn_in_cpu_s", 0.0))
        steps = n * (weeks + burn)
        row = {
            "seed": rep + 1,
            "build_s": t1 - t0,
            "run_s": run_s,
            "burn_in_weeks": burn,
            "burn_in_s": burn_s,
            "agent_steps_per_s": steps / (run_s + burn_s),
            "ms_per_week": 1000 * run_s / weeks,
            "cpu_over_wall": cpu / run_s,
            "cpu_s": cpu + burn_cpu,
            "agent_steps_per_cpu_s": steps / (cpu + burn_cpu),
        }
        if spent is not None:
            row["phase_ms_per_week"] = {k: 1000 * v / weeks for k, v in spent.items()}
            row["phase_cpu_ms_per_week"] = {k: 1000 * v / weeks for k, v in spent_cpu.items()}
        runs.append(row)
        model.release()
        del model
        gc.collect()
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"runs": runs, "self_peak_rss_mib": self_peak / 1024, "import_rss_mib": base_rss}


def _current_rss_mib() -> float:
    """Resident set size now (Linux ``/proc``; NaN elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_trace(n: int, mesa_citizens: bool, scenario: str = BASELINE) -> dict:
    """Bytes allocated (as ``tracemalloc`` sees them) by building one model, per resident."""
    import tracemalloc

    import willsim  # noqa: F401  (imports are not part of the model)

    gc.collect()
    tracemalloc.start()
    model = _build(n, 1, 1, mesa_citizens, scenario)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    model.release()
    return {"traced_bytes_per_resident": current / n, "traced_peak_bytes_per_resident": peak / n}


# --------------------------------------------------------------------------- parent process


def _spawn(args: list[str], tree: str | None = None) -> tuple[dict, float]:
    """Run this script (or the one of the checkout ``tree``, with its willsim) as a child with
    ``args``; its JSON result and its peak RSS (MiB)."""
    script = os.path.abspath(__file__)
    env = None
    if tree is not None:
        script = os.path.join(tree, "benchmarks", "bench_engine.py")
        env = {**os.environ, "PYTHONPATH": tree}
    cmd = [sys.executable, script, *args]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, env=env, cwd=tree)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    return json.loads(lines[-1]), usage.ru_maxrss / 1024


def measure(
    n: int,
    weeks: int,
    reps: int,
    mesa_citizens: bool,
    phases: bool,
    trace: bool,
    scenario: str = BASELINE,
    tree: str | None = None,
) -> dict[str, Any]:
    flag = "yes" if mesa_citizens else "no"
    args = [
        "--scenarios",
        scenario,
        "--child",
        "time",
        "--n",
        str(n),
        "--weeks",
        str(weeks),
        "--reps",
        str(reps),
        "--mesa-citizens",
        flag,
    ] + (["--phases"] if phases else [])
    result, peak_rss = _spawn(args, tree)
    result.update(
        scenario=scenario,
        residents=n,
        weeks=weeks,
        reps=reps,
        mesa_citizens=mesa_citizens,
        peak_rss_mib=peak_rss,
    )
    for key in (
        "build_s",
        "run_s",
        "agent_steps_per_s",
        "ms_per_week",
        "cpu_over_wall",
        "cpu_s",
        "agent_steps_per_cpu_s",
    ):
        values = [r[key] for r in result["runs"]]
        result[key] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    if phases:
        names = result["runs"][0]["phase_ms_per_week"]
        for key in ("phase_ms_per_week", "phase_cpu_ms_per_week"):
            result[key] = {k: statistics.median(r[key][k] for r in result["runs"]) for k in names}
    if trace:
        traced, _ = _spawn(
            ["--child", "trace", "--scenarios", scenario, "--n", str(n), "--mesa-citizens", flag],
            tree,
        )
        result.update(traced)
    target = RUN_TARGETS.get((n, weeks))
    if target is not None:
        result["target_run_s"] = target
        result["meets_run_target"] = result["run_s"]["median"] < target
    if n == RATE_TARGET[0]:
        result["target_agent_steps_per_s"] = RATE_TARGET[1]
        result["meets_rate_target"] = result["agent_steps_per_s"]["median"] >= RATE_TARGET[1]
        result["meets_rate_target_cpu"] = (
            result["agent_steps_per_cpu_s"]["median"] >= RATE_TARGET[1]
        )
    return result


def _si(x: float) -> str:
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.3g}"


def _range(stat: dict, fmt) -> str:
    return f"{fmt(stat['median'])} [{fmt(stat['min'])}-{fmt(stat['max'])}]"


def _targets(r: dict) -> str:
    notes = []
    if "target_run_s" in r:
        ok = "ok" if r["meets_run_target"] else "MISSED"
        notes.append(f"run < {r['target_run_s']:g} s: {ok}")
    if "target_agent_steps_per_s" in r:
        ok = "ok" if r["meets_rate_target"] else "MISSED"
        ok_cpu = "ok" if r["meets_rate_target_cpu"] else "MISSED"
        notes.append(f">= {_si(r['target_agent_steps_per_s'])} steps/s: {ok} (per CPU s: {ok_cpu})")
    return "; ".join(notes) or "-"


def table(results: list[dict], weeks: int, reps: int) -> str:
    head = (
        "scenario",
        "residents",
        "Citizen agents",
        "build s",
        "run s",
        "agent-steps/s",
        "ms/week",
        "cpu s",
        "steps/cpu-s",
        "cpu/wall",
        "peak RSS MiB (+over import)",
        "B/resident (traced)",
        "targets",
    )
    rows = []
    for r in results:
        traced = r.get("traced_bytes_per_resident")
        rows.append(
            (
                r.get("version", "") + r.get("scenario", BASELINE),
                f"{r['residents']:,}",
                "yes" if r["mesa_citizens"] else "no",
                _range(r["build_s"], lambda x: f"{x:.2f}"),
                _range(r["run_s"], lambda x: f"{x:.2f}"),
                _range(r["agent_steps_per_s"], _si),
                _range(r["ms_per_week"], lambda x: f"{x:.1f}"),
                _range(r["cpu_s"], lambda x: f"{x:.2f}"),
                _range(r["agent_steps_per_cpu_s"], _si),
                f"{r['cpu_over_wall']['median']:.2f}",
                f"{r['peak_rss_mib']:.0f} (+{r['peak_rss_mib'] - r['import_rss_mib']:.0f})",
                f"{traced:.0f}" if traced is not None else "-",
                _targets(r),
            )
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    lines = [
        f"willsim engine benchmark: {weeks} weeks, median [min-max] of {reps} rep(s), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    ]
    for i, row in enumerate((head, *rows)):
        lines.append(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
        if i == 0:
            lines.append("-+-".join("-" * w for w in widths))
    phased = [r for r in results if "phase_ms_per_week" in r]
    for key, what in (("phase_ms_per_week", "wall"), ("phase_cpu_ms_per_week", "CPU")):
        if not phased:
            break
        names = list(phased[0][key])
        lines.append("")
        lines.append(
            f"{what} ms per week by phase (median over reps; the rest of a week is Mesa's "
            "DataCollector and bookkeeping)"
        )
        lines.append("scenario, residents, agents | " + " | ".join(names))
        for r in phased:
            ph = r[key]
            label = (
                f"{r.get('version', '')}{r.get('scenario', BASELINE)}, {r['residents']:,}, "
                f"{'yes' if r['mesa_citizens'] else 'no'}"
            )
            lines.append(label + " | " + " | ".join(f"{ph[k]:.2f}" for k in names))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        help="residents (one agent each); default: 10000 100000 1000000 (100000 with --corners)",
    )
    ap.add_argument("--weeks", type=int, default=260, help="weeks per run (default 260)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per size (default 3)")
    ap.add_argument(
        "--mesa-citizens",
        choices=("both", "yes", "no"),
        help="with Mesa Citizen agents, without, or both (default; yes with --corners)",
    )
    ap.add_argument(
        "--scenarios",
        nargs="+",
        default=[BASELINE],
        help="bundled scenarios to run (default: baseline)",
    )
    ap.add_argument(
        "--corners",
        action="store_true",
        help="run the four corners (" + ", ".join(CORNERS) + ") with per-phase times",
    )
    ap.add_argument("--phases", action="store_true", help="also time each weekly phase")
    ap.add_argument(
        "--burn-in",
        type=int,
        help="run.burn_in_weeks of every model (default: the parameter's default); its weeks "
        "count as agent-steps, its time is in build_s and in the rates",
    )
    ap.add_argument("--no-trace", action="store_true", help="skip the tracemalloc measurement")
    ap.add_argument(
        "--json",
        action="store_true",
        help="JSON lines on stdout (one per configuration); the table on stderr",
    )
    ap.add_argument("--ref", help="also measure this commit, side by side (A/B)")
    ap.add_argument("--child", choices=("time", "trace"), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.corners:
        args.scenarios = list(CORNERS)
        args.phases = True
    if args.sizes is None:
        args.sizes = [100_000] if args.corners else list(DEFAULT_SIZES)
    if args.mesa_citizens is None:
        args.mesa_citizens = "yes" if args.corners else "both"

    if args.burn_in is not None:
        os.environ[BURN_IN_ENV] = str(args.burn_in)
    if args.child:
        agents, scenario = args.mesa_citizens == "yes", args.scenarios[0]
        if args.child == "time":
            out = child_timing(args.n, args.weeks, args.reps, agents, args.phases, scenario)
        else:
            out = child_trace(args.n, agents, scenario)
        print(json.dumps(out))
        return 0

    modes = {"both": (True, False), "yes": (True,), "no": (False,)}[args.mesa_citizens]
    versions: list[tuple[str, str | None]] = [("", None)]
    ref_tree = None
    if args.ref:
        ref_tree = tempfile.mkdtemp(prefix="willsim-ref-")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        subprocess.run(["git", "-C", root, "worktree", "add", "--detach", "-q", ref_tree, args.ref])
        versions = [(f"{args.ref}: ", ref_tree), ("new: ", None)]
    results = []
    try:
        results = _measure_all(args, modes, versions)
    finally:
        if ref_tree is not None:
            subprocess.run(["git", "-C", root, "worktree", "remove", "--force", ref_tree])
    out = sys.stderr if args.json else sys.stdout
    print(table(results, args.weeks, args.reps), file=out, flush=True)
    return 0


def _measure_all(args: argparse.Namespace, modes, versions) -> list[dict]:
    """Every configuration, each version in turn (A/B with ``--ref``)."""
    results = []
    for scenario in args.scenarios:
        for n in args.sizes:
            for agents in modes:
                for label, tree in versions:
                    r = measure(
                        n,
                        args.weeks,
                        args.reps,
                        agents,
                        args.phases,
                        not args.no_trace,
                        scenario,
                        tree,
                    )
                    r["version"] = label
                    results.append(r)
                    if args.json:
                        print(json.dumps(r), flush=True)
                    print(
                        f"done: {label}{scenario}, {n:,} residents, Citizen agents "
                        f"{'on' if agents else 'off'}: run {r['run_s']['median']:.2f} s",
                        file=sys.stderr,
                        flush=True,
                    )
    return results


if __name__ == "__main__":
    sys.exit(main())
