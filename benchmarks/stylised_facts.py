"""Stylised facts of the default city (Bergamo, baseline scenario) against sourced figures.

Runs the baseline scenario for a few seeds and the ``validation/office_mmc`` scenario at several
utilisations, and prints a Markdown table: the model's figure next to the sourced figure
(``shared/research/domain.md`` §2 and §4, ``shared/data/calibration.csv``).

Usage: ``.venv/bin/python benchmarks/stylised_facts.py [--seeds 1 2]``. Deterministic for given
seeds; takes about a minute.
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np

import willsim
from willsim.analytics import mmc_metrics
from willsim.citizens import CARE, ISOLATION, Status
from willsim.params import AGE_BANDS
from willsim.results import summary

BAND = {name: k for k, name in enumerate(AGE_BANDS)}
OLD = [BAND["65-74"], BAND["75-84"], BAND["85+"]]
MU = 6.0  # assessments per week per worker in office_mmc (36 h x 1.0 / 6 h)
QUEUE_WEEKS = 1500


def baseline_facts(seed: int) -> dict[str, float]:
    """Figures from one baseline run, read at the end of the run (week 260) and over the run."""
    model = willsim.WelfareModel(seed=seed, run__mesa_citizens=False).run()
    c, s = model.citizens, summary(model)
    old = np.isin(c.age_band, OLD)
    community = ~c.residential
    care_need = c.need_level[CARE] > 0
    served_care = c.status[CARE] == Status.SERVED
    isolated = c.need_level[ISOLATION] > 0

    def iso(band: str) -> float:
        m = community & (c.age_band == BAND[band])
        return isolated[m].mean()

    def dig(band: str) -> float:
        return c.digital[c.age_band == BAND[band]].mean()

    nss = old & (care_need | c.residential)  # non-self-sufficient 65+, in community or RSA
    out = {
        "sad_65": served_care[old].mean(),
        "reached_nss": (served_care | c.residential)[nss].mean(),
        "reached_nss_formal": served_care[nss & community].mean(),
        "care_need_65": nss[old].mean(),
        "iso_65_74": iso("65-74"),
        "iso_75_84": iso("75-84"),
        "iso_85": iso("85+"),
        "dig_15_29": dig("15-29"),
        "dig_65_74": dig("65-74"),
        "non_take_up": s["non_take_up_share"],
        "crises_per_1000": s["crises_per_1000"],
        "unmet": s["unmet_need_share"],
        "wait": s["mean_wait_weeks"],
        "util": s["office_utilisation"],
    }
    model.release()
    return {k: float(v) for k, v in out.items()}


def queue_wait(servers: int, rho: float, seed: int) -> float:
    """Measured mean wait (weeks) of the office alone as an M/M/c queue at utilisation rho."""
    lam = servers * MU * rho
    model = willsim.WelfareModel(
        "validation/office_mmc",
        seed=seed,
        run__weeks=QUEUE_WEEKS,
        office__exogenous_requests=lam,
        office__social_workers=servers,
    )
    wq = summary(model.run())["mean_wait_weeks"]
    model.release()
    return wq


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def rng_of(vals: list[float], fmt) -> str:
    """Mean, with the range over seeds when there is more than one."""
    m = fmt(float(np.mean(vals)))
    return m if len(vals) == 1 else f"{m} ({fmt(min(vals))}–{fmt(max(vals))})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    seeds = ap.parse_args().seeds
    runs = [baseline_facts(s) for s in seeds]
    v = {k: [r[k] for r in runs] for k in runs[0]}

    def row(n, fact, key, fmt, target, note=""):
        print(f"| {n} | {fact} | {rng_of(v[key], fmt)} | {target} | {note} |")

    print(
        f"Baseline (Bergamo, 121,316 residents, 260 weeks), seeds {seeds}; "
        f"queue runs {QUEUE_WEEKS} weeks, seed {seeds[0]}; {dt.date.today().isoformat()}."
    )
    print(
        "Model figures are means over seeds (range in brackets); shares at week 260 unless "
        "stated.\n"
    )
    print("| # | Fact | Model | Sourced | Note |")
    print("|---|---|---|---|---|")
    row(
        "1a",
        "65+ receiving formal home care (care need SERVED)",
        "sad_65",
        pct,
        "1.4% (SAD, 2020)",
        "capacity is calibrated to this figure",
    )
    row(
        "1b",
        "non-self-sufficient 65+ reached by a formal service or residential care",
        "reached_nss",
        pct,
        "29.8% (residential 6.3% + ADI 21.5%)",
        "model has no health-service ADI: compare with the residential + SAD part",
    )
    row(
        "1c",
        "65+ with a care need (incl. residential care)",
        "care_need_65",
        pct,
        "28.4% (non-self-sufficient 65+)",
        "input prevalence, drifts under the dynamics",
    )
    row(
        "2a",
        "isolated, 65-74 (community residents)",
        "iso_65_74",
        pct,
        "10%",
        "input target of the stationary onset",
    )
    row("2b", "isolated, 75-84", "iso_75_84", pct, "≈18–21% (interpolated)", "")
    row("2c", "isolated, 85+", "iso_85", pct, "32%", "")
    row("3a", "basic digital skills, 15-29", "dig_15_29", pct, "61.7% (age 20-24)", "input")
    row("3b", "basic digital skills, 65-74", "dig_65_74", pct, "19.3%", "input")
    row(
        "6",
        "non-take-up among eligible needs (mean over weeks)",
        "non_take_up",
        pct,
        "25–40% (RdC minimum income)",
        "",
    )
    row(
        "7a",
        "crises per 1,000 residents per year",
        "crises_per_1000",
        lambda x: f"{x:.1f}",
        "no sourced target",
        "model output",
    )
    row(
        "7b",
        "unmet-need share among residents with a need",
        "unmet",
        pct,
        "no sourced target",
        "model output",
    )
    row(
        "–",
        "baseline office: mean wait for assessment (weeks)",
        "wait",
        lambda x: f"{x:.3f}",
        "–",
        "",
    )
    row("–", "baseline office: utilisation", "util", pct, "–", "")

    print(
        "\nQueue at the social office alone (validation/office_mmc; c = 5, μ = 6 per week, "
        "λ = cμρ):\n"
    )
    print("| # | c | ρ | λ/week | W_q model (weeks) | W_q Erlang C (weeks) | model/theory |")
    print("|---|---|---|---|---|---|---|")
    for rho in (0.5, 0.7, 0.8, 0.9, 0.95):
        lam = 5 * MU * rho
        wq, th = queue_wait(5, rho, seeds[0]), mmc_metrics(lam, MU, 5)["wq"]
        print(f"| 4 | 5 | {rho} | {lam:g} | {wq:.4f} | {th:.4f} | {wq / th:.3f} |")
    for rho in (0.5, 0.8):
        for c in (1, 2):
            lam = c * MU * rho
            wq, th = queue_wait(c, rho, seeds[0]), mmc_metrics(lam, MU, c)["wq"]
            label = "pooled" if c == 2 else "single"
            print(f"| 5 ({label}) | {c} | {rho} | {lam:g} | {wq:.4f} | {th:.4f} | {wq / th:.3f} |")


if __name__ == "__main__":
    main()
