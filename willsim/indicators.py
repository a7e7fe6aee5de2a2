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
from willsim.outputs import Each, Gap, In, Indicator, P, Q, Ratio, Spent, StdGap, Total
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


OLD = ("65-74", "75-84", "85+")
"""The age bands of residents aged 65 and over."""
WORKING_AGE_16_74 = ("15-29", "30-64", "65-74")
"""The age bands closest to 16-74 (the bands start at 15: 15-74)."""


def _take_up(domain: int | None) -> Ratio:
    if domain is None:
        return Ratio(
            P("collector.year_taken", reduce="sum"), P("collector.year_eligible", reduce="sum")
        )
    return Ratio(
        P("collector.year_taken", index=domain), P("collector.year_eligible", index=domain)
    )


_TAKE_UP = (
    "Among {whom}, the share who asked for help in that year (a request at the social office, "
    "or taken in charge by outreach; a request or service still open from an earlier year "
    "counts). Eligible: a need{domain} with the means test passed (ISEE at most "
    "eligibility.isee_max), living in the community, at some time in the year; one per resident "
    "and domain, residents who died in the year included. Yearly: the weekly series is the "
    "year to date; the end-of-run figure is the mean over complete reported years of 52 weeks "
    "(the partial year if the run is shorter)."
)
_TAKE_UP_IT = (
    "Tra {whom_it}, la quota che ha chiesto aiuto nell'anno (una domanda allo sportello sociale "
    "o la presa in carico dall'outreach; conta anche una domanda o un servizio aperti da un anno "
    "precedente). Aventi diritto: un bisogno{domain_it} entro la soglia ISEE "
    "(eligibility.isee_max), vivendo nella comunità, in qualche momento dell'anno. La serie "
    "settimanale è il dato da inizio anno; il valore di fine corsa è la media sugli anni "
    "completi (o l'anno parziale se la corsa è più breve)."
)


