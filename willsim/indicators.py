"""The indicator registry: every output declared once, with labels in English and Italian.

``summary`` says how a weekly series becomes one end-of-run figure: ``mean`` over weeks, ``sum``
over weeks, ``last`` value, or ``ratio:NUM/DEN`` (the ratio of two summed series, e.g. the mean
wait over all assessments rather than the mean of weekly means). ``by_group`` indicators are also
reported for every citizen group (see :data:`GROUP_VARS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Indicator:
    """Declaration of one output."""

    key: str
    label: str
    label_it: str
    unit: str
    description: str
    summary: str = "mean"
    by_group: bool = False
    better: int = 0
    """+1 if higher is better, -1 if lower is better, 0 if neither (a count, a price, a stock)."""
    tags: tuple[str, ...] = ()
    """Where the indicator is shown: ``key`` (comparison verdicts), ``headline`` (live charts and
    monitors), ``summary`` (the command line's summary), ``equity`` (who gains and who loses)."""

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (``en`` or ``it``)."""
        return self.label_it if lang == "it" else self.label


GROUP_VARS: dict[str, tuple[str, str]] = {
    "age_band": ("Age band", "Fascia d'età"),
    "living_alone": ("Living alone", "Vive da solo"),
    "income": ("Income band", "Fascia di reddito"),
    "neet": ("NEET", "NEET"),
    "digital": ("Digital skills", "Competenze digitali"),
    "district": ("District", "Quartiere"),
}

_I = Indicator
INDICATOR_LIST: list[Indicator] = [
    _I("residents", "Residents", "Residenti", "persons", "Residents of the city.", "last", True),
    _I(
        "people_with_need",
        "People with a need",
        "Persone con un bisogno",
        "persons",
        "Residents living in the community with a need in at least one domain.",
        "mean",
        True,
    ),
    _I(
        "unmet_need_share",
        "Unmet need",
        "Bisogno non coperto",
        "share",
        "Among residents with a need, the share with at least one need not met (care hours not "
        "covered by services, family or paid help; other needs without a service).",
        "mean",
        True,
    ),
    _I(
        "people_with_unmet_need",
        "People with unmet need",
        "Persone con bisogno non coperto",
        "persons",
        "Residents with at least one unmet need.",
        "mean",
        True,
    ),
    _I(
        "unmet_care_hours",
        "Unmet care hours",
        "Ore di cura mancanti",
        "hours/week",
        "Hours of care needed but not covered by anyone.",
        "mean",
    ),
    _I(
        "latent_needs",
        "Latent needs",
        "Bisogni latenti",
        "needs",
        "Needs never expressed to the services in the current episode.",
        "mean",
        True,
    ),
    _I(
        "non_take_up_share",
        "Non-take-up",
        "Mancato accesso",
        "share",
        "Among needs of people eligible under the means test, the share never expressed as a "
        "request.",
        "mean",
        True,
    ),
    _I(
        "non_take_up_care",
        "Non-take-up (care)",
        "Mancato accesso (cura)",
        "share",
        "Non-take-up among eligible care needs.",
        "mean",
    ),
    _I(
        "non_take_up_isolation",
        "Non-take-up (isolation)",
        "Mancato accesso (isolamento)",
        "share",
        "Non-take-up among isolated people (all eligible).",
        "mean",
    ),
    _I(
        "non_take_up_work",
        "Non-take-up (work/income)",
        "Mancato accesso (lavoro/reddito)",
        "share",
        "Non-take-up among eligible work/income needs: the figure comparable with "
        "non-take-up of minimum income (25-40% in Italy).",
        "mean",
    ),
    _I(
        "crises",
        "Crises",
        "Crisi",
        "events/week",
        "Crisis events this week (hospital admissions, loss of housing).",
        "sum",
    ),
    _I(
        "crises_per_1000",
        "Crises per 1,000",
        "Crisi per 1.000",
        "events/1,000 residents/year",
        "Crisis events per 1,000 residents, annualised.",
        "mean",
        True,
    ),
    _I(
        "arrivals_per_week",
        "Requests",
        "Richieste",
        "requests/week",
        "Requests reaching the social office (arrivals of the queue).",
        "mean",
    ),
    _I(
        "mean_queue_length",
        "Queue for assessment",
        "Coda per la valutazione",
        "requests",
        "Time-average number of requests waiting for assessment.",
        "mean",
    ),
    _I(
        "assessments_started",
        "Assessments started",
        "Valutazioni avviate",
        "requests/week",
        "Assessments started by social workers.",
        "mean",
    ),
    _I(
        "mean_wait_weeks",
        "Waiting time",
        "Tempo di attesa",
        "weeks",
        "Mean wait from request to the start of assessment.",
        "ratio:wait_total_weeks/assessments_started",
        True,
    ),
    _I(
        "wait_total_weeks",
        "Total waiting",
        "Attesa totale",
        "weeks",
        "Sum of the waits of assessments started (for averaging).",
        "sum",
    ),
    _I(
        "waiting_list",
        "Waiting list for services",
        "Lista d'attesa per i servizi",
        "persons",
        "Eligible cases assessed and waiting for a provider or for budget.",
        "mean",
    ),
    _I(
        "time_to_first_help_weeks",
        "Time to first help",
        "Tempo al primo aiuto",
        "weeks",
        "Mean weeks from the onset of a need to the first formal service, for people first helped.",
        "ratio:first_help_total_weeks/first_helped",
        True,
    ),
    _I(
        "first_help_total_weeks",
        "Total time to first help",
        "Tempo totale al primo aiuto",
        "weeks",
        "Sum of times to first help (for averaging).",
        "sum",
    ),
    _I(
        "first_helped",
        "People first helped",
        "Persone aiutate per la prima volta",
        "persons/week",
        "Needs receiving their first formal service.",
        "sum",
    ),
    _I(
        "coverage",
        "Coverage",
        "Copertura",
        "share",
        "Among residents with a need, the share receiving a formal service.",
        "mean",
        True,
    ),
    _I(
        "social_workers",
        "Social workers",
        "Assistenti sociali",
        "persons",
        "Social workers in the office.",
        "mean",
    ),
    _I(
        "office_utilisation",
        "Office utilisation",
        "Utilizzo dello sportello",
        "share",
        "Share of social workers' assessment time that is busy.",
        "mean",
    ),
    _I(
        "provider_utilisation",
        "Provider utilisation",
        "Utilizzo degli erogatori",
        "share",
        "Hours committed to cases over providers' capacity.",
        "mean",
    ),
    _I(
        "spending_staff_eur",
        "Staff spending",
        "Spesa per il personale",
        "EUR",
        "Municipal spending on social workers.",
        "sum",
    ),
    _I(
        "spending_outreach_eur",
        "Outreach spending",
        "Spesa per la prossimità",
        "EUR",
        "Municipal spending on outreach workers (proactive welfare).",
        "sum",
    ),
    _I(
        "spending_marketplace_eur",
        "Platform spending",
        "Spesa per la piattaforma",
        "EUR",
        "Municipal spending on the marketplace platform: running costs, accreditation, vouchers.",
        "sum",
    ),
    _I(
        "spending_community_eur",
        "Community platform spending",
        "Spesa per la piattaforma di comunità",
        "EUR",
        "Municipal spending on running the community platform (places, digital space).",
        "sum",
    ),
    _I(
        "spending_outcomes_eur",
        "Outcome payments",
        "Pagamenti a risultato",
        "EUR",
        "Municipal payments to providers for measured outcomes (outcome-based contracts).",
        "sum",
    ),
    _I(
        "spending_services_eur",
        "Service spending",
        "Spesa per i servizi",
        "EUR",
        "Municipal spending on services bought from providers.",
        "sum",
    ),
    _I(
        "spending_hospital_eur",
        "Hospital spending",
        "Spesa ospedaliera",
        "EUR",
        "Public cost of hospital days after crises (health service).",
        "sum",
    ),
    _I(
        "spending_residential_eur",
        "Residential care spending",
        "Spesa per RSA",
        "EUR",
        "Public share of residential care after crises.",
        "sum",
    ),
    _I(
        "spending_housing_eur",
        "Emergency housing spending",
        "Spesa per emergenza abitativa",
        "EUR",
        "Public cost of emergency housing after income crises.",
        "sum",
    ),
    _I(
        "public_spending_eur",
        "Public spending",
        "Spesa pubblica",
        "EUR",
        "All public spending: the sum of the items above.",
        "sum",
    ),
    _I(
        "out_of_pocket_eur",
        "Out-of-pocket spending",
        "Spesa delle famiglie",
        "EUR",
        "Families' own spending on private care and residential care.",
        "sum",
        True,
    ),
    _I(
        "budget_remaining_eur",
        "Budget left this year",
        "Bilancio residuo dell'anno",
        "EUR",
        "Municipal budget left for the rest of the budget year.",
        "last",
    ),
    _I(
        "isolated_share",
        "Isolation",
        "Isolamento",
        "share",
        "Share of residents socially isolated.",
        "mean",
        True,
    ),
    _I(
        "residential_care",
        "In residential care",
        "In RSA",
        "persons",
        "Residents admitted to residential care.",
        "last",
    ),
    _I(
        "outreach_contacts",
        "Outreach contacts",
        "Contatti di prossimità",
        "persons/week",
        "Residents contacted by outreach workers.",
        "sum",
    ),
    _I(
        "proactive_takeups",
        "Needs taken in charge proactively",
        "Bisogni presi in carico d'iniziativa",
        "needs/week",
        "Eligible needs found by outreach and taken in charge without a request.",
        "sum",
    ),
    _I(
        "informed_residents",
        "Residents newly informed",
        "Residenti informati",
        "persons/week",
        "Residents who learned about the services from outreach or word of mouth.",
        "sum",
    ),
    _I(
        "platform_users",
        "Platform users",
        "Utenti della piattaforma",
        "persons",
        "Residents registered on the marketplace platform.",
        "mean",
    ),
    _I(
        "platform_providers",
        "Platform providers",
        "Erogatori in piattaforma",
        "providers",
        "Providers active on the marketplace platform (not scaled).",
        "mean",
    ),
    _I(
        "platform_requests",
        "Platform requests",
        "Richieste in piattaforma",
        "requests/week",
        "Requests posted on the platform that families can afford.",
        "mean",
    ),
    _I(
        "platform_matches",
        "Platform matches",
        "Abbinamenti in piattaforma",
        "matches/week",
        "Requests matched to a provider.",
        "sum",
    ),
    _I(
        "match_time_weeks",
        "Match time",
        "Tempo di abbinamento",
        "weeks",
        "Mean weeks from first posting to a match.",
        "ratio:match_time_total_weeks/platform_matches",
    ),
    _I(
        "match_time_total_weeks",
        "Total match time",
        "Tempo totale di abbinamento",
        "weeks",
        "Sum of match times (for averaging).",
        "sum",
    ),
    _I(
        "platform_price",
        "Platform price",
        "Prezzo in piattaforma",
        "EUR/hour",
        "Hourly price on the platform after the aggregation discount.",
        "mean",
    ),
    _I(
        "platform_reputation",
        "Platform reputation",
        "Reputazione media",
        "score",
        "Mean reputation of active providers (accreditation or ratings).",
        "mean",
    ),
    _I(
        "community_participants",
        "Community participants",
        "Partecipanti alla comunità",
        "persons",
        "Residents taking part in the community platform (groups, activities).",
        "mean",
    ),
    _I(
        "community_volunteers",
        "Community volunteers",
        "Volontari della comunità",
        "persons",
        "Volunteers giving peer help through the community platform (helpers excluded).",
        "mean",
    ),
    _I(
        "community_helpers",
        "Beneficiaries turned helpers",
        "Beneficiari diventati volontari",
        "persons",
        "Participants who were helped and now help others in turn.",
        "mean",
    ),
    _I(
        "community_ties_made",
        "Ties made in the community",
        "Legami creati nella comunità",
        "ties/week",
        "New ties between participants made through the platform.",
        "sum",
    ),
    _I(
        "peer_help_hours",
        "Peer help hours",
        "Ore di aiuto tra pari",
        "hours/week",
        "Hours of volunteers and helpers meeting light needs (isolation, light care).",
        "mean",
    ),
    _I(
        "placed_care_level",
        "Case mix of new care cases",
        "Complessità dei nuovi casi",
        "level",
        "Mean care level (1-4) of care cases placed with providers: lower when "
        "providers pick easier cases.",
        "ratio:placed_care_level_total/placed_care_cases",
    ),
    _I(
        "placed_care_level_total",
        "Care levels placed",
        "Livelli di cura avviati",
        "level",
        "Sum of the care levels of cases placed (for averaging).",
        "sum",
    ),
    _I(
        "placed_care_cases",
        "Care cases placed",
        "Casi di cura avviati",
        "cases/week",
        "Care cases placed with providers.",
        "sum",
    ),
    _I("deaths", "Deaths", "Decessi", "persons/week", "Deaths (replaced by newcomers).", "sum"),
    _I(
        "neet_activated",
        "NEET activated",
        "NEET attivati",
        "persons",
        "NEET whose work need a service or a platform match resolved (cumulative).",
        "last",
    ),
    _I(
        "quality_of_life",
        "Quality of life",
        "Qualità della vita",
        "index 0-1",
        "Mean quality of life of residents: 1 less the losses (qol.*) for unmet care by level, "
        "isolation, unmet work/income need, a recent crisis and living in residential care; a "
        "met need gives back qol.met_restore of its loss.",
        "mean",
        True,
    ),
    _I(
        "qol_years",
        "Quality-adjusted years lived",
        "Anni di vita ponderati per la qualità",
        "years",
        "Years lived by residents weighted by their quality of life (one resident at "
        "full quality for a year = 1): the base of the value of quality-of-life gains.",
        "sum",
    ),
    _I(
        "needs_resolved",
        "Needs resolved",
        "Bisogni risolti",
        "needs/week",
        "Needs ending (not by death or admission to residential care) while or after the person "
        "was helped in that episode: a formal service, a platform match or peer help.",
        "sum",
        True,
    ),
    _I(
        "cost_per_need_resolved",
        "Public cost per need resolved",
        "Costo pubblico per bisogno risolto",
        "EUR",
        "All public spending over the needs resolved in the same period.",
        "ratio:public_spending_eur/needs_resolved",
    ),
    _I(
        "equity_gap_digital",
        "Equity gap (digital skills)",
        "Divario di equità (competenze digitali)",
        "share",
        "Unmet-need share among residents without basic digital skills minus that among "
        "residents with them (positive: those without skills are worse off).",
        "mean",
    ),
    _I(
        "equity_gap_income",
        "Equity gap (income)",
        "Divario di equità (reddito)",
        "share",
        "Unmet-need share among residents in absolute poverty minus that among comfortable "
        "residents (positive: the poor are worse off).",
        "mean",
    ),
    _I(
        "trust",
        "Trust in institutions",
        "Fiducia nelle istituzioni",
        "index 0-1",
        "Mean trust of residents in the social services (an outreach contact adds "
        "outreach.trust_gain, 0 by default).",
        "mean",
        True,
    ),
    _I(
        "provider_revenue_eur",
        "Provider revenue",
        "Ricavi degli erogatori",
        "EUR",
        "Payments received by providers: municipal fees for services, outcome payments, and "
        "platform sales net of the platform fee.",
        "sum",
    ),
    _I(
        "platform_provider_survival",
        "Platform provider survival",
        "Sopravvivenza degli erogatori in piattaforma",
        "share",
        "Among providers ever active on the marketplace platform, the share still active.",
        "last",
    ),
]

# Direction and tags of each indicator (to be folded into the declarations above).
_LOWER = {
    "mean_wait_weeks",
    "time_to_first_help_weeks",
    "unmet_need_share",
    "people_with_unmet_need",
    "unmet_care_hours",
    "latent_needs",
    "non_take_up_share",
    "non_take_up_care",
    "non_take_up_isolation",
    "non_take_up_work",
    "crises",
    "crises_per_1000",
    "waiting_list",
    "mean_queue_length",
    "isolated_share",
    "out_of_pocket_eur",
    "spending_hospital_eur",
    "spending_residential_eur",
    "spending_housing_eur",
    "cost_per_need_resolved",
    "equity_gap_digital",
    "equity_gap_income",
    "match_time_weeks",
}
_HIGHER = {
    "coverage",
    "first_helped",
    "neet_activated",
    "quality_of_life",
    "qol_years",
    "needs_resolved",
    "trust",
    "platform_provider_survival",
}
_TAGS: dict[str, tuple[str, ...]] = {
    "unmet_need_share": ("key", "headline", "summary", "equity"),
    "non_take_up_share": ("key", "summary", "equity"),
    "mean_wait_weeks": ("key", "headline", "summary", "equity"),
    "time_to_first_help_weeks": ("key", "summary"),
    "coverage": ("key", "headline", "summary", "equity"),
    "crises_per_1000": ("key", "headline", "summary", "equity"),
    "isolated_share": ("key", "summary"),
    "quality_of_life": ("key",),
    "needs_resolved": ("key",),
    "public_spending_eur": ("key", "headline", "summary"),
    "out_of_pocket_eur": ("key", "summary", "equity"),
    "waiting_list": ("headline", "summary"),
    "arrivals_per_week": ("summary",),
    "mean_queue_length": ("summary",),
    "office_utilisation": ("summary",),
    "provider_utilisation": ("summary",),
    "spending_staff_eur": ("summary",),
    "spending_services_eur": ("summary",),
}
INDICATOR_LIST = [
    replace(
        i, better=-1 if i.key in _LOWER else 1 if i.key in _HIGHER else 0, tags=_TAGS.get(i.key, ())
    )
    for i in INDICATOR_LIST
]

INDICATORS: Mapping[str, Indicator] = {i.key: i for i in INDICATOR_LIST}
"""Every indicator, keyed by its key."""

GROUP_INDICATORS: tuple[str, ...] = tuple(i.key for i in INDICATOR_LIST if i.by_group)

if len(INDICATORS) != len(INDICATOR_LIST):
    raise RuntimeError("indicator declared twice")


def tagged(tag: str) -> tuple[str, ...]:
    """Keys of the indicators carrying ``tag``, in declaration order."""
    return tuple(i.key for i in INDICATOR_LIST if tag in i.tags)
