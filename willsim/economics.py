"""Value for money of a strategy against a reference, from paired runs on common seeds.

:func:`value_for_money` turns a :class:`~willsim.experiments.compare.PairedRuns` into a table of
incremental costs, crises avoided, benefits valued in euros and a social-return ratio, each with a
95% interval over the paired replicates, plus the plain-language assumptions behind them (English
or Italian). The table fills the app report's ``Economics(table, assumptions)``.

Definitions, per replicate ``r`` (strategy minus reference, on the same seed):

* **incremental cost**: the change in programme spending, i.e. public spending less the crisis
  items (hospital, public share of residential care, emergency housing); those items are counted
  as benefits when avoided, never twice;
* **net public cost**: the change in all public spending (programmes and crisis costs);
* **crises avoided**: reference crises less strategy crises;
* **benefits**: avoided hospital, residential (public share), emergency housing and families'
  out-of-pocket spending, and the quality-adjusted years gained x ``economics.value_per_qol_year``,
  each multiplied by its ``economics.benefit_weights`` entry;
* **social-return ratio**: total benefits / incremental cost; **cost per crisis avoided**:
  incremental cost / crises avoided. Ratios are ratios of mean paired differences, with Fieller
  intervals (unbounded, reported as missing, when the denominator's own interval includes zero).

The quality-of-life term is an unvalidated index valued at an assumed price, and it can
dominate the benefits, so every benefit, net benefit and ratio is also given **without** it.

Two uncertainty modes (``mode``, as :func:`willsim.experiments.decisions.decision_table`):

* ``seeds``: t-intervals over the paired replicates for differences, Fieller intervals for
  ratios (:func:`willsim.experiments.compare.t_interval`);
* ``parameters`` (runs with parameter draws): the 90% range of the per-draw mean differences,
  ratio intervals from the per-draw ratios (when every draw's denominator is positive), and the
  **probability that benefits exceed the incremental cost** (the social-return ratio above 1),
  with and without quality of life. :func:`ceac` gives the cost-effectiveness acceptability
  curve for the cost per crisis avoided.

Figures are totals over the run for the whole city (scaled from a sample if residents were
sampled), undiscounted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from willsim.experiments import SpecError
from willsim.experiments.compare import PairedRuns, t_interval
from willsim.params import PARAMETERS

LANGUAGES = ("en", "it")
CRISIS_ITEMS = ("spending_hospital_eur", "spending_residential_eur", "spending_housing_eur")
BENEFIT_ITEMS = (*CRISIS_ITEMS, "out_of_pocket_eur")  # avoided when the strategy spends less
NEEDED = ("public_spending_eur", *BENEFIT_ITEMS, "crises", "qol_years")

# item -> (English label, Italian label, unit)
ITEMS: dict[str, tuple[str, str, str]] = {
    "incremental_cost_eur": (
        "Incremental programme cost",
        "Costo incrementale dei programmi",
        "EUR",
    ),
    "net_public_cost_eur": (
        "Net public cost (after avoided crisis costs)",
        "Costo pubblico netto (dopo i costi di crisi evitati)",
        "EUR",
    ),
    "crises_avoided": ("Crises avoided", "Crisi evitate", "events"),
    "cost_per_crisis_avoided_eur": ("Cost per crisis avoided", "Costo per crisi evitata", "EUR"),
    "benefit_hospital_eur": ("Hospital costs avoided", "Costi ospedalieri evitati", "EUR"),
    "benefit_residential_eur": (
        "Residential care avoided (public share)",
        "RSA evitata (quota pubblica)",
        "EUR",
    ),
    "benefit_housing_eur": ("Emergency housing avoided", "Emergenza abitativa evitata", "EUR"),
    "benefit_out_of_pocket_eur": (
        "Families' out-of-pocket spending avoided",
        "Spesa delle famiglie evitata",
        "EUR",
    ),
    "qol_years_gained": (
        "Quality-adjusted years gained",
        "Anni ponderati per la qualità guadagnati",
        "years",
    ),
    "benefit_qol_eur": (
        "Quality-of-life gain valued",
        "Guadagno di qualità della vita valorizzato",
        "EUR",
    ),
    "benefits_eur": ("Total benefits counted", "Benefici totali considerati", "EUR"),
    "net_benefit_eur": (
        "Net social benefit (benefits less incremental cost)",
        "Beneficio sociale netto (benefici meno costo incrementale)",
        "EUR",
    ),
    "social_return_ratio": (
        "Social return ratio (benefits / incremental cost)",
        "Rapporto di ritorno sociale (benefici / costo incrementale)",
        "ratio",
    ),
    "prob_return_above_1": (
        "Probability that benefits exceed the incremental cost (ratio above 1)",
        "Probabilità che i benefici superino il costo incrementale (rapporto sopra 1)",
        "probability",
    ),
    "benefits_without_qol_eur": (
        "Benefits without quality of life",
        "Benefici senza la qualità della vita",
        "EUR",
    ),
    "net_benefit_without_qol_eur": (
        "Net social benefit without quality of life",
        "Beneficio sociale netto senza la qualità della vita",
        "EUR",
    ),
    "social_return_ratio_without_qol": (
        "Social return ratio without quality of life",
        "Rapporto di ritorno sociale senza la qualità della vita",
        "ratio",
    ),
    "prob_return_above_1_without_qol": (
        "Probability that benefits without quality of life exceed the incremental cost",
        "Probabilità che i benefici senza qualità della vita superino il costo incrementale",
        "probability",
    ),
}
PROBABILITIES = ("prob_return_above_1", "prob_return_above_1_without_qol")
"""Items given only with parameter uncertainty (over seeds alone a probability tends to 0 or 1
as replicates are added)."""
COLUMNS = (
    "scenario",
    "reference",
    "item",
    "label",
    "unit",
    "mean",
    "ci_low",
    "ci_high",
    "pairs",
    "note",
)

NOTES: dict[str, tuple[str, str]] = {
    "no_cost": (
        "undefined: the strategy costs the same as the reference",
        "non definito: la strategia costa quanto il riferimento",
    ),
    "cheaper": (
        "not a ratio: the strategy costs less than the reference (see net benefit)",
        "non è un rapporto: la strategia costa meno del riferimento (vedi beneficio netto)",
    ),
    "no_crises": (
        "undefined: no crises avoided on average",
        "non definito: nessuna crisi evitata in media",
    ),
    "dominant": (
        "dominant: fewer crises at a lower cost",
        "dominante: meno crisi a un costo minore",
    ),
    "unbounded": (
        "interval unbounded: the denominator's 95% interval includes zero",
        "intervallo illimitato: l'intervallo al 95% del denominatore include lo zero",
    ),
    "few_pairs": (
        "no interval: fewer than 2 paired runs",
        "nessun intervallo: meno di 2 coppie di simulazioni",
    ),
    "seeds_only": (
        "needs parameter uncertainty (--uncertainty parameters): over seeds alone a "
        "probability only says how often one run is better",
        "richiede l'incertezza sui parametri (--uncertainty parameters): sui soli semi una "
        "probabilità dice solo quante volte una simulazione è migliore",
    ),
    "unbounded_draws": (
        "interval unbounded: in some parameter sets the denominator is not positive",
        "intervallo illimitato: in alcuni insiemi di parametri il denominatore non è positivo",
    ),
}


def value_for_money(
    runs: PairedRuns,
    reference: str | None = None,
    language: str = "en",
    params: Mapping[str, Any] | None = None,
    conf: float = 0.95,
    mode: str = "seeds",
) -> tuple[pd.DataFrame, list[str]]:
    """Value for money of every strategy in ``runs`` against ``reference`` (default: the first).

    Args:
        runs: end-of-run figures on common seeds (:func:`~willsim.experiments.compare.run_paired`).
        reference: the scenario label to compare against; one of ``runs.scenarios``.
        language: ``en`` or ``it`` for labels, notes and assumptions.
        params: values of ``economics.*`` (e.g. a scenario's parameters); registry defaults
            otherwise. Other keys are ignored.
        conf: confidence level of the t and Fieller intervals (``seeds`` mode).
        mode: ``seeds`` or ``parameters`` (see the module docstring).

    Returns:
        ``(table, assumptions)``: one row per strategy and item with columns
        ``scenario, reference, item, label, unit, mean, ci_low, ci_high, pairs, note`` (items in
        :data:`ITEMS` order; ``note`` explains a missing ratio or interval), and the assumptions
        as plain-language sentences.
    """
    if language not in LANGUAGES:
        raise SpecError(f"unknown language {language!r}; valid: {', '.join(LANGUAGES)}")
    ref = runs.scenarios[0] if reference is None else reference
    if ref not in runs.scenarios:
        raise SpecError(f"unknown reference {ref!r}; valid: {', '.join(runs.scenarios)}")
    if mode not in ("seeds", "parameters"):
        raise SpecError(f"unknown uncertainty mode {mode!r}; valid: seeds, parameters")
    if mode == "parameters" and not runs.draws:
        raise SpecError("parameters mode needs runs with parameter draws")
    value, weights = economics_params(params)
    wide = _wide(runs)
    draws = _draws_of(runs, wide) if mode == "parameters" else None
    lang = LANGUAGES.index(language)
    rows = []
    for name in runs.scenarios:
        if name == ref:
            continue
        d = _differences(wide, name, ref, value, weights)
        items = _strategy(d, conf) if draws is None else _strategy_draws(d, draws)
        for item, (mean, lo, hi, pairs, note) in items.items():
            rows.append(
                {
                    "scenario": name,
                    "reference": ref,
                    "item": item,
                    "label": ITEMS[item][lang],
                    "unit": ITEMS[item][2],
                    "mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "pairs": pairs,
                    "note": NOTES[note][lang] if note else "",
                }
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table, assumptions(value, weights, language)


def economics_params(params: Mapping[str, Any] | None = None) -> tuple[float, np.ndarray]:
    """``economics.value_per_qol_year`` and ``economics.benefit_weights``, validated."""
    defaults = PARAMETERS.defaults()
    chosen = {
        k: (params or {}).get(k, defaults[k])
        for k in ("economics.value_per_qol_year", "economics.benefit_weights")
    }
    chosen = PARAMETERS.validate(chosen)
    return (
        float(chosen["economics.value_per_qol_year"]),
        np.asarray(chosen["economics.benefit_weights"], dtype=float),
    )


def _wide(runs: PairedRuns) -> pd.DataFrame:
    """Index (indicator, replicate), one column per scenario."""
    frame = runs.summaries
    missing = sorted(set(NEEDED) - set(frame["indicator"]))
    if missing:
        raise SpecError(
            f"the runs lack the indicators {', '.join(missing)}: rerun them with "
            "this version of willsim"
        )
    frame = frame[frame["indicator"].isin(NEEDED)]
    wide = frame.set_index(["indicator", "replicate", "scenario"])["value"].unstack("scenario")
    return wide.reindex(columns=runs.scenarios)


def _draws_of(runs: PairedRuns, wide: pd.DataFrame) -> np.ndarray:
    """The draw of every replicate of ``wide`` (parameters mode)."""
    if "draw" not in runs.summaries or not runs.draws:
        raise SpecError("parameters mode needs runs with parameter draws")
    draw = runs.summaries.drop_duplicates("replicate").set_index("replicate")["draw"]
    replicates = wide.loc[NEEDED[0]].index
    return draw.reindex(replicates).to_numpy()


def _differences(
    wide: pd.DataFrame, name: str, ref: str, value: float, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """Per replicate, every additive item of one strategy against the reference."""

    def diff(indicator: str) -> np.ndarray:  # strategy minus reference, per replicate
        block = wide.loc[indicator]
        return (block[name] - block[ref]).to_numpy(dtype=float)

    public = diff("public_spending_eur")
    crisis_costs = sum(diff(k) for k in CRISIS_ITEMS)
    d = {
        "incremental_cost_eur": public - crisis_costs,
        "net_public_cost_eur": public,
        "crises_avoided": -diff("crises"),
    }
    avoided = [-diff(k) for k in BENEFIT_ITEMS]
    gained = diff("qol_years")
    benefits = [w * item for w, item in zip(weights[:4], avoided, strict=True)]
    benefits.append(weights[4] * value * gained)
    total = sum(benefits)
    keys = (
        "benefit_hospital_eur",
        "benefit_residential_eur",
        "benefit_housing_eur",
        "benefit_out_of_pocket_eur",
    )
    d.update(zip(keys, benefits[:4], strict=True))
    d["qol_years_gained"] = gained
    d["benefit_qol_eur"] = benefits[4]
    d["benefits_eur"] = total
    d["net_benefit_eur"] = total - d["incremental_cost_eur"]
    d["benefits_without_qol_eur"] = total - benefits[4]
    d["net_benefit_without_qol_eur"] = d["benefits_without_qol_eur"] - d["incremental_cost_eur"]
    return d


RATIOS = {
    "cost_per_crisis_avoided_eur": ("incremental_cost_eur", "crises_avoided"),
    "social_return_ratio": ("benefits_eur", "incremental_cost_eur"),
    "social_return_ratio_without_qol": ("benefits_without_qol_eur", "incremental_cost_eur"),
}
"""Ratio items: (numerator, denominator) items."""
NET_BENEFIT_OF = {
    "prob_return_above_1": "net_benefit_eur",
    "prob_return_above_1_without_qol": "net_benefit_without_qol_eur",
}


def _strategy(
    d: dict[str, np.ndarray], conf: float
) -> dict[str, tuple[float, float, float, int, str]]:
    """Every item of one strategy over seeds: ``(mean, ci_low, ci_high, pairs, note)``."""
    out: dict[str, tuple[float, float, float, int, str]] = {}
    pairs = int(np.isfinite(d["incremental_cost_eur"]).sum())
    for item in ITEMS:
        if item == "cost_per_crisis_avoided_eur":
            out[item] = cost_per_effect(d["incremental_cost_eur"], d["crises_avoided"], conf)
        elif item in RATIOS:
            num, den = RATIOS[item]
            out[item] = return_ratio(d[num], d[den], conf)
        elif item in PROBABILITIES:
            out[item] = (math.nan, math.nan, math.nan, pairs, "seeds_only")
        else:
            x = d[item]
            mean, lo, hi = t_interval(x, conf)
            n = int(np.isfinite(x).sum())
            out[item] = (mean, lo, hi, n, "few_pairs" if n < 2 else "")
    return out


def _strategy_draws(
    d: dict[str, np.ndarray], draws: np.ndarray
) -> dict[str, tuple[float, float, float, int, str]]:
    """Every item of one strategy over parameter draws: the mean over every pair, the 90% range
    of the per-draw means (ratios: of the per-draw ratios), probabilities over draws."""
    from willsim.experiments.uncertainty import (
        LEVEL,
        by_draw,
        draw_means,
        probability,
        quantile_interval,
    )

    def means(item: str) -> np.ndarray:
        return draw_means(by_draw(pd.DataFrame({"draw": draws, "value": d[item]})))

    out: dict[str, tuple[float, float, float, int, str]] = {}
    n = int(np.isfinite(means("incremental_cost_eur")).sum())
    for item in ITEMS:
        if item in RATIOS:
            num, den = RATIOS[item]
            x, y = means(num), means(den)
            ok = np.isfinite(x) & np.isfinite(y)
            ratio = cost_per_effect if item == "cost_per_crisis_avoided_eur" else return_ratio
            mean, lo, hi, _, note = ratio(x[ok], y[ok])
            if note in ("", "unbounded", "few_pairs"):  # defined: interval from the draws
                note = ""
                if ok.sum() >= 2 and (y[ok] > 0).all():
                    lo, hi = quantile_interval(x[ok] / y[ok], LEVEL)
                else:
                    lo, hi, note = math.nan, math.nan, "unbounded_draws"
            out[item] = (mean, lo, hi, n, note)
        elif item in PROBABILITIES:
            p, se = probability(means(NET_BENEFIT_OF[item]), 1)
            out[item] = (p, p - 2 * se, p + 2 * se, n, "")
        else:
            m = means(item)
            finite = m[np.isfinite(m)]
            lo, hi = quantile_interval(m, LEVEL)
            mean = float(finite.mean()) if finite.size else math.nan
            out[item] = (mean, lo, hi, n, "few_pairs" if n < 2 else "")
    return out


def ceac(
    runs: PairedRuns,
    reference: str | None = None,
    wtp: np.ndarray | Sequence[float] | None = None,
) -> pd.DataFrame:
    """Cost-effectiveness acceptability curve for the cost per crisis avoided (runs with
    parameter draws): for each willingness to pay ``wtp`` (euros per crisis avoided), the share
    of parameter sets in which each strategy (the reference included, at zero cost and effect)
    has the highest net monetary benefit wtp x crises avoided - incremental cost (ties
    shared). Columns ``wtp, scenario, probability``. ``wtp`` defaults to 41 values from 0 to
    twice the largest positive cost per crisis avoided (at least 100,000 euros)."""
    ref = runs.scenarios[0] if reference is None else reference
    wide = _wide(runs)
    draws = _draws_of(runs, wide)
    from willsim.experiments.uncertainty import by_draw, draw_means

    effects: dict[str, np.ndarray] = {}
    costs: dict[str, np.ndarray] = {}
    for name in runs.scenarios:
        if name == ref:
            continue
        d = _differences(wide, name, ref, 0.0, np.ones(5))
        for target, item in ((effects, "crises_avoided"), (costs, "incremental_cost_eur")):
            target[name] = draw_means(by_draw(pd.DataFrame({"draw": draws, "value": d[item]})))
    others = [n for n in runs.scenarios if n != ref]
    n_draws = len(effects[others[0]]) if others else 0
    effects[ref] = np.zeros(n_draws)  # the reference: no effect, no cost, against itself
    costs[ref] = np.zeros(n_draws)
    if wtp is None:
        icers = [
            float(np.nanmean(costs[n]) / np.nanmean(effects[n]))
            for n in others
            if np.nanmean(effects[n]) > 0 and np.nanmean(costs[n]) > 0
        ]
        top = max([100_000.0, *(2 * i for i in icers)])
        wtp = np.linspace(0.0, top, 41)
    names = list(runs.scenarios)
    e = np.vstack([effects[n] for n in names])  # strategies x draws
    c = np.vstack([costs[n] for n in names])
    ok = np.isfinite(e).all(axis=0) & np.isfinite(c).all(axis=0)
    rows = []
    for lam in np.asarray(wtp, dtype=float):
        nmb = lam * e[:, ok] - c[:, ok]
        best = nmb.max(axis=0)
        winners = np.isclose(nmb, best, rtol=1e-12, atol=1e-9)
        share = (
            (winners / winners.sum(axis=0)).mean(axis=1)
            if ok.any()
            else np.full(len(names), np.nan)
        )
        rows += [
            {"wtp": float(lam), "scenario": name, "probability": float(p)}
            for name, p in zip(names, share, strict=True)
        ]
    return pd.DataFrame(rows, columns=["wtp", "scenario", "probability"])


def _pairs(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(x) & np.isfinite(y)
    return np.asarray(x, dtype=float)[keep], np.asarray(y, dtype=float)[keep]


def return_ratio(
    benefits: np.ndarray, cost: np.ndarray, conf: float = 0.95
) -> tuple[float, float, float, int, str]:
    """Benefits / incremental cost: ``(ratio, ci_low, ci_high, pairs, note)``.

    Only defined when the strategy costs more than the reference on average.
    """
    x, y = _pairs(benefits, cost)
    if x.size == 0 or y.mean() == 0:
        return math.nan, math.nan, math.nan, int(x.size), "no_cost"
    if y.mean() < 0:
        return math.nan, math.nan, math.nan, int(x.size), "cheaper"
    return _with_interval(x, y, conf)


def cost_per_effect(
    cost: np.ndarray, effect: np.ndarray, conf: float = 0.95
) -> tuple[float, float, float, int, str]:
    """Incremental cost / effect (e.g. crises avoided): ``(ratio, ci_low, ci_high, pairs,
    note)``; only defined when the effect is positive and the cost not negative on average."""
    x, y = _pairs(cost, effect)
    if x.size == 0 or y.mean() <= 0:
        return math.nan, math.nan, math.nan, int(x.size), "no_crises"
    if x.mean() < 0:
        return math.nan, math.nan, math.nan, int(x.size), "dominant"
    return _with_interval(x, y, conf)


def _with_interval(
    x: np.ndarray, y: np.ndarray, conf: float
) -> tuple[float, float, float, int, str]:
    ratio = float(x.mean() / y.mean())
    if x.size < 2:
        return ratio, math.nan, math.nan, int(x.size), "few_pairs"
    lo, hi = fieller_interval(x, y, conf)
    return ratio, lo, hi, int(x.size), "unbounded" if math.isnan(lo) else ""


def fieller_interval(x: np.ndarray, y: np.ndarray, conf: float = 0.95) -> tuple[float, float]:
    """Fieller's ``conf`` interval for mean(x) / mean(y) from paired samples.

    NaN bounds when the interval is unbounded (mean(y) not clearly different from zero).
    """
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = x.size
    t2 = float(stats.t.ppf(0.5 + conf / 2, n - 1)) ** 2
    cov = np.cov(np.vstack([x, y]), ddof=1) / n  # variances of the means
    xm, ym = x.mean(), y.mean()
    a = ym**2 - t2 * cov[1, 1]
    b = -2.0 * (xm * ym - t2 * cov[0, 1])
    c = xm**2 - t2 * cov[0, 0]
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return math.nan, math.nan
    root = math.sqrt(disc)
    lo, hi = sorted(((-b - root) / (2 * a), (-b + root) / (2 * a)))
    return float(lo), float(hi)


def assumptions(value: float, weights: np.ndarray, language: str = "en") -> list[str]:
    """The assumptions behind :func:`value_for_money`, as sentences in ``language``."""
    names_en = (
        "hospital days",
        "public share of residential care",
        "emergency housing",
        "families' out-of-pocket spending",
        "quality of life",
    )
    names_it = (
        "giornate di ricovero",
        "quota pubblica delle RSA",
        "emergenza abitativa",
        "spesa delle famiglie",
        "qualità della vita",
    )
    names = names_it if language == "it" else names_en
    shares = "; ".join(f"{n} {w:.0%}" for n, w in zip(names, weights, strict=True))
    euros = f"{value:,.0f}".replace(",", ".") if language == "it" else f"{value:,.0f}"
    if language == "it":
        return [
            "Strategia e riferimento sono simulati con gli stessi semi casuali: ogni differenza "
            "è appaiata e dovuta alla politica, non al caso; gli intervalli sono al 95% sulle "
            "coppie (t di Student per le differenze, Fieller per i rapporti).",
            "Il costo incrementale è la variazione della spesa per i programmi (personale, "
            "prossimità, piattaforme, pagamenti a risultato, servizi, strutture); i costi di crisi "
            "evitati (ricoveri, RSA, emergenza abitativa) sono contati come benefici, non due "
            "volte.",
            "Cifre totali sull'intera durata della simulazione per tutta la città, senza "
            "attualizzazione.",
            f"Un anno di piena qualità della vita vale {euros} euro "
            "(economics.value_per_qol_year), dell'ordine delle soglie per QALY proposte in "
            "Italia; l'indice di qualità della vita del modello (penalità qol.*) non è una scala "
            "di utilità validata.",
            f"Quota di ciascun beneficio considerata (economics.benefit_weights): {shares}.",
            "Il rapporto di ritorno sociale è definito solo se la strategia costa più del "
            "riferimento; se costa meno, conta il beneficio netto.",
            "Sono esclusi i costi e i benefici non modellati: tempo dei volontari, produttività, "
            "salute oltre i ricoveri, costi di avvio delle piattaforme oltre quelli dichiarati.",
        ]
    return [
        "Strategy and reference run on the same random seeds: every difference is paired and "
        "due to the policy, not to chance; intervals are 95% over the pairs (Student's t for "
        "differences, Fieller for ratios).",
        "The incremental cost is the change in programme spending (staff, outreach, platforms, "
        "outcome payments, services, structures); crisis costs avoided (hospital, residential "
        "care, emergency housing) count as benefits, never twice.",
        "Totals over the whole simulated period for the whole city, undiscounted.",
        f"A year of full quality of life is worth EUR {euros} (economics.value_per_qol_year), "
        "the order of the cost-per-QALY thresholds proposed for Italy; the model's "
        "quality-of-life index (qol.* penalties) is not a validated utility scale.",
        f"Share of each benefit counted (economics.benefit_weights): {shares}.",
        "The social return ratio is defined only when the strategy costs more than the "
        "reference; when it costs less, read the net benefit.",
        "Costs and benefits not modelled are left out: volunteers' time, productivity, health "
        "beyond hospital admissions, platform set-up costs beyond those declared.",
    ]
