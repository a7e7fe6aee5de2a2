"""The indicator registry: every output declared once, with labels in English and Italian.

``summary`` says how a weekly series becomes one end-of-run figure: ``mean`` over weeks, ``sum``
over weeks, ``last`` value, or ``ratio:NUM/DEN`` (the ratio of two summed series, e.g. the mean
wait over all assessments rather than the mean of weekly means). ``by_group`` indicators are also
reported for every citizen group (see :data:`GROUP_VARS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


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
    _I("people_with_need", "People with a need", "Persone con un bisogno", "persons",
       "Residents living in the community with a need in at least one domain.", "mean", True),
    _I("unmet_need_share", "Unmet need", "Bisogno non coperto", "share",
       "Among residents with a need, the share with at least one need not met (care hours not "
       "covered by services, family or paid help; other needs without a service).", "mean", True),
    _I("people_with_unmet_need", "People with unmet need", "Persone con bisogno non coperto",
       "persons", "Residents with at least one unmet need.", "mean", True),
    _I("unmet_care_hours", "Unmet care hours", "Ore di cura mancanti", "hours/week",
       "Hours of care needed but not covered by anyone.", "mean"),
    _I("latent_needs", "Latent needs", "Bisogni latenti", "needs",
       "Needs never expressed to the services in the current episode.", "mean", True),
    _I("non_take_up_share", "Non-take-up", "Mancato accesso", "share",
       "Among needs of people eligible under the means test, the share never expressed as a "
       "request.", "mean", True),
    _I("non_take_up_care", "Non-take-up (care)", "Mancato accesso (cura)", "share",
       "Non-take-up among eligible care needs.", "mean"),
    _I("non_take_up_isolation", "Non-take-up (isolation)", "Mancato accesso (isolamento)",
       "share", "Non-take-up among isolated people (all eligible).", "mean"),
    _I("non_take_up_work", "Non-take-up (work/income)", "Mancato accesso (lavoro/reddito)",
       "share", "Non-take-up among eligible work/income needs: the figure comparable with "
       "non-take-up of minimum income (25-40% in Italy).", "mean"),
    _I("crises", "Crises", "Crisi", "events/week",
       "Crisis events this week (hospital admissions, loss of housing).", "sum"),
    _I("crises_per_1000", "Crises per 1,000", "Crisi per 1.000", "events/1,000 residents/year",
       "Crisis events per 1,000 residents, annualised.", "mean", True),
    _I("arrivals_per_week", "Requests", "Richieste", "requests/week",
       "Requests reaching the social office (arrivals of the queue).", "mean"),
    _I("mean_queue_length", "Queue for assessment", "Coda per la valutazione", "requests",
       "Time-average number of requests waiting for assessment.", "mean"),
    _I("assessments_started", "Assessments started", "Valutazioni avviate", "requests/week",
       "Assessments started by social workers.", "mean"),
    _I("mean_wait_weeks", "Waiting time", "Tempo di attesa", "weeks",
       "Mean wait from request to the start of assessment.",
       "ratio:wait_total_weeks/assessments_started", True),
    _I("wait_total_weeks", "Total waiting", "Attesa totale", "weeks",
       "Sum of the waits of assessments started (for averaging).", "sum"),
    _I("waiting_list", "Waiting list for services", "Lista d'attesa per i servizi", "persons",
       "Eligible cases assessed and waiting for a provider or for budget.", "mean"),
    _I("time_to_first_help_weeks", "Time to first help", "Tempo al primo aiuto", "weeks",
       "Mean weeks from the onset of a need to the first formal service, for people first "
       "helped.", "ratio:first_help_total_weeks/first_helped", True),
    _I("first_help_total_weeks", "Total time to first help", "Tempo totale al primo aiuto",
       "weeks", "Sum of times to first help (for averaging).", "sum"),
    _I("first_helped", "People first helped", "Persone aiutate per la prima volta",
       "persons/week", "Needs receiving their first formal service.", "sum"),
    _I("coverage", "Coverage", "Copertura", "share",
       "Among residents with a need, the share receiving a formal service.", "mean", True),
    _I("social_workers", "Social workers", "Assistenti sociali", "persons",
       "Social workers in the office.", "mean"),
    _I("office_utilisation", "Office utilisation", "Utilizzo dello sportello", "share",
       "Share of social workers' assessment time that is busy.", "mean"),
    _I("provider_utilisation", "Provider utilisation", "Utilizzo degli erogatori", "share",
       "Hours committed to cases over providers' capacity.", "mean"),
    _I("spending_staff_eur", "Staff spending", "Spesa per il personale", "EUR",
       "Municipal spending on social workers.", "sum"),
    _I("spending_outreach_eur", "Outreach spending", "Spesa per la prossimità", "EUR",
       "Municipal spending on outreach workers (proactive welfare).", "sum"),
    _I("spending_services_eur", "Service spending", "Spesa per i servizi", "EUR",
       "Municipal spending on services bought from providers.", "sum"),
    _I("spending_hospital_eur", "Hospital spending", "Spesa ospedaliera", "EUR",
       "Public cost of hospital days after crises (health service).", "sum"),
    _I("spending_residential_eur", "Residential care spending", "Spesa per RSA", "EUR",
       "Public share of residential care after crises.", "sum"),
    _I("spending_housing_eur", "Emergency housing spending", "Spesa per emergenza abitativa",
       "EUR", "Public cost of emergency housing after income crises.", "sum"),
    _I("public_spending_eur", "Public spending", "Spesa pubblica", "EUR",
       "All public spending: the sum of the items above.", "sum"),
    _I("out_of_pocket_eur", "Out-of-pocket spending", "Spesa delle famiglie", "EUR",
       "Families' own spending on private care and residential care.", "sum", True),
    _I("budget_remaining_eur", "Budget left this year", "Bilancio residuo dell'anno", "EUR",
       "Municipal budget left for the rest of the budget year.", "last"),
    _I("isolated_share", "Isolation", "Isolamento", "share",
       "Share of residents socially isolated.", "mean", True),
    _I("residential_care", "In residential care", "In RSA", "persons",
       "Residents admitted to residential care.", "last"),
    _I("outreach_contacts", "Outreach contacts", "Contatti di prossimità", "persons/week",
       "Residents contacted by outreach workers.", "sum"),
    _I("proactive_takeups", "Needs taken in charge proactively",
       "Bisogni presi in carico d'iniziativa", "needs/week",
       "Eligible needs found by outreach and taken in charge without a request.", "sum"),
    _I("informed_residents", "Residents newly informed", "Residenti informati",
       "persons/week", "Residents who learned about the services from outreach or word of "
       "mouth.", "sum"),
    _I("deaths", "Deaths", "Decessi", "persons/week", "Deaths (replaced by newcomers).", "sum"),
    _I("neet_activated", "NEET activated", "NEET attivati", "persons",
       "NEET whose work need a service resolved (cumulative).", "last"),
]

INDICATORS: Mapping[str, Indicator] = {i.key: i for i in INDICATOR_LIST}
"""Every indicator, keyed by its key."""

GROUP_INDICATORS: tuple[str, ...] = tuple(i.key for i in INDICATOR_LIST if i.by_group)

if len(INDICATORS) != len(INDICATOR_LIST):
    raise RuntimeError("indicator declared twice")
