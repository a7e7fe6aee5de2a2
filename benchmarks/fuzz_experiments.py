"""Bad input to `willsim run --out`, `compare`, `sweep` and `results`: exit status and message.

    .venv/bin/python benchmarks/fuzz_experiments.py > fuzz.md

Every case runs the command line in a fresh process inside a temporary folder and records the
exit status, whether a traceback was printed, how long it took (a failure of --out must come
before any simulation) and the first line of the message. Prints a Markdown table and a count.
Exit status 2 with one line and no traceback is what every bad input should get.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = textwrap.dedent("""
    [sweep]
    name = "fuzz"
    design = "factorial"
    replicates = 1
    seed = 1
    outputs = ["coverage"]
    [fixed]
    "city.population" = 1000
    "run.weeks" = 2
    [vary."office.assessment_hours"]
    values = [2.0, 3.0]
""")
SAMPLED = GOOD.replace('design = "factorial"', 'design = "sobol"\nsamples = 4').replace(
    "values = [2.0, 3.0]", 'range = [1.0, 3.0]\n[vary."helpseeking.awareness"]\nrange = [0.4, 0.9]'
)
SMALL = ["--residents", "1000", "--weeks", "4"]
BIG = ["--residents", "120000", "--weeks", "520"]


def spec_cases() -> list[tuple[str, str | bytes]]:
    """(label, file content) of bad sweep specs."""
    return [
        ("empty spec file", ""),
        ("non-UTF-8 spec file", b'[sweep]\nname = "caf\xe9"\n'),
        ("malformed TOML", "[sweep\n"),
        ("unknown top-level table", GOOD + "\n[colour]\nred = 1\n"),
        ("unknown [sweep] key", GOOD.replace("[sweep]", "[sweep]\ncolour = 1")),
        ("replicates as text", GOOD.replace("replicates = 1", 'replicates = "two"')),
        ("replicates = 0", GOOD.replace("replicates = 1", "replicates = 0")),
        ("replicates = 1.5", GOOD.replace("replicates = 1", "replicates = 1.5")),
        ("seed = -1", GOOD.replace("seed = 1", "seed = -1")),
        ("seed = 2^64", GOOD.replace("seed = 1", "seed = 18446744073709551616")),
        ("timeseries = 1", GOOD.replace("outputs", "timeseries = 1\noutputs")),
        ('common_seeds = "yes"', GOOD.replace("outputs", 'common_seeds = "yes"\noutputs')),
        ("unknown design", GOOD.replace('"factorial"', '"grid"')),
        ("unknown output", GOOD.replace('["coverage"]', '["waiting"]')),
        ("outputs = []", GOOD.replace('["coverage"]', "[]")),
        ("outputs not a list", GOOD.replace('["coverage"]', '"coverage"')),
        ("no [vary]", GOOD[: GOOD.index('[vary."office')]),
        (
            "vary entry not a table",
            GOOD.replace(
                '[vary."office.assessment_hours"]\nvalues = [2.0, 3.0]',
                '[vary]\n"office.assessment_hours" = 3',
            ),
        ),
        ("unknown parameter", GOOD.replace("office.assessment_hours", "office.assesment_hours")),
        ("value out of range", GOOD.replace("[2.0, 3.0]", "[2.0, 500.0]")),
        ("values = []", GOOD.replace("[2.0, 3.0]", "[]")),
        (
            "values and range",
            GOOD.replace("values = [2.0, 3.0]", "values = [2.0]\nrange = [1.0, 2.0]"),
        ),
        ("range with one number", GOOD.replace("values = [2.0, 3.0]", "range = [1.0]\nsteps = 2")),
        ("range of text", GOOD.replace("values = [2.0, 3.0]", 'range = ["a", "b"]\nsteps = 2')),
        ("range with nan", GOOD.replace("values = [2.0, 3.0]", "range = [nan, 2.0]\nsteps = 2")),
        ("range with inf", GOOD.replace("values = [2.0, 3.0]", "range = [1.0, inf]\nsteps = 2")),
        ("range low > high", GOOD.replace("values = [2.0, 3.0]", "range = [3.0, 2.0]\nsteps = 2")),
        (
            "factorial range without steps",
            GOOD.replace("values = [2.0, 3.0]", "range = [1.0, 2.0]"),
        ),
        ("steps = 1", GOOD.replace("values = [2.0, 3.0]", "range = [1.0, 2.0]\nsteps = 1")),
        (
            "steps on a sampled design",
            SAMPLED.replace("range = [0.4, 0.9]", "range = [0.4, 0.9]\nsteps = 3"),
        ),
        (
            "unknown distribution",
            SAMPLED.replace("range = [0.4, 0.9]", 'range = [0.4, 0.9]\ndistribution = "gamma"'),
        ),
        (
            "triangular without mode",
            SAMPLED.replace(
                "range = [0.4, 0.9]", 'range = [0.4, 0.9]\ndistribution = "triangular"'
            ),
        ),
        (
            "mode outside the range",
            SAMPLED.replace(
                "range = [0.4, 0.9]", 'range = [0.4, 0.9]\ndistribution = "triangular"\nmode = 2.0'
            ),
        ),
        (
            "normal without sd",
            SAMPLED.replace(
                "range = [0.4, 0.9]", 'range = [0.4, 0.9]\ndistribution = "normal"\nmean = 0.6'
            ),
        ),
        (
            "normal with sd = -1",
            SAMPLED.replace(
                "range = [0.4, 0.9]",
                'range = [0.4, 0.9]\ndistribution = "normal"\nmean = 0.6\nsd = -1.0',
            ),
        ),
        (
            "mode on a uniform",
            SAMPLED.replace("range = [0.4, 0.9]", "range = [0.4, 0.9]\nmode = 0.5"),
        ),
        (
            "loguniform from 0",
            SAMPLED.replace(
                "range = [1.0, 3.0]", 'range = [0.0, 3.0]\ndistribution = "loguniform"'
            ),
        ),
        ("sobol N not a power of 2", SAMPLED.replace("samples = 4", "samples = 6")),
        ("sobol without samples", SAMPLED.replace("samples = 4\n", "")),
        ("samples on a factorial", GOOD.replace("replicates = 1", "replicates = 1\nsamples = 4")),
        (
            "morris with one factor",
            GOOD.replace('"factorial"', '"morris"\nsamples = 2').replace(
                "values = [2.0, 3.0]", "range = [1.0, 3.0]"
            ),
        ),
        ("levels = 1", SAMPLED.replace("samples = 4", "samples = 4\nlevels = 1")),
        (
            "list parameter as a range",
            GOOD.replace(
                '"office.assessment_hours"]\nvalues = [2.0, 3.0]',
                '"city.age_shares"]\nrange = [0, 1]\nsteps = 2',
            ),
        ),
        (
            "fixed and varied",
            GOOD.replace('"run.weeks" = 2', '"run.weeks" = 2\n"office.assessment_hours" = 2.0'),
        ),
        (
            "unknown fixed parameter",
            GOOD.replace('"run.weeks" = 2', '"run.weeks" = 2\n"office.nonsense" = 1'),
        ),
        ("fixed value out of range", GOOD.replace('"run.weeks" = 2', '"run.weeks" = -3')),
        (
            "unknown base scenario",
            GOOD.replace('name = "fuzz"', 'name = "fuzz"\nscenario = "nowhere"'),
        ),
    ]


def cases(tmp: Path) -> list[tuple[str, list[str]]]:
    good = tmp / "good.toml"
    good.write_text(GOOD)
    a_file = tmp / "a-file"
    a_file.write_text("x")
    run_folder = tmp / "run-folder"
    other = tmp / "other-sweep.toml"
    other.write_text(GOOD.replace("seed = 1", "seed = 2"))
    partial = tmp / "partial.toml"
    partial.write_text(SAMPLED)
    out: list[tuple[str, list[str]]] = []
    for label, content in spec_cases():
        path = tmp / f"spec-{len(out)}.toml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        out.append((f"sweep: {label}", ["sweep", str(path), "--out", str(tmp / f"s{len(out)}")]))
    out += [
        ("sweep: missing spec file", ["sweep", str(tmp / "missing.toml")]),
        ("sweep: spec is a folder", ["sweep", str(tmp)]),
        ("sweep: spec of unknown type", ["sweep", str(a_file)]),
        ("sweep: --shard 2/2", ["sweep", str(good), "--shard", "2/2", "--out", str(tmp / "x1")]),
        ("sweep: --shard half", ["sweep", str(good), "--shard", "half", "--out", str(tmp / "x2")]),
        ("sweep: --shard -1/2", ["sweep", str(good), "--shard", "-1/2", "--out", str(tmp / "x3")]),
        (
            "sweep: --engine spark",
            ["sweep", str(good), "--engine", "spark", "--out", str(tmp / "x4")],
        ),
        (
            "sweep: --scheduler without dask",
            ["sweep", str(good), "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp / "x5")],
        ),
        ("sweep: --workers 0", ["sweep", str(good), "--workers", "0", "--out", str(tmp / "x6")]),
        ("sweep: --workers -1", ["sweep", str(good), "--workers", "-1", "--out", str(tmp / "x7")]),
        ("sweep: --out /dev/null/x", ["sweep", str(good), "--out", "/dev/null/x"]),
        ("sweep: --out /proc/x", ["sweep", str(good), "--out", "/proc/willsim-x"]),
        ("sweep: --out is a file", ["sweep", str(good), "--out", str(a_file)]),
        ("sweep: --out a non-sweep folder", ["sweep", str(good), "--out", str(run_folder)]),
        ("sweep: --out another sweep", ["sweep", str(other), "--out", str(tmp / "done")]),
        ("sweep: same sweep without --resume", ["sweep", str(good), "--out", str(tmp / "done")]),
        (
            "sweep: unreachable scheduler",
            [
                "sweep",
                str(good),
                "--engine",
                "dask",
                "--scheduler",
                "tcp://127.0.0.1:9",
                "--out",
                str(tmp / "x8"),
            ],
        ),
        ("run: --out /dev/null/x", ["run", *BIG, "--out", "/dev/null/x"]),
        ("run: --out /proc/x", ["run", *BIG, "--out", "/proc/willsim-x"]),
        ("run: --out is a file", ["run", *BIG, "--out", str(a_file)]),
        ("run: --out holds earlier results", ["run", *BIG, "--out", str(run_folder)]),
        ("run: --replicates 0", ["run", *SMALL, "--replicates", "0"]),
        ("compare: one scenario", ["compare", "baseline"]),
        ("compare: --replicates 1", ["compare", "baseline", "budget-cut", "--replicates", "1"]),
        ("compare: unknown scenario", ["compare", "baseline", "nowhere"]),
        ("compare: --precision 0", ["compare", "baseline", "budget-cut", "--precision", "0"]),
        ("compare: --precision nan", ["compare", "baseline", "budget-cut", "--precision", "nan"]),
        (
            "compare: --max-replicates 1",
            ["compare", "baseline", "budget-cut", "--max-replicates", "1"],
        ),
        (
            "compare: --multiplicity bonferroni",
            ["compare", "baseline", "budget-cut", "--multiplicity", "bonferroni"],
        ),
        ("compare: --weeks 0", ["compare", "baseline", "budget-cut", "--weeks", "0"]),
        (
            "compare: --residents 0",
            [
                "compare",
                "baseline",
                "budget-cut",
                "--residents",
                "0",
                "--replicates",
                "2",
                "--weeks",
                "2",
            ],
        ),
        ("compare: --workers 0", ["compare", "baseline", "budget-cut", "--workers", "0"]),
        ("compare: --engine spark", ["compare", "baseline", "budget-cut", "--engine", "spark"]),
        (
            "compare: --scheduler without dask",
            ["compare", "baseline", "budget-cut", "--scheduler", "tcp://127.0.0.1:1"],
        ),
        ("compare: --resume without --out", ["compare", "baseline", "budget-cut", "--resume"]),
        (
            "compare: unknown --set key",
            ["compare", "baseline", "budget-cut", "--set", "office.nonsense=1"],
        ),
        (
            "compare: --out /dev/null/x",
            ["compare", "baseline", "budget-cut", *BIG, "--out", "/dev/null/x"],
        ),
        (
            "compare: --out is a file",
            ["compare", "baseline", "budget-cut", *BIG, "--out", str(a_file)],
        ),
        (
            "compare: --out holds a run's results",
            ["compare", "baseline", "budget-cut", *BIG, "--out", str(run_folder)],
        ),
        (
            "compare: unreachable scheduler",
            [
                "compare",
                "baseline",
                "budget-cut",
                "--engine",
                "dask",
                "--scheduler",
                "tcp://127.0.0.1:9",
                "--out",
                str(tmp / "c9"),
            ],
        ),
        ("results: missing folder", ["results", str(tmp / "nowhere")]),
        ("results: a file", ["results", str(a_file)]),
        ("results: an empty folder", ["results", str(tmp / "empty")]),
        ("results: a run folder", ["results", str(run_folder)]),
        ("results: a partial sobol sweep", ["results", str(tmp / "partial")]),
        ("results: garbage manifest", ["results", str(tmp / "garbage")]),
        ("results: a truncated run file", ["results", str(tmp / "truncated"), "--no-figures"]),
    ]
    return out


def setup(tmp: Path) -> None:
    """Folders some cases need: a finished run, a finished sweep, a partial and a broken one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "willsim.cli"]
    subprocess.run(
        [*run, "run", *SMALL, "--out", str(tmp / "run-folder")],
        env=env,
        cwd=tmp,
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [*run, "sweep", str(tmp / "good.toml"), "--out", str(tmp / "done")],
        env=env,
        cwd=tmp,
        capture_output=True,
        check=True,
    )
    (tmp / "empty").mkdir()
    subprocess.run(
        [*run, "sweep", str(tmp / "partial.toml"), "--out", str(tmp / "partial"), "--shard", "0/2"],
        env=env,
        cwd=tmp,
        capture_output=True,
        check=True,
    )
    shutil.copytree(tmp / "done", tmp / "garbage")
    (tmp / "garbage" / "sweep.json").write_text("{not json")
    shutil.copytree(tmp / "done", tmp / "truncated")
    victim = sorted((tmp / "truncated" / "runs").glob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:50])


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="willsim-fuzz-"))
    try:
        all_cases = cases(tmp)
        setup(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        rows, counts = [], {}
        for label, argv in all_cases:
            start = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "willsim.cli", *argv],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            seconds = time.monotonic() - start
            err = [line for line in proc.stderr.splitlines() if line.strip()]
            tb = "Traceback" in proc.stderr
            said = [line for line in err if line.startswith("willsim")]
            message = said[0] if said else err[-1] if err else (proc.stdout.splitlines() or [""])[0]
            message = message.replace(str(tmp), "TMP").replace("|", "\\|")
            counts[proc.returncode] = counts.get(proc.returncode, 0) + 1
            rows.append(
                f"| {label} | {proc.returncode} | {'y' if tb else 'n'} | {seconds:.1f} "
                f"| {message[:220]} |"
            )
        print("| input | exit | traceback | s | message |")
        print("|---|---|---|---|---|")
        print("\n".join(rows))
        print()
        print(
            f"{len(rows)} cases; exit codes: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
