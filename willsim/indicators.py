"""The indicator registry: every output declared once, with its formula, labels, unit and direction.

Each :class:`~willsim.outputs.Indicator` carries its formula over the collector's per-group
quantities and the quantities mechanisms publish (:mod:`willsim.outputs`), how its weekly series
becomes an end-of-run figure (``summary``), whether lower or higher is better (``better``) and
where it is shown (``tags``). The registry is this module's city-wide indicators, then each
phase's own (``indicators`` of :data:`willsim.phases.PHASES`), then one spending indicator per
spending item a phase declares. The collector, the results tables, Mesa's model reporters,
comparison verdicts and every key list are generated from it.
"""

from __future__ import annotations

from willsim.citizens import CARE, ISOLATION, WORK
from willsim.outputs import Each, Gap, Indicator, P, Q, Ratio, Spent, Total
from willsim.params import INCOME_BANDS
from willsim.units import WEEKS_PER_YEAR

__all__ = [
    "GROUP_INDICATORS",
    "GROUP_VARS",
    "INDICATORS",
    "INDICATOR_LIST",
    "Indicator",
    "refresh",
    "tagged",
]

GROUP_VARS: dict[str, tuple[str, str]] = {
    "age_band": ("Age band", "Fascia d'età"),
    "living_alone": ("Living alone", "Vive da solo"),
    "income": ("Income band", "Fascia di reddito"),
    "neet": ("NEET", "NEET"),
    "digital": ("Digital skills", "Competenze digitali"),
    "district": ("District", "Quartiere"),
}
"""The citizen groups by-group indicators are reported for (labels EN, IT)."""

_UNMET = Ratio("unmet", "with_need")


def _non_take_up(domain: int) -> Ratio:
    return Ratio(
        P("collector.unasked_by_domain", index=domain),
        P("collector.eligible_by_domain", index=domain),
    )