def _take_up_indicator(
    key: str,
    domain: int | None,
    label: str,
    label_it: str,
    note: str = "",
    tags: tuple[str, ...] = (),
) -> Indicator:
    names = {
        None: ("", ""),
        CARE: (" of care", " di cura"),
        ISOLATION: (" of isolation", " di isolamento"),
        WORK: (" of work or income", " di lavoro o reddito"),
    }
    dom, dom_it = names[domain]
    whom = (
        "needs of residents eligible in a year"
        if domain is None
        else (f"residents eligible in a year for help with a need{dom}")
    )
    whom_it = (
        "i bisogni dei residenti aventi diritto nell'anno"
        if domain is None
        else (f"i residenti aventi diritto nell'anno per un bisogno{dom_it}")
    )
    return Indicator(
        key,
        label,
        label_it,
        "share",
        _TAKE_UP.format(whom=whom, domain=dom) + note,
        _take_up(domain),
        summary="yearly",
        better=1,
        tags=tags,
        description_it=_TAKE_UP_IT.format(whom_it=whom_it, domain_it=dom_it),
    )


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
        "Non-take-up (current needs, a stock)",
        "Mancato accesso (bisogni in corso, uno stock)",
        "share",
        "A stock, not the sourced take-up: among the current needs of residents eligible under "
        "the means test, the share never expressed as a request in the current episode (latent "
        "episodes never expressed), each week. Long episodes weigh more than in a yearly count; "
        "the figure comparable with the sourced take-up is take_up_annual.",
        Ratio("eligible_unasked", "eligible_needs"),
        better=-1,
        tags=("key", "summary", "equity", "mesa"),
        groups=Ratio("eligible_unasked", "eligible_needs"),
        mid=0.02,
        mid_reason="Two points: sourced non-take-up ranges from about 25% to 40% (CSV: take-up "
        "of Reddito di Cittadinanza among eligible households | Italy | 2019; CSV: non-take-up "
        "of at least one benefit | EU (subset of countries) | c.2015; yearly figures, of which "
        "this stock is not a measure), so a smaller change is within what a measurement could "
        "tell apart (an assumption).",
        description_it="Uno stock, non il dato di fonte: tra i bisogni in corso di persone che "
        "rientrano nella soglia ISEE, la quota mai espressa con una richiesta nell'episodio in "
        "corso, ogni settimana. Il dato confrontabile con le fonti è take_up_annual.",
    ),
    Indicator(
        "non_take_up_care",
        "Non-take-up (care, current needs)",
        "Mancato accesso (cura, bisogni in corso)",
        "share",
        "A stock: among current care needs of eligible residents, the share never expressed in "
        "the current episode (see take_up_annual_care for the yearly take-up).",
        _non_take_up(CARE),
        better=-1,
    ),
    Indicator(
        "non_take_up_isolation",
        "Non-take-up (isolation, current needs)",
        "Mancato accesso (isolamento, bisogni in corso)",
        "share",
        "A stock: among isolated residents (all eligible), the share never expressed in the "
        "current episode (see take_up_annual_isolation for the yearly take-up).",
        _non_take_up(ISOLATION),
        better=-1,
    ),
    Indicator(
        "non_take_up_work",
        "Non-take-up (work/income, current needs)",
        "Mancato accesso (lavoro/reddito, bisogni in corso)",
        "share",
        "A stock: among current work/income needs of eligible residents, the share never "
        "expressed in the current episode. Not comparable with the non-take-up of minimum income, "
        "a yearly figure of a cash benefit (see take_up_annual_work).",
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
        "Share of residents socially isolated: an isolation need, living in the community (the "
        "residents in residential care count in the denominator), each week; by group, the "
        "share within the group (isolated_share[age_band=85+]: among residents 85+).",
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
        "Needs ended after help",
        "Bisogni chiusi dopo un aiuto",
        "needs/week",
        "Needs ending (not by death or admission to residential care) while or after the person "
        "was helped in that episode: a formal service, a platform match or peer help. It counts "
        "every such ending, including recoveries that would have happened without the help (the "
        "model's spontaneous recovery): not the needs the help resolved.",
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
        "durante o dopo un aiuto nello stesso episodio: un servizio formale, un abbinamento "
        "sulla piattaforma o l'aiuto tra pari; comprese le guarigioni che sarebbero avvenute "
        "anche senza aiuto.",
    ),
    Indicator(
        "cost_per_need_resolved",
        "Municipal spending per need ended after help",
        "Spesa comunale per bisogno chiuso dopo un aiuto",
        "EUR",
        "Municipal spending (staff, services, outreach, platforms: the budget that pays for "
        "help; not hospital, residential care or emergency housing, which are consequences) over "
        "the needs ended after help in the same period. Endings after help include recoveries "
        "that would have happened anyway, so this is not the cost of a need the help resolved.",
        Ratio(Spent(municipal=True), "needs_resolved"),
        summary="ratio:municipal_spending_eur/needs_resolved",
        better=-1,
        description_it="Spesa comunale (personale, servizi, outreach, piattaforme; non ricoveri, "
        "strutture o emergenza abitativa) sui bisogni chiusi dopo un aiuto nello stesso periodo; "
        "comprende guarigioni che sarebbero avvenute comunque.",
    ),
    Indicator(
        "equity_gap_digital",
        "Equity gap (digital skills, same age)",
        "Divario di equità (competenze digitali, a parità di età)",
        "share",
        "Unmet-need share among residents with a need and without basic digital skills minus "
        "that among those with them, within each age band, averaged with the weights of the "
        "age bands' residents with a need (age-standardised). Positive: those without skills "
        "are worse off. The crude difference (by group 'digital') mostly compares ages: the old, "
        "mostly without skills, have care needs that families often meet, the young work needs "
        "without a service.",
        StdGap("unmet", "with_need", "digital", "no", "yes", by="age_band"),
        better=-1,
        description_it="Quota con bisogno non coperto tra i residenti senza competenze digitali "
        "di base meno quella tra chi le ha, entro ogni fascia d'età, in media pesata (a parità "
        "di età). Positivo: chi non ha competenze sta peggio.",
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
    _take_up_indicator(
        "take_up_annual",
        None,
        "Take-up in the year",
        "Accesso nell'anno",
        tags=("summary",),
    ),
    _take_up_indicator(
        "take_up_annual_care",
        CARE,
        "Take-up in the year (care)",
        "Accesso nell'anno (cura)",
    ),
    _take_up_indicator(
        "take_up_annual_isolation",
        ISOLATION,
        "Take-up in the year (isolation)",
        "Accesso nell'anno (isolamento)",
    ),
    _take_up_indicator(
        "take_up_annual_work",
        WORK,
        "Take-up in the year (work/income)",
        "Accesso nell'anno (lavoro/reddito)",
        " The model has no minimum-income benefit: a request for a work/income need leads to "
        "an assessment and a job-coaching slot, so this is not the take-up of a cash benefit.",
    ),
    Indicator(
        "neet_share",
        "NEET 15-29",
        "NEET 15-29",
        "share",
        "Residents aged 15-29 neither in employment nor in education or training, as a share of "
        "residents aged 15-29, each week (mean over the reported weeks).",
        Ratio(In("residents", age_band="15-29", neet="yes"), In("residents", age_band="15-29")),
        better=-1,
        description_it="Residenti di 15-29 anni che non lavorano e non studiano, in quota dei "
        "residenti di 15-29 anni.",
    ),
    Indicator(
        "isolated_share_65",
        "Isolation, 65+",
        "Isolamento, 65+",
        "share",
        "Residents aged 65+ socially isolated (an isolation need, living in the community), as a "
        "share of residents aged 65+ (those in residential care in the denominator), each week.",
        Ratio(In("isolated", age_band=OLD), In("residents", age_band=OLD)),
        better=-1,
        description_it="Residenti di 65 anni e più socialmente isolati, in quota dei residenti "
        "di 65 anni e più.",
    ),
    Indicator(
        "care_need_share_65",
        "Non-self-sufficient, 65+",
        "Non autosufficienti, 65+",
        "share",
        "Residents aged 65+ with a care need (any level, in the community) or in residential "
        "care, as a share of residents aged 65+, each week.",
        Ratio(In("care_need", age_band=OLD), In("residents", age_band=OLD)),
        description_it="Residenti di 65 anni e più con un bisogno di cura (qualsiasi livello) o "
        "in struttura, in quota dei residenti di 65 anni e più.",
    ),
    Indicator(
        "municipal_spending_eur",
        "Municipal spending",
        "Spesa comunale",
        "EUR",
        "Spending paid from the municipal budget: the spending items that are municipal (staff, "
        "services, structures, cash, outreach, platforms), not hospital, residential care or "
        "emergency housing.",
        Total(Spent(municipal=True)),
        summary="sum",
        description_it="Spesa pagata dal bilancio comunale (personale, servizi, strutture, "
        "contributi, outreach, piattaforme); esclusi ricoveri, quota sanitaria delle RSA ed "
        "emergenza abitativa.",
    ),
    Indicator(
        "municipal_spending_per_resident",
        "Municipal spending per resident",
        "Spesa comunale per residente",
        "EUR/resident/year",
        "Municipal spending on the modelled areas (the municipal spending items: staff, "
        "services, structures (day centres), cash contributions, outreach, platforms; not "
        "health-funded care, hospital or emergency housing), "
        "EUR per resident per year: each week's spending over residents, times 52.",
        Ratio(Spent(municipal=True), "residents", scale=WEEKS_PER_YEAR),
        description_it="Spesa comunale sulle aree modellate, euro per residente all'anno.",
    ),
    Indicator(
        "absolute_poverty_share",
        "Absolute poverty",
        "Povertà assoluta",
        "share",
        "Residents in absolute poverty (the lowest income band), as a share of residents.",
        Ratio(In("residents", income=INCOME_BANDS[0]), "residents"),
        better=-1,
        description_it="Residenti in povertà assoluta (la fascia di reddito più bassa), in "
        "quota dei residenti.",
    ),
    Indicator(
        "digital_skills_share_65_74",
        "Digital skills, 65-74",
        "Competenze digitali, 65-74",
        "share",
        "Residents aged 65-74 with at least basic digital skills, as a share of residents 65-74.",
        Ratio(In("residents", age_band="65-74", digital="yes"), In("residents", age_band="65-74")),
        better=1,
        description_it="Residenti di 65-74 anni con competenze digitali almeno di base, in quota "
        "dei residenti di 65-74 anni.",
    ),
    Indicator(
        "digital_skills_share_16_74",
        "Digital skills, 15-74",
        "Competenze digitali, 15-74",
        "share",
        "Residents aged 15-74 (the age bands 15-29, 30-64 and 65-74; the source's population is "
        "16-74) with at least basic digital skills, as a share of residents 15-74.",
        Ratio(
            In("residents", age_band=WORKING_AGE_16_74, digital="yes"),
            In("residents", age_band=WORKING_AGE_16_74),
        ),
        better=1,
        description_it="Residenti di 15-74 anni (la fonte: 16-74) con competenze digitali almeno "
        "di base, in quota dei residenti di 15-74 anni.",
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