CITY_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "residents",
        "Residents",
        "Residenti",
        "persons",
        "Residents of the city.",
        Total("residents"),
        summary="last",
        groups=Total("residents"),
        description_it="Residenti della città.",
    ),
    Indicator(
        "people_with_need",
        "People with a need",
        "Persone con un bisogno",
        "persons",
        "Residents living in the community with a need in at least one domain.",
        Total("with_need"),
        groups=Total("with_need"),
        description_it="Residenti che vivono nella comunità con un bisogno in almeno un ambito.",
    ),
    Indicator(
        "unmet_need_share",
        "Unmet need",
        "Bisogno non coperto",
        "share",
        "Among residents with a need, the share with at least one need not met (care hours not "
        "covered by services, family or paid help; other needs without a service).",
        Ratio("unmet", "with_need"),
        better=-1,
        tags=("key", "headline", "summary", "equity", "mesa", "card"),
        groups=Ratio("unmet", "with_need"),
        mid=0.01,
        mid_reason="One point of the residents with a need (about 240 people in a city of "
        "120,000): survey shares of unmet need are published to about a point, so a smaller "
        "change could not be seen in the figures a council reads (an assumption).",
        share_of="people_with_need",
        description_it="Tra i residenti con un bisogno, la quota con almeno un bisogno non "
        "coperto (ore "
        "di cura non coperte da servizi, famiglia o aiuto a pagamento; altri bisogni "
        "senza un servizio).",
    ),
    Indicator(
        "people_with_unmet_need",
        "People with unmet need",
        "Persone con bisogno non coperto",
        "persons",
        "Residents with at least one unmet need.",
        Total("unmet"),
        better=-1,
        groups=Total("unmet"),
        description_it="Residenti con almeno un bisogno non coperto.",
    ),
    Indicator(
        "latent_needs",
        "Latent needs",
        "Bisogni latenti",
        "needs",
        "Needs never expressed to the services in the current episode.",
        Total("latent_needs"),
        better=-1,
        groups=Total("latent_needs"),
    ),
    Indicator(
        "non_take_up_share",
        "Non-take-up",
        "Mancato accesso",
        "share",
        "Among needs of people eligible under the means test, the share never expressed as a "
        "request.",
        Ratio("eligible_unasked", "eligible_needs"),
        better=-1,
        tags=("key", "summary", "equity", "mesa"),
        groups=Ratio("eligible_unasked", "eligible_needs"),
        mid=0.02,
        mid_reason="Two points: sourced non-take-up ranges from about 25% to 40% (CSV: take-up "
        "of Reddito di Cittadinanza among eligible households | Italy | 2019; CSV: non-take-up "
        "of at least one benefit | EU (subset of countries) | c.2015), so a smaller change is "
        "within what a measurement could tell apart (an assumption).",
        description_it="Tra i bisogni di persone che rientrano nella soglia ISEE, la quota mai "
        "espressa "
        "con una richiesta.",
    ),
    Indicator(
        "non_take_up_care",
        "Non-take-up (care)",
        "Mancato accesso (cura)",
        "share",
        "Non-take-up among eligible care needs.",
        _non_take_up(CARE),
        better=-1,
    ),
    Indicator(
        "non_take_up_isolation",
        "Non-take-up (isolation)",
        "Mancato accesso (isolamento)",
        "share",
        "Non-take-up among isolated people (all eligible).",
        _non_take_up(ISOLATION),
        better=-1,
    ),
    Indicator(
        "non_take_up_work",
        "Non-take-up (work/income)",
        "Mancato accesso (lavoro/reddito)",
        "share",
        "Non-take-up among eligible work/income needs: the figure comparable with non-take-up of "
        "minimum income (25-40% in Italy).",
        _non_take_up(WORK),
        better=-1,
    ),
    Indicator(
        "crises",
        "Crises",
        "Crisi",
        "events/week",
        "Crisis events this week (hospital admissions, loss of housing).",
        Total("crises"),
        summary="sum",
        better=-1,
    ),
    Indicator(
        "crises_per_1000",
        "Crises per 1,000",
        "Crisi per 1.000",
        "events/1,000 residents/year",
        "Crisis events per 1,000 residents, annualised.",
        Ratio("crises", "residents", scale=WEEKS_PER_YEAR * 1000),
        better=-1,
        tags=("key", "headline", "summary", "equity", "mesa", "card"),
        groups=Ratio("crises", "residents", scale=WEEKS_PER_YEAR * 1000),
        mid=0.5,
        mid_reason="Half a crisis per 1,000 residents a year, about 4% of the model's baseline "
        "(about 60 hospital admissions or losses of housing a year in a city of 120,000): "
        "smaller changes would not show in a city's own yearly figures (an assumption).",
        share_of="residents",
        description_it="Eventi di crisi (ricoveri, perdita della casa) ogni 1.000 residenti, su "
        "base "
        "annua.",
    ),
    Indicator(
        "time_to_first_help_weeks",
        "Time to first help",
        "Tempo al primo aiuto",
        "weeks",
        "Mean weeks from the onset of a need to the first formal service, for people first helped.",
        Ratio("first_help_total", "first_helped"),
        summary="ratio:first_help_total_weeks/first_helped",
        better=-1,
        tags=("key", "summary"),
        groups=Ratio("first_help_total", "first_helped"),
        mid=2.0,
        mid_reason="Two weeks: the statutory admission procedure for home help takes 30 to 90 "
        "days (CSV: maximum duration of SAD admission procedure | Cassano d'Adda (MI) | 2023); "
        "two weeks is a sixth of its upper bound, a delay a family notices (an assumption).",
        description_it="Settimane medie dall'insorgere di un bisogno al primo servizio formale, "
        "per le "
        "persone aiutate per la prima volta.",
    ),
    Indicator(
        "first_help_total_weeks",
        "Total time to first help",
        "Tempo totale al primo aiuto",
        "weeks",
        "Sum of times to first help (for averaging).",
        Total("first_help_total"),
        summary="sum",
    ),
    Indicator(
        "first_helped",
        "People first helped",
        "Persone aiutate per la prima volta",
        "persons/week",
        "Needs receiving their first formal service.",
        Total("first_helped"),
        summary="sum",
        better=1,
    ),
    Indicator(
        "coverage",
        "Coverage",
        "Copertura",
        "share",
        "Among residents with a need, the share receiving a formal service.",
        Ratio("served", "with_need"),
        better=1,
        tags=("key", "headline", "summary", "equity", "mesa"),
        groups=Ratio("served", "with_need"),
        mid=0.005,
        mid_reason="Half a point of the residents with a need (about 120 people in a city of "
        "120,000), a sixth of those the services reach in the model's baseline: a change a "
        "social-services department would see in its caseload (an assumption).",
        share_of="people_with_need",
        description_it="Tra i residenti con un bisogno, la quota che riceve un servizio formale.",
    ),
    Indicator(
        "public_spending_eur",
        "Public spending",
        "Spesa pubblica",
        "EUR",
        "All public spending: the sum of the items above.",
        Total(Spent()),
        summary="sum",
        tags=("key", "headline", "summary", "mesa", "card"),
        mid=1.0,
        mid_per="resident-year",
        mid_reason="One euro per resident a year (120,000 euros a year in a city of 120,000), "
        "about 2% of municipal social spending on the modelled areas (about 49 euros per "
        "resident: CSV: municipal social spending per capita, municipalities >50,000 "
        "inhabitants | Italy | 2022, times the areas' shares): a line a council would debate "
        "(an assumption).",
        description_it="Tutta la spesa pubblica: la somma delle voci di spesa.",
    ),
    Indicator(
        "out_of_pocket_eur",
        "Out-of-pocket spending",
        "Spesa delle famiglie",
        "EUR",
        "Families' own spending on private care and residential care.",
        Total(Q("out_of_pocket") + P("residential.family_residential")),
        summary="sum",
        better=-1,
        tags=("key", "summary", "equity", "card"),
        groups=Total("out_of_pocket"),
        mid=2.0,
        mid_per="resident-year",
        mid_reason="Two euros per resident a year, about 1% of what households spend on care "
        "workers (about 220 euros per resident a year: CSV: household spending on domestic "
        "work | Italy | 2023, over 59 million residents) (an assumption).",
        description_it="Spesa propria delle famiglie per assistenza privata e residenziale.",
    ),
    Indicator(
        "budget_remaining_eur",
        "Budget left this year",
        "Bilancio residuo dell'anno",
        "EUR",
        "Municipal budget left for the rest of the budget year.",
        Total(P("municipality.remaining")),
        summary="last",
    ),
    Indicator(
        "isolated_share",
        "Isolation",
        "Isolamento",
        "share",
        "Share of residents socially isolated.",
        Ratio("isolated", "residents"),
        better=-1,
        tags=("key", "summary"),
        groups=Ratio("isolated", "residents"),
        mid=0.005,
        mid_reason="Half a point of all residents (about 600 people in a city of 120,000), "
        "about a tenth of those isolated: the isolation survey publishes shares to the point "
        "(CSV: 65+ at risk of social isolation (no contacts and no aggregation places in a "
        "normal week) | Italy | 2023-2024) (an assumption).",
        share_of="residents",
        description_it="Quota dei residenti socialmente isolati.",
    ),
    Indicator(
        "neet_activated",
        "NEET activated",
        "NEET attivati",
        "persons",
        "NEET whose work need a service or a platform match resolved (cumulative).",
        Total(P("model.neet_activated")),
        summary="last",
        better=1,
    ),
    Indicator(
        "quality_of_life",
        "Quality of life",
        "Qualità della vita",
        "index 0-1",
        "Mean quality of life of residents: 1 less the losses (qol.*) for unmet care by level, "
        "isolation, unmet work/income need, a recent crisis and living in residential care; a met "
        "need gives back qol.met_restore of its loss.",
        Ratio("qol_loss", "residents", scale=-1.0, offset=1.0),
        better=1,
        tags=("key",),
        groups=Ratio("qol_loss", "residents", scale=-1.0, offset=1.0),
        mid=0.005,
        mid_reason="0.005 on the 0-1 index for the whole city: a strategy reaches mostly the "
        "fifth of residents with a need, for whom that is about 0.025, the lower end of the "
        "minimal important differences of validated utility scales (0.03-0.08 for EQ-5D); the "
        "index itself is not validated (an assumption).",
        description_it="Qualità della vita media dei residenti: 1 meno le perdite (qol.*) per "
        "cura non "
        "coperta secondo il livello, isolamento, bisogno di lavoro/reddito non coperto, "
        "una crisi recente e la vita in struttura; un bisogno coperto restituisce "
        "qol.met_restore della sua perdita.",
    ),
    Indicator(
        "qol_years",
        "Quality-adjusted years lived",
        "Anni di vita ponderati per la qualità",
        "years",
        "Years lived by residents weighted by their quality of life (one resident at full quality "
        "for a year = 1): the base of the value of quality-of-life gains.",
        Total(Q("residents") - Q("qol_loss"), scale=1 / WEEKS_PER_YEAR),
        summary="sum",
        better=1,
    ),
    Indicator(
        "needs_resolved",
        "Needs resolved",
        "Bisogni risolti",
        "needs/week",
        "Needs ending (not by death or admission to residential care) while or after the person "
        "was helped in that episode: a formal service, a platform match or peer help.",
        Total("needs_resolved"),
        summary="sum",
        better=1,
        tags=("key",),
        groups=Total("needs_resolved"),
        mid=0.0005,
        mid_per="resident-year",
        mid_reason="Half a need per 1,000 residents a year (about 60 a year in a city of "
        "120,000), a sixth of those the model's baseline resolves (an assumption).",
        description_it="Bisogni che si chiudono (non per decesso o ingresso in struttura) "
        "durante o dopo "
        "un aiuto nello stesso episodio: un servizio formale, un abbinamento sulla "
        "piattaforma o l'aiuto tra pari.",
    ),
    Indicator(
        "cost_per_need_resolved",
        "Public cost per need resolved",
        "Costo pubblico per bisogno risolto",
        "EUR",
        "All public spending over the needs resolved in the same period.",
        Ratio(Spent(), "needs_resolved"),
        summary="ratio:public_spending_eur/needs_resolved",
        better=-1,
    ),
    Indicator(
        "equity_gap_digital",
        "Equity gap (digital skills)",
        "Divario di equità (competenze digitali)",
        "share",
        "Unmet-need share among residents without basic digital skills minus that among residents "
        "with them (positive: those without skills are worse off).",
        Gap(_UNMET, "digital", "no", "yes"),
        better=-1,
    ),
    Indicator(
        "equity_gap_income",
        "Equity gap (income)",
        "Divario di equità (reddito)",
        "share",
        "Unmet-need share among residents in absolute poverty minus that among comfortable "
        "residents (positive: the poor are worse off).",
        Gap(_UNMET, "income", INCOME_BANDS[0], INCOME_BANDS[-1]),
        better=-1,
    ),
    Indicator(
        "trust",
        "Trust in institutions",
        "Fiducia nelle istituzioni",
        "index 0-1",
        "Mean trust of residents in the social services (an outreach contact adds "
        "outreach.trust_gain, 0 by default).",
        Ratio("trust", "residents"),
        better=1,
        groups=Ratio("trust", "residents"),
    ),
    Indicator(
        "provider_revenue_eur",
        "Provider revenue",
        "Ricavi degli erogatori",
        "EUR",
        "Payments received by providers: municipal fees for services, outcome payments, and "
        "platform sales net of the platform fee.",
        Total(Each("provider_revenue")),
        summary="sum",
    ),
)
"""The city-wide indicators (the mechanisms declare their own)."""


def _spending_indicator(item) -> Indicator:
    return Indicator(
        f"spending_{item.key}_eur",
        item.label,
        item.label_it,
        "EUR",
        item.description,
        Total(Spent(item.key)),
        summary="sum",
        better=item.better,
        tags=item.tags,
    )


def _declared() -> list[Indicator]:
    from willsim.phases import PHASES, spending_items

    found = list(CITY_INDICATORS)
    for mech in PHASES:
        found += mech.indicators
    found += [_spending_indicator(item) for item in spending_items()]
    keys = [i.key for i in found]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise RuntimeError(f"indicator declared twice: {', '.join(twice)}")
    return found


INDICATOR_LIST: list[Indicator] = []
"""Every indicator, in declaration order (kept up to date when a mechanism is plugged in)."""
INDICATORS: dict[str, Indicator] = {}
"""Every indicator, keyed by its key."""
GROUP_INDICATORS: tuple[str, ...] = ()
"""Keys of the indicators also reported for every citizen group."""


def refresh() -> None:
    """Rebuild the registry from the declarations (after :func:`willsim.phases.plug_in`)."""
    global GROUP_INDICATORS
    INDICATOR_LIST[:] = _declared()
    INDICATORS.clear()
    INDICATORS.update({i.key: i for i in INDICATOR_LIST})
    GROUP_INDICATORS = tuple(i.key for i in INDICATOR_LIST if i.by_group)
    from willsim import collector

    collector.OVERALL_KEYS = tuple(INDICATORS)


def tagged(tag: str) -> tuple[str, ...]:
    """Keys of the indicators carrying ``tag``, in declaration order."""
    return tuple(i.key for i in INDICATOR_LIST if tag in i.tags)


INDICATOR_LIST[:] = _declared()
INDICATORS.update({i.key: i for i in INDICATOR_LIST})
GROUP_INDICATORS = tuple(i.key for i in INDICATOR_LIST if i.by_group)
