"""Every model parameter, declared once, grouped by actor and mechanism.

Sources name a row of ``shared/data/calibration.csv`` as ``CSV: <quantity> | <geography> | <year>``
(the row carries its URL), a paper, a statute, ``assumption: <Name>`` (a modelling choice named
in the Assumptions tables of ``docs/ODD.md``) or ``setting: ...`` (a run setting or policy switch,
no claim about the world). City profiles in ``scenarios/cities/`` override the ``city.*`` group with
city-specific figures and record their own sources.
"""

from __future__ import annotations

from willsim.params.community import COMMUNITY
from willsim.params.economics import ECONOMICS, QOL
from willsim.params.governance import GOVERNANCE
from willsim.params.marketplace import MARKETPLACE
from willsim.params.priors import Prior
from willsim.params.registry import Param
from willsim.params.transitions import TRANSITIONS

AGE_BANDS: tuple[str, ...] = ("0-14", "15-29", "30-64", "65-74", "75-84", "85+")
DOMAINS: tuple[str, ...] = ("care", "isolation", "work")
INCOME_BANDS: tuple[str, ...] = ("absolute_poor", "working_poor", "middle", "comfortable")
PROVIDER_KINDS: tuple[str, ...] = ("municipal", "third_sector", "private")

_CSV = "CSV: "
_GS = "Gostoli & Silverman (2019), CareSim default parameters (shared/research/domain.md §3.2)"

MIN_SAMPLE = 300
"""The smallest weighted sample of residents (``run.residents``) a run accepts, other than 0:
below it a share of 10% carries a sampling error above 1.7 points (sqrt(0.1 * 0.9 / 300)), and
each simulated resident stands for about 400 people in Bergamo. 300 is also the smallest sample
the app's tests run."""

RUN = [
    Param(
        "run.seed",
        42,
        "seed",
        "Root random seed; every random stream is derived from it.",
        (
            "setting: the root seed of a run's random streams (results are reported over "
            "several seeds)"
        ),
        low=0,
        high=2**63 - 1,
        label="Seed",
        label_it="Seme casuale",
        description_it="Seme casuale di base; ogni flusso di numeri casuali ne deriva.",
    ),
    Param(
        "run.weeks",
        260,
        "weeks",
        "Number of weekly steps to simulate (260 = five years, WILL's own span).",
        "setting: the reported horizon (260 weeks = WILL's five-year span)",
        low=1,
        high=5200,
        label="Weeks",
        label_it="Settimane",
        description_it="Numero di settimane da simulare (260 = cinque anni, l'orizzonte di WILL).",
    ),
    Param(
        "run.burn_in_weeks",
        520,
        "weeks",
        "Weeks simulated before reported week 0 under the status quo (the city, its calibrated "
        "values and overrides; no policy, no scenario lever), never reported: the run starts "
        "from the stationary state of the status quo instead of from needs nobody has asked "
        "about yet. Policies and levers apply from reported week 0.",
        (
            "assumption: Burn-in (docs/ODD.md, 8.1; 520 weeks measured to bring the no-policy "
            "baseline's stocks to their stationary level: with 156 non-take-up still falls 3 "
            "points over the reported years, with 260 care needs fall 5% and the RSA waiting "
            "list a third over 10 reported years)"
        ),
        low=0,
        high=2600,
        label="Burn-in",
        label_it="Periodo di avvio",
        description_it="Settimane simulate prima della settimana 0 riportata, nello status quo "
        "(la città, i valori calibrati; nessuna politica né leva dello scenario), mai riportate: "
        "la simulazione parte dallo stato stazionario invece che da bisogni mai espressi.",
    ),
    Param(
        "run.residents",
        0,
        "residents",
        "Simulated residents. 0 = one agent per resident of "
        "the city; a smaller number draws a weighted sample whose outputs are scaled up.",
        "setting: the simulated sample size (0 = one agent per resident)",
        low=0,
        high=5_000_000,
        nonzero_low=MIN_SAMPLE,
        nonzero_low_why=(
            f"A weighted sample of fewer than {MIN_SAMPLE:,} residents is noise: each one stands "
            "for hundreds of people (about 400 in Bergamo even at the minimum) and a 10% share "
            "has a sampling error above 1.7 points; use 0 for the whole city."
        ),
        label="Simulated residents",
        label_it="Residenti simulati",
        description_it="Residenti simulati. 0 = un agente per ogni residente della città; un "
        "numero più piccolo estrae un campione pesato i cui risultati sono "
        "riportati all'intera città.",
    ),
    Param(
        "run.mesa_citizens",
        False,
        "flag",
        "Put every simulated resident in Mesa's agent set from the start (a Citizen view per "
        "resident, e.g. for a DataCollector with agent reporters). Off, a resident's Citizen "
        "agent is made on demand (model.citizen(i)); state and results are the same either way.",
        "setting: an inspection option of the Mesa layer; results do not depend on it",
        label="Mesa citizen agents",
        label_it="Agenti Mesa per cittadino",
        description_it="Inserisce ogni residente simulato nell'insieme di agenti di Mesa fin "
        "dall'inizio (una vista Citizen per residente, ad es. per un DataCollector con "
        "indicatori per agente). Disattivato, l'agente Citizen di un residente è creato su "
        "richiesta (model.citizen(i)); stato e risultati non cambiano.",
    ),
]

CITY = [
    Param(
        "city.population",
        100_000,
        "persons",
        "Resident population of the city.",
        (
            "CSV: resident population | Novara (comune) | 2023-12-31 (103,577, the smallest "
            "WILL city; 100,000 is a round typical size)"
        ),
        low=1_000,
        high=5_000_000,
        label="Population",
        label_it="Popolazione",
        description_it="Popolazione residente della città.",
    ),
    Param(
        "city.age_shares",
        [0.124, 0.152, 0.486, 0.121, 0.082, 0.035],
        "share",
        "Share of residents in each age band " + "/".join(AGE_BANDS) + "; must sum to 1.",
        _CSV + "residents aged 65+ (share) | Italy | 2022-01-01 (23.8% aged 65+); split of the "
        "other bands is an assumption",
        low=0,
        high=1,
        length=6,
        label="Age structure",
        label_it="Struttura per età",
        description_it="Quota di residenti in ciascuna fascia d'età "
        "0-14/15-29/30-64/65-74/75-84/85+; la somma deve essere 1.",
    ),
    Param(
        "city.living_alone_by_age",
        [0.0, 0.04, 0.12, 0.22, 0.36, 0.50],
        "share",
        "Share living alone in each age band.",
        (
            "CSV: share of 65+ residents living alone | Bergamo (comune) | c.2015-2016 "
            "(33.1%); CSV: share of 75+ women living alone | Italy | 2019 (49.2% women, 21.7% "
            "men); CSV: share of 80+ women living alone | Italy | 2019 (55.4%); under 65 "
            "assumption"
        ),
        low=0,
        high=1,
        length=6,
        label="Living alone by age",
        label_it="Persone sole per età",
        description_it="Quota di persone che vivono sole in ciascuna fascia d'età.",
    ),
    Param(
        "city.absolute_poverty_rate",
        0.097,
        "share",
        "Share of individuals in absolute poverty.",
        _CSV + "absolute poverty, individuals | Italy | 2023",
        low=0,
        high=0.6,
        label="Absolute poverty",
        label_it="Povertà assoluta",
        description_it="Quota di individui in povertà assoluta.",
    ),
    Param(
        "city.in_work_poverty_rate",
        0.115,
        "share",
        "Share of employed people at risk of poverty (the working poor).",
        _CSV + "in-work at-risk-of-poverty rate (18-64 employed) | Italy | 2022",
        low=0,
        high=0.6,
        label="In-work poverty",
        label_it="Lavoratori poveri",
        description_it="Quota di occupati a rischio di povertà (i lavoratori poveri).",
    ),
    Param(
        "city.neet_rate",
        0.161,
        "share",
        "Share of 15-29 year olds not in employment, education or training.",
        _CSV + "NEET rate 15-29 | Italy | 2023",
        low=0,
        high=0.6,
        label="NEET rate",
        label_it="Tasso di NEET",
        description_it="Quota di giovani di 15-29 anni che non studiano, non lavorano e non sono "
        "in formazione (NEET).",
    ),
    Param(
        "city.employment_rate_30_64",
        0.70,
        "share",
        "Share of 30-64 year olds in work.",
        (
            "assumption: Employment rate of the North (ISTAT employment rate of the North, "
            "not in the calibration table)"
        ),
        low=0.2,
        high=0.95,
        label="Employment 30-64",
        label_it="Occupazione 30-64",
        description_it="Quota di persone di 30-64 anni che lavorano.",
    ),
    Param(
        "city.digital_skills_by_age",
        [0.30, 0.60, 0.45, 0.193, 0.08, 0.03],
        "share",
        "Share with at least basic digital skills in each age band (for 0-14, a parent's).",
        _CSV + "at least basic digital skills, age 65-74 | Italy | 2023 (19.3%; 20-24 61.7%; "
        "16-74 45.7%); 75+ and 0-14 assumption",
        low=0,
        high=1,
        length=6,
        label="Digital skills by age",
        label_it="Competenze digitali per età",
        description_it="Quota con competenze digitali almeno di base in ciascuna fascia d'età "
        "(per 0-14 anni, quelle di un genitore).",
    ),
    Param(
        "city.districts",
        8,
        "count",
        "Number of districts (quartieri) of the city.",
        "assumption: City geography",
        low=1,
        high=60,
        label="Districts",
        label_it="Quartieri",
        description_it="Numero di quartieri della città.",
    ),
    Param(
        "city.radius_km",
        5.0,
        "km",
        "Radius of the city; residents' distance to the social "
        "office is drawn within it, districts further out being further away.",
        "assumption: City geography",
        low=0.5,
        high=40,
        label="City radius",
        label_it="Raggio della città",
        description_it="Raggio della città; la distanza dei residenti dallo sportello sociale è "
        "estratta entro questo raggio, e i quartieri più esterni sono più "
        "lontani.",
    ),
    Param(
        "city.social_spending_per_capita",
        182.0,
        "EUR/resident/year",
        "Municipal social spending per resident (net of user and NHS contributions).",
        _CSV + "municipal social spending per capita, municipalities >50,000 inhabitants | "
        "Italy | 2021",
        low=0,
        high=2_000,
        label="Social spending per resident",
        label_it="Spesa sociale per residente",
        description_it="Spesa sociale comunale per residente (al netto della compartecipazione "
        "degli utenti e del Servizio sanitario nazionale).",
    ),
    Param(
        "city.modelled_spending_share",
        0.315,
        "share",
        "Share of social spending on the areas the model covers (elderly 15.0% + poverty and "
        "adult hardship 10.8% + general 5.7%); the municipality's modelled budget.",
        (
            "CSV: share of municipal social spending: elderly | Italy | 2021; CSV: share of "
            "municipal social spending: poverty and adult hardship | Italy | 2021"
        ),
        low=0.01,
        high=1,
        label="Modelled share of spending",
        label_it="Quota di spesa modellata",
        description_it="Quota della spesa sociale destinata alle aree coperte dal modello "
        "(anziani 15,0% + povertà e disagio adulti 10,8% + multiutenza 5,7%): il "
        "bilancio comunale modellato.",
    ),
    Param(
        "city.residents_per_social_worker",
        5_000.0,
        "residents",
        "Residents per municipal social worker.",
        "CSV: LEP social worker ratio | Italy (each ATS) | 2021-",
        low=500,
        high=50_000,
        label="Residents per social worker",
        label_it="Residenti per assistente sociale",
        description_it="Residenti per assistente sociale comunale.",
    ),
    Param(
        "city.isee_band_edges",
        [9_360.0, 15_000.0, 30_000.0],
        "EUR",
        "ISEE (means-test indicator) edges of the income bands absolute poor / working poor / "
        "middle / comfortable.",
        (
            "assumption: ISEE bands and thresholds (9,360 EUR is the Reddito di Cittadinanza "
            "ISEE threshold, D.L. 4/2019)"
        ),
        low=0,
        high=200_000,
        length=3,
        label="ISEE band edges",
        label_it="Soglie ISEE delle fasce",
        description_it="Soglie ISEE (indicatore della situazione economica equivalente) tra le "
        "fasce di reddito poveri assoluti / lavoratori poveri / reddito medio / "
        "benestanti.",
    ),
]

NETWORK = [
    Param(
        "network.mean_ties",
        6.0,
        "count",
        "Mean number of social ties of a resident.",
        "assumption: Social network",
        low=0,
        high=50,
        label="Mean ties",
        label_it="Legami medi",
        description_it="Numero medio di legami sociali di un residente.",
    ),
    Param(
        "network.same_district_share",
        0.8,
        "share",
        "Share of ties formed inside one's own district.",
        "assumption: Social network",
        low=0,
        high=1,
        label="Ties within district",
        label_it="Legami nel quartiere",
        description_it="Quota dei legami formati all'interno del proprio quartiere.",
    ),
    Param(
        "network.isolated_ties_multiplier",
        0.3,
        "multiplier",
        "Ties of an isolated resident relative to others.",
        "assumption: Social network",
        low=0,
        high=1,
        label="Ties of isolated people",
        label_it="Legami delle persone isolate",
        description_it="Legami di un residente isolato rispetto agli altri.",
    ),
]

NEEDS = [
    Param(
        "needs.care_prevalence_by_age",
        [0.005, 0.006, 0.02, 0.12, 0.325, 0.638],
        "share",
        "Share with a care/autonomy need in each age band, at start and as the stationary target "
        "from which onset rates are derived.",
        _CSV + "non-self-sufficient older people | Italy | 2021 (28.4% of 65+; 32.5% of 75-84; "
        "63.8% of 85+); under 75 assumption",
        low=0,
        high=1,
        length=6,
        label="Care need by age",
        label_it="Bisogno di cura per età",
        description_it="Quota con un bisogno di cura o di autonomia in ciascuna fascia d'età, "
        "all'inizio e come livello stazionario da cui si ricavano i tassi di "
        "insorgenza.",
    ),
    Param(
        "needs.care_level_shares",
        [0.40, 0.30, 0.20, 0.10],
        "share",
        "Among people with a care need, share at each level (8/16/32/80 hours per week) as "
        "assumed before calibration. The number of entries sets the number of levels; residents "
        "start at the stationary shares the care dynamics imply (progression, recovery, crises, "
        "mortality; docs/ODD.md, initialisation), which calibration should bring close to these.",
        "assumption: Care levels",
        low=0,
        high=1,
        length=4,
        label="Care need levels",
        label_it="Livelli di bisogno di cura",
        description_it="Tra chi ha un bisogno di cura, quota a ciascun livello (8/16/32/80 ore a "
        "settimana).",
    ),
    Param(
        "needs.care_level_hours",
        [8.0, 16.0, 32.0, 80.0],
        "hours/week",
        "Hours of help per week needed at each care level.",
        _GS,
        low=0,
        high=168,
        length=4,
        label="Care hours by level",
        label_it="Ore di cura per livello",
        description_it="Ore di aiuto a settimana necessarie a ciascun livello di cura.",
    ),
    Param(
        "needs.care_progression",
        0.25,
        "prob/year",
        "Probability per year that an unmet care need rises one level.",
        (
            "Gostoli & Silverman (2019), CareSim default parameters "
            "(shared/research/domain.md §3.2) (transition parameter 0.7 on a different "
            "scale); assumption: Need dynamics without help (fitted by calibration)"
        ),
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.1,
            0.5,
            "CareSim's transition parameter is on a different scale, so only the order of "
            "magnitude carries over; the Morris screen in the December 2026 audit ranks this "
            "parameter first for public spending, so its range (from less than half to twice the "
            "default) must be narrowed by the need-prevalence and mortality targets",
        ),
        label="Care need progression",
        label_it="Aggravamento del bisogno di cura",
        description_it="Probabilità annua che un bisogno di cura non coperto salga di un livello.",
    ),
    Param(
        "needs.care_recovery",
        0.15,
        "prob/year",
        "Probability per year that a care need falls one level without formal help.",
        "assumption: Need dynamics without help (fitted by calibration)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.02,
            0.4,
            "no source; recovery of autonomy without formal help is rare in the old and common "
            "after an acute episode, so the range spans almost none to 0.4 a year; identified by "
            "the prevalence of non-self-sufficiency (CSV: non-self-sufficient older people | "
            "Italy | 2021) with progression and mortality",
        ),
        label="Care need recovery",
        label_it="Recupero autonomia",
        description_it="Probabilità annua che un bisogno di cura scenda di un livello senza "
        "aiuto formale.",
    ),
    Param(
        "needs.isolation_prevalence_by_age",
        [0.02, 0.03, 0.05, 0.10, 0.18, 0.32],
        "share",
        "Share socially isolated in each age band (at start and stationary target).",
        (
            "CSV: 65+ at risk of social isolation (no contacts and no aggregation places in a "
            "normal week) | Italy | 2023-2024 (65-74: 10%, 85+: 32%); 75-84 interpolated; "
            "under 65 assumption"
        ),
        low=0,
        high=1,
        length=6,
        label="Isolation by age",
        label_it="Isolamento per età",
        description_it="Quota di persone socialmente isolate in ciascuna fascia d'età "
        "(all'inizio e come livello stazionario).",
    ),
    Param(
        "needs.isolation_living_alone_multiplier",
        2.0,
        "multiplier",
        "Relative odds of isolation for people living alone.",
        "assumption: Isolation and living alone",
        low=1,
        high=10,
        label="Isolation if living alone",
        label_it="Isolamento se soli",
        description_it="Rischio relativo di isolamento per chi vive da solo.",
    ),
    Param(
        "needs.isolation_recovery",
        0.25,
        "prob/year",
        "Probability per year that isolation ends without help.",
        "assumption: Need dynamics without help (fitted by calibration)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.1,
            0.6,
            "no source for exits from isolation; PASSI d'Argento's trend from 21% (2016) to 13% "
            "(2024) (CSV: 65+ at risk of social isolation (no contacts and no aggregation places "
            "in a normal week) | Italy | 2023-2024) implies turnover, not a fixed state; with "
            "onset it sets the stationary share of isolated 65+",
        ),
        label="Isolation recovery",
        label_it="Uscita spontanea dall'isolamento",
        description_it="Probabilità annua che l'isolamento finisca senza aiuto.",
    ),
    Param(
        "needs.work_recovery",
        0.30,
        "prob/year",
        "Probability per year that a work/income need ends without help (a job is found).",
        "assumption: Need dynamics without help",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.1,
            0.8,
            "no source in the calibration table; most spells of unemployment or low income in "
            "the North end within one to two years, so 0.1 to 0.8 a year",
        ),
        label="Work need recovery",
        label_it="Uscita spontanea dal bisogno di lavoro",
        description_it="Probabilità annua che un bisogno di lavoro o di reddito finisca senza "
        "aiuto (si trova un lavoro).",
    ),
    Param(
        "needs.mortality_by_age",
        [0.0004, 0.0004, 0.002, 0.012, 0.04, 0.14],
        "prob/year",
        "Annual probability of death by age band. The dead are replaced by a newcomer of the "
        "same age band, keeping the population and its structure stationary.",
        (
            "CSV: crude death rate | Italy | 2023 (11.2 per 1,000 a year: these rates give "
            "10.7 on the default age shares, 0.0004 x 27.6% + 0.002 x 48.6% + 0.012 x 12.1% + "
            "0.04 x 8.2% + 0.14 x 3.5%, and 11.5 on Bergamo's, ODD 8.3); the age profile: "
            "assumption: Mortality by age"
        ),
        low=0,
        high=1,
        length=6,
        label="Mortality by age",
        label_it="Mortalità per età",
        description_it="Probabilità annua di morte per fascia d'età. Chi muore è sostituito da "
        "un nuovo residente della stessa fascia, così la popolazione e la sua "
        "struttura restano stazionarie.",
    ),
    Param(
        "needs.care_mortality_multiplier",
        1.5,
        "multiplier",
        "Mortality multiplier per care level above zero.",
        "assumption: Care mortality gradient (fitted by calibration)",
        low=1,
        high=5,
        prior=Prior(
            "uniform",
            1.0,
            2.0,
            "the December 2026 audit (D1): age mortality is already at life-table level, and "
            "with 1.5 deaths are 18.7 per 1,000 against 11.2 (CSV: crude death rate | Italy | "
            "2023), 11.7 with 1.0; above 2 no city could meet its death rate",
        ),
        label="Mortality with care need",
        label_it="Mortalità con bisogno di cura",
        description_it="Moltiplicatore della mortalità per ogni livello di bisogno di cura sopra "
        "lo zero.",
    ),
]

HELPSEEKING = [
    Param(
        "helpseeking.awareness",
        0.7,
        "share",
        "Share of residents who know the social services exist and how to ask.",
        "assumption: Help-seeking behaviour (calibrated to non-take-up of 25-40%)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.4,
            1.0,
            "no Italian measure of awareness of the social services; the audit found non-take-up "
            "of 37% at 1.0 and 55-63% at 0.7, against take-up of 61-73% (CSV: take-up of Reddito "
            "di Cittadinanza among eligible households | Italy | 2019) and non-take-up above a "
            "third (CSV: non-take-up of at least one benefit | EU (subset of countries) | "
            "c.2015), so 0.4 to 1 covers every plausible city",
        ),
        label="Awareness of services",
        label_it="Conoscenza dei servizi",
        description_it="Quota di residenti che sanno che i servizi sociali esistono e come "
        "rivolgersi a loro.",
    ),
    Param(
        "helpseeking.trust_mean",
        0.6,
        "score",
        "Mean trust in institutions (0-1).",
        "assumption: Help-seeking behaviour",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.3,
            0.9,
            "no sourced measure on this 0-1 score; the range keeps both low-trust and high-trust "
            "cities plausible; in the audit's screen trust moved non-take-up (mu* 0.09) but not "
            "outcomes",
        ),
        label="Trust in institutions",
        label_it="Fiducia nelle istituzioni",
        description_it="Fiducia media nelle istituzioni (da 0 a 1).",
    ),
    Param(
        "helpseeking.trust_sd",
        0.5,
        "score",
        "Standard deviation of trust across residents (normal, clipped to 0-1): the spread of "
        "the propensity to ask among residents who know the services.",
        "CSV: enrolment of likely-eligible non-enrolled elderly: control / information / "
        "information+assistance | Pennsylvania (USA) | 2016 (the control arm: 6% of persistent "
        "eligible non-claimers claim within 9 months; fitted in willsim/validation/"
        "outreach_trial.py, 15.4% at 0.15); at the top of its range: trust is the model's only "
        "continuous spread of propensity",
        low=0,
        high=0.5,
        label="Spread of trust",
        label_it="Variabilità fiducia",
        description_it="Deviazione standard della fiducia tra i residenti (normale, limitata a "
        "0-1): la dispersione della propensione a chiedere tra chi conosce i servizi.",
    ),
    Param(
        "helpseeking.ask_rate",
        [6.0, 1.5, 3.0],
        "events/year",
        "Rate at which an aware, fully trusting resident with easy access asks for help with a "
        "need, by domain care/isolation/work.",
        "assumption: Help-seeking behaviour (calibrated to non-take-up)",
        low=0,
        high=52,
        length=3,
        prior=Prior(
            "log-uniform",
            0.25,
            4.0,
            "tuned by hand to non-take-up; the audit found doubling them lowers non-take-up "
            "from 63% to 51%; a factor of four either side spans that response without making "
            "asking instantaneous",
            relative=True,
            elements=DOMAINS,
        ),
        label="Asking rate",
        label_it="Propensione a chiedere",
        description_it="Frequenza con cui un residente informato, pienamente fiducioso e con "
        "accesso facile chiede aiuto per un bisogno, per ambito "
        "cura/isolamento/lavoro.",
    ),
    Param(
        "helpseeking.stigma",
        [0.10, 0.40, 0.30],
        "share",
        "Share of the asking rate lost to stigma and complexity, by domain.",
        (
            "assumption: Help-seeking behaviour (C3 in shared/research/domain.md: information "
            "and complexity matter more than stigma)"
        ),
        low=0,
        high=1,
        length=3,
        prior=Prior(
            "uniform",
            0.0,
            0.7,
            "information and complexity matter more than stigma (C3 in shared/research/domain.md; "
            "stigma framing had no effect in CSV: EITC incomplete take-up | USA | c.2009); up to "
            "0.7 leaves room for heavy procedural costs in the isolation and work domains",
            elements=DOMAINS,
        ),
        label="Stigma and complexity",
        label_it="Stigma e complessità",
        description_it="Quota della propensione a chiedere persa per lo stigma e la complessità "
        "delle procedure, per ambito.",
    ),
    Param(
        "helpseeking.distance_decay_km",
        6.0,
        "km",
        "Distance at which access to the desk falls to 1/e (office hours, travel).",
        "assumption: Distance to the desk",
        low=0.1,
        high=100,
        label="Distance decay",
        label_it="Decadimento distanza",
        description_it="Distanza alla quale l'accesso allo sportello scende a 1/e (orari, "
        "spostamenti).",
    ),
    Param(
        "helpseeking.frail_access",
        0.5,
        "share",
        "Access to the desk of people living alone with a care need of 32+ hours per week.",
        "assumption: Help-seeking behaviour",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.2,
            1.0,
            "no source; frail people living alone reach the desk less easily (domain.md C8), by "
            "a factor of up to five",
        ),
        label="Access of frail people",
        label_it="Accesso delle persone fragili",
        description_it="Accesso allo sportello delle persone sole con un bisogno di cura di "
        "almeno 32 ore a settimana.",
    ),
    Param(
        "helpseeking.reapply_after",
        52.0,
        "weeks",
        "Weeks before a resident refused on means may ask again.",
        "assumption: Re-application and re-screening delays",
        low=1,
        high=520,
        label="Re-application delay",
        label_it="Attesa prima di richiedere",
        description_it="Settimane prima che un residente respinto per la soglia economica possa "
        "ripresentare domanda.",
    ),
]

OFFICE = [
    Param(
        "office.social_workers",
        0,
        "persons",
        "Social workers of the city's office; 0 derives them from "
        "city.residents_per_social_worker.",
        (
            "setting: 0 derives the staff from city.residents_per_social_worker (CSV: LEP "
            "social worker ratio | Italy (each ATS) | 2021-); a positive value overrides it"
        ),
        low=0,
        high=10_000,
        label="Social workers",
        label_it="Assistenti sociali",
        description_it="Assistenti sociali dello sportello cittadino; con 0 si ricavano da "
        "city.residents_per_social_worker.",
    ),
    Param(
        "office.hours_per_week",
        36.0,
        "hours/week",
        "Contract hours of a social worker.",
        (
            "assumption: Social worker time (36 hours: the national contract for "
            "local-authority staff)"
        ),
        low=1,
        high=60,
        label="Hours per social worker",
        label_it="Ore per assistente sociale",
        description_it="Ore contrattuali settimanali di un assistente sociale.",
    ),
    Param(
        "office.assessment_share",
        0.6,
        "share",
        "Share of social workers' time spent assessing new requests (the rest is case management).",
        "assumption: Social worker time",
        low=0.01,
        high=1,
        label="Time on assessment",
        label_it="Tempo dedicato alla valutazione",
        description_it="Quota del tempo degli assistenti sociali dedicata a valutare nuove "
        "domande (il resto va alla gestione dei casi).",
    ),
    Param(
        "office.assessment_hours",
        2.5,
        "hours",
        "Mean hours of work to assess one request (exponentially distributed).",
        "assumption: Social worker time",
        low=0.1,
        high=100,
        prior=Prior(
            "log-uniform",
            1.0,
            6.0,
            "no time-use study of Italian social workers in the table; an interview and its "
            "paperwork take one to six hours; with staffing it sets the office's throughput and "
            "the wait (CSV: maximum duration of SAD admission procedure | Cassano d'Adda (MI) | "
            "2023: 30 to 90 days)",
        ),
        label="Hours per assessment",
        label_it="Ore per valutazione",
        description_it="Ore di lavoro medie per valutare una domanda (distribuite in modo "
        "esponenziale).",
    ),
    Param(
        "office.salary",
        40_000.0,
        "EUR/year",
        "Yearly cost of one social worker.",
        (
            "CSV: LEP social worker ratio | Italy (each ATS) | 2021- (40,000 EUR state grant "
            "per worker)"
        ),
        low=0,
        high=200_000,
        label="Cost per social worker",
        label_it="Costo per assistente sociale",
        description_it="Costo annuo di un assistente sociale.",
    ),
    Param(
        "office.exogenous_requests",
        0.0,
        "events/week",
        "Validation mode: if above 0, the office receives only exogenous Poisson requests at "
        "this rate (the M/M/c check) and residents' own requests are switched off.",
        "setting: validation mode of the office queue (the M/M/c check); 0 = off",
        low=0,
        high=1_000_000,
        label="Exogenous requests",
        label_it="Richieste esogene",
        description_it="Modalità di validazione: se maggiore di 0, lo sportello riceve solo "
        "domande esogene di Poisson a questa frequenza (la verifica M/M/c) e le "
        "domande dei residenti sono disattivate.",
    ),
]

ELIGIBILITY = [
    Param(
        "eligibility.isee_max",
        [25_000.0, 1e9, 9_360.0],
        "EUR",
        "Highest ISEE that qualifies for a public service, by domain care/isolation/work "
        "(1e9 = universal).",
        (
            "assumption: ISEE bands and thresholds (9,360 EUR: Reddito di Cittadinanza "
            "threshold, D.L. 4/2019)"
        ),
        low=0,
        high=1e9,
        length=3,
        label="Means test",
        label_it="Soglia ISEE",
        description_it="ISEE massimo che dà diritto a un servizio pubblico, per ambito "
        "cura/isolamento/lavoro (1e9 = universale).",
    ),
]

SERVICES = [
    Param(
        "services.hours_per_case",
        [1.5, 2.0, 3.0],
        "hours/week",
        "Hours of formal service per week for one case, by domain care/isolation/work.",
        _CSV + "SAD hours per user | Italy | c.2020 (78 h/year = 1.5 h/week); others assumption",
        low=0.1,
        high=80,
        length=3,
        label="Hours per case",
        label_it="Ore per caso",
        description_it="Ore settimanali di servizio formale per un caso, per ambito "
        "cura/isolamento/lavoro.",
    ),
    Param(
        "services.max_duration",
        [520.0, 26.0, 26.0],
        "weeks",
        "Longest episode of service, by domain; care continues while the need lasts.",
        "assumption: Service episodes and effects",
        low=1,
        high=5200,
        length=3,
        label="Service duration",
        label_it="Durata del servizio",
        description_it="Durata massima di un episodio di servizio, per ambito; la cura prosegue "
        "finché dura il bisogno.",
    ),
    Param(
        "services.care_progression_multiplier",
        0.6,
        "multiplier",
        "Multiplier on care-need progression for people in formal care (times provider quality).",
        "assumption: Service episodes and effects",
        low=0,
        high=1,
        label="Care slows progression",
        label_it="Effetto della cura sull'aggravamento",
        description_it="Moltiplicatore dell'aggravamento del bisogno di cura per chi riceve "
        "assistenza formale (per la qualità dell'erogatore).",
    ),
    Param(
        "services.resolution",
        [0.10, 1.0, 1.2],
        "events/year",
        "Rate per year at which formal service resolves the need (at quality 1), by domain; "
        "for care it lowers the level by one.",
        ("assumption: Service episodes and effects (the care entry is fitted by calibration)"),
        low=0,
        high=52,
        length=3,
        prior=Prior(
            "log-uniform",
            0.5,
            2.0,
            "no effectiveness data for Italian services in the table; half to twice the "
            "default rates, to be narrowed by beneficiaries and take-up targets",
            relative=True,
            elements=DOMAINS,
        ),
        label="Service effect",
        label_it="Efficacia del servizio",
        description_it="Frequenza annua con cui il servizio formale risolve il bisogno (a "
        "qualità 1), per ambito; per la cura abbassa il livello di uno.",
    ),
    Param(
        "services.informal_hours",
        [24.0, 8.0],
        "hours/week",
        "Informal care hours available from family for people living with others / alone.",
        _GS + " (employed kin at distance 0 / 2)",
        low=0,
        high=168,
        length=2,
        label="Family care hours",
        label_it="Ore di cura familiare",
        description_it="Ore settimanali di cura informale disponibili dalla famiglia per chi "
        "vive con altri / da solo.",
    ),
    Param(
        "services.private_uptake",
        [0.082, 0.103, 0.124, 0.157],
        "share",
        "Probability that a resident with a care need, living with others and not severely "
        "limited, pays for private care (an hourly carer or a badante), by income band; times "
        "services.private_uptake_severe at care levels 3-4 and services.private_uptake_alone "
        "when living alone.",
        "ISTAT Rapporto annuale 2022 (2019 survey): 17% of 65+ with reduced autonomy pay for "
        "help (about 1M; bottom income fifth 11.2%, top 21.6%) "
        "(https://auaonline.it/2022/10/07/aumenta-lindice-di-vecchiaia-cambiano-i-bisogni/); "
        "CSV: estimated badanti (home care assistants), regular + irregular | Italy | 2019; "
        "CSV: non-self-sufficient older people | Italy | 2021 (derivation in docs/ODD.md 7.5b)",
        low=0,
        high=1,
        length=4,
        prior=Prior(
            "uniform",
            0.6,
            1.6,
            "about 1.0-1.1M paying households (17% of 6.4M with reduced autonomy; 1.02M badanti, "
            "60% irregular, 2019) over 3.96M non-self-sufficient 65+ gives 0.26-0.27 in the "
            "model's denominator; how many paying households sit among the non-self-sufficient "
            "(all, or as few as 60%) and the fuzziness of the badanti count give the range",
            relative=True,
            elements=INCOME_BANDS,
        ),
        label="Private care purchase",
        label_it="Acquisto di cura privata",
        description_it="Probabilità che un residente con un bisogno di cura, che vive con altri e "
        "senza limitazione grave, paghi cura privata (assistente a ore o badante), per fascia "
        "di reddito; moltiplicata per services.private_uptake_severe ai livelli 3-4 e per "
        "services.private_uptake_alone se vive da solo.",
    ),
    Param(
        "services.private_uptake_severe",
        1.7,
        "multiplier",
        "Private care purchase at care levels 3-4 (severe limitation) relative to levels 1-2.",
        "ISTAT Rapporto annuale 2022: paid help 23.6% with severe difficulties, 35.8% with "
        "difficulties in personal care, 17% overall "
        "(https://auaonline.it/2022/10/07/aumenta-lindice-di-vecchiaia-cambiano-i-bisogni/); "
        "ratio to the non-severe derived in docs/ODD.md 7.5b",
        low=1,
        high=5,
        prior=Prior(
            "uniform",
            1.4,
            2.6,
            "23.6/17 = 1.39 (severe against everyone, a lower bound); 35.8/13.7 = 2.6 (personal "
            "care against the non-severe, an upper bound); 1.7 if a third of the survey's "
            "reduced autonomy is severe",
        ),
        label="Private care, severe",
        label_it="Cura privata, gravi",
        description_it="Acquisto di cura privata ai livelli di cura 3-4 (limitazione grave) "
        "rispetto ai livelli 1-2.",
    ),
    Param(
        "services.private_uptake_alone",
        2.1,
        "multiplier",
        "Private care purchase by residents living alone relative to those living with others.",
        (
            "ISTAT Rapporto annuale 2022: paid help 25.7% among older people with reduced "
            "autonomy living alone, 17% overall "
            "(https://auaonline.it/2022/10/07/aumenta-lindice-di-vecchiaia-cambiano-i-bisogni/); "
            "CSV: share of 65+ residents living alone | Bergamo (comune) | c.2015-2016 "
            "(composition; docs/ODD.md 7.5b)"
        ),
        low=1,
        high=5,
        prior=Prior(
            "uniform",
            1.5,
            2.6,
            "25.7/17 = 1.51 (alone against everyone, a lower bound); 2.1 if 35% of the survey's "
            "reduced autonomy live alone; 2.6 if 45% do",
        ),
        label="Private care, living alone",
        label_it="Cura privata, chi vive solo",
        description_it="Acquisto di cura privata da parte di chi vive da solo rispetto a chi vive "
        "con altri.",
    ),
    Param(
        "services.family_available_alone",
        0.8,
        "share",
        "Share of residents living alone who have kin (children, siblings nearby) giving them "
        "care hours; residents living with others always have family hours.",
        "assumption: Kin availability for residents living alone",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.6,
            0.95,
            "18% of older people report a weak support network (ISTAT, Anziani: le condizioni di "
            "salute, 2015; same source as the severe-unmet row), more among those living alone; "
            "about 100k people 75+ live alone with no help at all (ISTAT 2021, 'Gli anziani e la "
            "loro domanda sociale e sanitaria'), a lower bound on kinless carers' absence",
        ),
        label="Kin for people living alone",
        label_it="Parenti per chi vive solo",
        description_it="Quota dei residenti che vivono da soli con parenti (figli, fratelli "
        "vicini) che danno loro ore di cura; chi vive con altri ha sempre ore familiari.",
    ),
    Param(
        "services.private_hours",
        20.0,
        "hours/week",
        "Hours per week bought by a family that buys private care.",
        _CSV + "average monthly household cost of domestic/care worker services | Italy | "
        "2023-07 (791 EUR/month)",
        low=0,
        high=168,
        label="Private care hours",
        label_it="Ore di cura privata",
        description_it="Ore settimanali acquistate da una famiglia che compra cura privata.",
    ),
    Param(
        "services.private_price",
        12.0,
        "EUR/hour",
        "Price of an hour of private care.",
        _CSV + "price of babysitting via municipal marketplace (WeMi) | Milan | 2018",
        low=0,
        high=100,
        label="Private hourly price",
        label_it="Prezzo orario privato",
        description_it="Prezzo di un'ora di cura privata.",
    ),
    Param(
        "services.care_met_share",
        0.8,
        "share",
        "A care need counts as met when formal, family and private hours cover this share of it.",
        "assumption: Met care threshold (fitted by calibration)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.5,
            1.0,
            "a judgement of when help is enough; identified by the share of severe needs with no "
            "or insufficient help (CSV: elderly with severe ADL limitation reporting no or "
            "insufficient help | Italy | 2015)",
        ),
        label="Care need met at",
        label_it="Bisogno coperto al",
        description_it="Un bisogno di cura è considerato coperto quando le ore formali, "
        "familiari e private ne coprono questa quota.",
    ),
]

PROVIDERS = [
    Param(
        "providers.hours_per_1000",
        [5.0, 4.0, 2.0],
        "hours/week",
        "Weekly hours of contracted capacity per 1,000 residents, by provider kind "
        "municipal/third_sector/private.",
        _CSV + "older people served by municipal home help (SAD) | Italy | 2020 (1.4% of 65+ "
        "at 1.5 h/week); split by kind assumption",
        low=0,
        high=1_000,
        length=3,
        prior=Prior(
            "log-uniform",
            0.5,
            3.0,
            "the municipal line follows SAD users (1.4% of 65+), the Third Sector and private "
            "lines are assumptions; the audit found 10 beneficiaries per 1,000 against 39 in "
            "scope (CSV: beneficiaries of municipal social services | Italy | 2022) and spending "
            "at 38% of the budget, so capacity may be up to three times the default, and it "
            "differs by city",
            scope="city",
            relative=True,
            elements=PROVIDER_KINDS,
        ),
        label="Capacity per 1,000 residents",
        label_it="Capacità per 1.000 residenti",
        description_it="Ore settimanali di capacità a contratto ogni 1.000 residenti, per tipo "
        "di erogatore comunale/Terzo Settore/privato.",
    ),
    Param(
        "providers.count",
        [1.0, 6.0, 4.0],
        "count",
        "Number of providers of each kind municipal/third_sector/private.",
        "assumption: Provider market structure",
        low=0,
        high=500,
        length=3,
        label="Providers",
        label_it="Erogatori",
        description_it="Numero di erogatori di ciascun tipo comunale/Terzo Settore/privato.",
    ),
    Param(
        "providers.unit_cost",
        [22.0, 19.0, 20.0],
        "EUR/hour",
        "Cost of an hour of service by provider kind municipal/third_sector/private.",
        (
            "CSV: full hourly cost of municipal home help (SAD) | Monopoli (Puglia) | 2018 "
            "(13.80, South); CSV: maximum user tariff for SAD | Verdello (BG, Lombardy) | "
            "c.2023 (18.68, below real cost); North level assumption"
        ),
        low=0,
        high=200,
        length=3,
        label="Hourly cost",
        label_it="Costo orario",
        description_it="Costo di un'ora di servizio per tipo di erogatore comunale/Terzo "
        "Settore/privato.",
    ),
    Param(
        "providers.quality_sd",
        0.2,
        "score",
        "Spread of providers' hidden quality (mean 1 = the service effect as declared).",
        "assumption: Provider market structure",
        low=0,
        high=1,
        label="Spread of quality",
        label_it="Variabilità qualità",
        description_it="Variabilità della qualità nascosta degli erogatori (media 1 = l'effetto "
        "del servizio come dichiarato).",
    ),
    Param(
        "providers.min_cases_per_line",
        1.0,
        "count",
        "In a small city the number of providers of a kind falls below providers.count so that "
        "each keeps room for at least this many cases on each of its service lines (a town of "
        "5,000 has no six Third Sector organisations with 3 hours a week each).",
        "assumption: Provider market structure",
        low=0,
        high=100,
        label="Smallest provider (cases per line)",
        label_it="Erogatore minimo (casi per linea)",
        description_it="In una città piccola il numero di erogatori di un tipo scende sotto "
        "providers.count, così che ciascuno abbia spazio per almeno questo "
        "numero di casi su ciascuna delle sue linee di servizio (un comune di "
        "5.000 abitanti non ha sei organizzazioni del Terzo Settore da 3 ore a "
        "settimana ciascuna).",
    ),
]

CRISES = [
    Param(
        "crises.care_by_level",
        [0.04, 0.08, 0.16, 0.35],
        "prob/year",
        "Probability per year of a crisis (hospital admission) with an unmet care need, by level.",
        "assumption: Crisis risk of unmet care",
        low=0,
        high=1,
        length=4,
        prior=Prior(
            "log-uniform",
            0.5,
            2.0,
            "no hospitalisation rates by level of dependency in the table; half to twice the "
            "default at every level",
            relative=True,
            elements=("level1", "level2", "level3", "level4"),
        ),
        label="Care crisis risk",
        label_it="Rischio di crisi (cura)",
        description_it="Probabilità annua di una crisi (ricovero in ospedale) con un bisogno di "
        "cura non coperto, per livello.",
    ),
    Param(
        "crises.met_multiplier",
        0.5,
        "multiplier",
        "Crisis risk of a care need whose hours are fully covered, relative to one with no help; "
        "in between, the risk falls in proportion to the share of hours covered.",
        "assumption: Crisis risk of unmet care (fitted by calibration)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.2,
            1.0,
            "no source; met care lowers the risk of admission by up to 80% or not at all",
        ),
        label="Risk when met",
        label_it="Rischio se coperto",
        description_it="Rischio di crisi di un bisogno di cura coperto, rispetto a uno non "
        "coperto.",
    ),
    Param(
        "crises.isolation_multiplier",
        1.49,
        "multiplier",
        "Crisis risk multiplier for isolated people.",
        "PASSI d'Argento 2021-22 via shared/research/domain.md C9 (hospitalisation +49%, "
        "associational)",
        low=1,
        high=5,
        label="Isolation raises risk",
        label_it="L'isolamento aumenta il rischio",
        description_it="Moltiplicatore del rischio di crisi per le persone isolate.",
    ),
    Param(
        "crises.work",
        0.006,
        "prob/year",
        "Probability per year that an unmet work/income need of an adult living independently "
        "ends in a crisis (loss of housing).",
        "CSV: evictions executed (with bailiff) | Bergamo (province) | 2024; 0.315 per 1,000 "
        "residents a year, the housing-loss target; the rate per unmet need that gives it, "
        "measured on the Bergamo baseline (docs/ODD.md, 8.6)",
        low=0,
        high=1,
        prior=Prior(
            "log-uniform",
            0.002,
            0.05,
            "about 1 eviction executed per 1,000 households a year (CSV: evictions executed per "
            "household | Italy | 2019 (2014-2019 average level); 0.81 in 2023 from CSV: "
            "evictions executed (with bailiff) "
            "| Italy | 2023); if most fall on the tenth of households with a work or income need, "
            "their yearly rate is of the order of 0.01; the default 0.05 is the top of the range "
            "(the audit, D7: the second most influential parameter of its Morris screen)",
        ),
        label="Income crisis risk",
        label_it="Rischio di crisi (reddito)",
        description_it="Probabilità annua che un bisogno di lavoro o di reddito non coperto "
        "finisca in una crisi (perdita della casa).",
    ),
    Param(
        "crises.hospital_days",
        8.0,
        "days",
        "Length of a hospital stay after a care crisis.",
        "assumption: Hospital stay after a crisis",
        low=0,
        high=120,
        label="Hospital stay",
        label_it="Degenza",
        description_it="Durata della degenza ospedaliera dopo una crisi di cura.",
    ),
    Param(
        "crises.hospital_day_cost",
        374.6,
        "EUR",
        "Public cost of one hospital day.",
        (
            "CSV: hospital acute-care day cost (complexity-weighted) | Bergamo (ASST Papa "
            "Giovanni XXIII) | 2024"
        ),
        low=0,
        high=5_000,
        label="Hospital day cost",
        label_it="Costo giornata ospedaliera",
        description_it="Costo pubblico di una giornata di degenza ospedaliera.",
    ),
    Param(
        "crises.residential_share",
        0.3,
        "share",
        "Share of crises at the highest care level that end in admission to residential care.",
        "assumption: Residential admission after a crisis (fitted by calibration)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.1,
            0.6,
            "no source for the route into RSA; identified by residents per 65+ (CSV: RSA beds "
            "per 100 residents aged 65+ | Lombardy | 2023)",
        ),
        label="Admission to residential care",
        label_it="Ingresso in RSA",
        description_it="Quota delle crisi al livello di cura più alto che portano al ricovero in "
        "una struttura residenziale (RSA).",
    ),
    Param(
        "crises.housing_cost",
        6_000.0,
        "EUR/case",
        "Public cost of an emergency housing case after an income crisis.",
        "assumption: Emergency housing cost",
        low=0,
        high=100_000,
        prior=Prior(
            "log-uniform",
            2000.0,
            15000.0,
            "no source; emergency housing for a few months to a year; not identified by the city "
            "targets, so it is sampled in uncertainty runs and never fitted",
            fit=False,
        ),
        label="Emergency housing cost",
        label_it="Costo emergenza abitativa",
        description_it="Costo pubblico di un caso di emergenza abitativa dopo una crisi di "
        "reddito.",
    ),
]

MUNICIPALITY = [
    Param(
        "municipality.budget_multiplier",
        1.0,
        "multiplier",
        "Multiplier on the modelled annual budget (population x spending per resident x "
        "modelled share); below 1 is a budget cut.",
        (
            "setting: a policy lever; 1 = the modelled budget "
            "(city.social_spending_per_capita x city.modelled_spending_share, both "
            "CSV-sourced)"
        ),
        low=0,
        high=10,
        label="Budget multiplier",
        label_it="Moltiplicatore del bilancio",
        description_it="Moltiplicatore del bilancio annuo modellato (popolazione x spesa per "
        "residente x quota modellata); sotto 1 è un taglio di bilancio.",
    ),
    Param(
        "municipality.capacity_follows_budget",
        1.0,
        "share",
        "Share of a budget change passed on to the hours the municipality contracts with "
        "providers (municipal home help, Third Sector and private contractors): contracted "
        "hours = calibrated hours x (1 + share x (budget multiplier - 1)). Cases already in "
        "service finish; no new placements until the load is under the new capacity.",
        _CSV + "older people served by municipal home help (SAD) | Italy | 2020 (SAD spending "
        "fell from 357M to 328M EUR in 2004-2020 and users from 2.1% to 1.4% of 65+: "
        "hours are bought out of the social budget); share 1 assumption",
        low=0,
        high=1,
        label="Contracted hours follow the budget",
        label_it="Le ore a contratto seguono il bilancio",
        description_it="Quota di una variazione di bilancio trasferita alle ore che il comune "
        "acquista dagli erogatori (assistenza domiciliare comunale, Terzo "
        "Settore e privati a contratto): ore a contratto = ore calibrate x "
        "(1 + quota x (moltiplicatore del bilancio - 1)). I casi già in carico "
        "proseguono; nessun nuovo inserimento finché il carico non scende sotto "
        "la nuova capacità.",
    ),
    Param(
        "municipality.capacity_ceiling",
        1.2,
        "multiplier",
        "Most contracted hours a budget increase can buy, relative to the calibrated hours: "
        "providers must hire and train staff, so extra money beyond this stays unspent.",
        "assumption: Short-run capacity ceiling",
        low=1,
        high=10,
        label="Ceiling on extra contracted hours",
        label_it="Tetto alle ore a contratto aggiuntive",
        description_it="Massimo di ore a contratto che un aumento di bilancio può acquistare, "
        "rispetto alle ore calibrate: gli erogatori devono assumere e formare "
        "personale, quindi il denaro oltre questo tetto resta non speso.",
    ),
]

_C1 = (
    "CSV: enrolment of likely-eligible non-enrolled elderly: control / information / "
    "information+assistance | Pennsylvania (USA) | 2016 (6 / 11 / 18% in 9 months)"
)

OUTREACH = [
    Param(
        "outreach.enabled",
        False,
        "flag",
        "Proactive welfare is running (switched on by an 'outreach' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Outreach on",
        label_it="Welfare di iniziativa attivo",
        description_it="Il welfare di iniziativa è attivo (acceso da una politica 'outreach').",
    ),
    Param(
        "outreach.hours_per_1000",
        4.0,
        "hours/week",
        "Outreach workers' hours per week per 1,000 residents.",
        "assumption: Outreach staffing and cost",
        low=0,
        high=500,
        label="Outreach hours per 1,000",
        label_it="Ore di prossimità per 1.000",
        description_it="Ore settimanali degli operatori di prossimità ogni 1.000 residenti.",
    ),
    Param(
        "outreach.hours_per_contact",
        1.0,
        "hours",
        "Hours to contact and screen one resident (a call or a visit).",
        "assumption: Outreach staffing and cost",
        low=0.05,
        high=20,
        label="Hours per contact",
        label_it="Ore per contatto",
        description_it="Ore per contattare e valutare un residente (una telefonata o una visita).",
    ),
    Param(
        "outreach.hour_cost",
        25.0,
        "EUR/hour",
        "Cost of an hour of outreach work.",
        ("assumption: Outreach staffing and cost (social worker or educator, employer cost)"),
        low=0,
        high=200,
        label="Outreach hourly cost",
        label_it="Costo orario della prossimità",
        description_it="Costo di un'ora di lavoro di prossimità.",
    ),
    Param(
        "outreach.targeting",
        "risk",
        "choice",
        "Who is contacted: at random, by a risk score from the municipality's data (age, "
        "living alone, income band, past crises), or through community antennas "
        "(well-connected residents who report needs among their ties).",
        "assumption: WILL policy design",
        choices=("random", "risk", "antennas"),
        label="Targeting",
        label_it="Criterio di selezione",
        description_it="Chi viene contattato: a caso, secondo un punteggio di rischio costruito "
        "sui dati del Comune (età, vivere soli, fascia di reddito, crisi "
        "passate), oppure tramite antenne di comunità (residenti ben collegati "
        "che segnalano i bisogni tra i loro contatti).",
    ),
    Param(
        "outreach.take_charge",
        True,
        "flag",
        "Residents contacted are helped with the application (information plus help): a "
        "request is filed for their needs that pass the means test, and the office assesses "
        "it like any request; off: residents are only informed.",
        _C1,
        label="Take in charge",
        label_it="Presa in carico",
        description_it="I residenti contattati sono aiutati a presentare la domanda "
        "(informazione più aiuto): la domanda per i bisogni entro la soglia ISEE "
        "viene valutata dallo sportello come ogni altra; se disattivato, i "
        "residenti sono solo informati.",
    ),
    Param(
        "outreach.accept",
        0.09,
        "share",
        "Share of residents found with a need who accept help with the application (a "
        "request filed with the worker).",
        _C1 + "; fitted to the assistance arm's absolute enrolment (18%) in "
        "willsim/validation/outreach_trial.py",
        low=0,
        high=1,
        label="Acceptance",
        label_it="Adesione",
        description_it="Quota dei residenti trovati con un bisogno che accettano aiuto con la "
        "domanda (presentata con l'operatore).",
    ),
    Param(
        "outreach.inform_effect",
        0.18,
        "share",
        "Share of contacted residents unaware of the services in whom the information "
        "registers (they become aware).",
        _C1 + "; fitted to the information arm's absolute enrolment (11%) in "
        "willsim/validation/outreach_trial.py",
        low=0,
        high=1,
        label="Information registers",
        label_it="Informazione recepita",
        description_it="Quota dei residenti contattati che non conoscono i servizi nei quali "
        "l'informazione viene recepita (ne vengono a conoscenza).",
    ),
    Param(
        "outreach.trust_gain",
        0.0,
        "score",
        "Trust gained by a resident who is contacted.",
        _C1 + "; any gain pushes the information effect above the trial's",
        low=0,
        high=1,
        label="Trust gained",
        label_it="Fiducia guadagnata",
        description_it="Fiducia guadagnata da un residente che viene contattato.",
    ),
    Param(
        "outreach.word_of_mouth",
        0.15,
        "share",
        "Probability that a newly informed resident passes the information on to each tie "
        "who does not know the services (the cascade continues from them).",
        (
            "assumption: Word of mouth and antennas (seeding on networks: Nöldeke et al., "
            "JASSS 2020)"
        ),
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.0,
            0.3,
            "no source; the outreach trial's control arm (CSV: enrolment of likely-eligible "
            "non-enrolled elderly: control / information / information+assistance | Pennsylvania "
            "(USA) | 2016) bounds spill-overs; not identified by the city targets (outreach is "
            "off in the baseline), so it is sampled in uncertainty runs and never fitted",
            fit=False,
        ),
        label="Word of mouth",
        label_it="Passaparola",
        description_it="Probabilità che un residente appena informato passi l'informazione a "
        "ciascun contatto che non conosce i servizi (la catena prosegue da "
        "loro).",
    ),
    Param(
        "outreach.rescreen_after",
        52.0,
        "weeks",
        "Weeks before the same resident is contacted again.",
        "assumption: Re-application and re-screening delays",
        low=1,
        high=520,
        label="Re-contact after",
        label_it="Ricontatto dopo",
        description_it="Settimane prima che lo stesso residente venga ricontattato.",
    ),
    Param(
        "outreach.antenna_share",
        0.02,
        "share",
        "Share of residents (the best connected) acting as community antennas.",
        "assumption: Word of mouth and antennas",
        low=0,
        high=0.5,
        label="Antennas",
        label_it="Antenne sociali",
        description_it="Quota di residenti (i più collegati) che fanno da antenne di comunità.",
    ),
    Param(
        "outreach.antenna_notice",
        [0.3, 0.3, 0.05],
        "prob/week",
        "Weekly probability that an antenna notices, and reports to the outreach service, a "
        "tie's need that has no help, by domain care/isolation/work: frailty and loneliness "
        "show to neighbours, shopkeepers and pharmacists; a lack of work or income is hidden.",
        "assumption: Word of mouth and antennas",
        low=0,
        high=1,
        length=3,
        label="Antennas notice needs",
        label_it="Segnalazioni delle antenne",
        description_it="Probabilità settimanale che un'antenna noti, e segnali al servizio di "
        "prossimità, il bisogno senza aiuto di un suo contatto, per ambito "
        "cura/isolamento/lavoro: fragilità e solitudine si vedono da vicini, "
        "negozianti e farmacisti; la mancanza di lavoro o di reddito si "
        "nasconde.",
    ),
]

SHOCKS = [
    Param(
        "shock.pandemic",
        False,
        "flag",
        "A pandemic-like shock is under way (switched on by a 'pandemic' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Pandemic",
        label_it="Pandemia",
        description_it="È in corso uno shock di tipo pandemico (acceso da una politica "
        "'pandemic').",
    ),
    Param(
        "shock.pandemic_capacity",
        0.6,
        "multiplier",
        "Providers' capacity during the pandemic.",
        "assumption: Pandemic shock",
        low=0,
        high=1,
        label="Capacity in pandemic",
        label_it="Capacità in pandemia",
        description_it="Capacità degli erogatori durante la pandemia.",
    ),
    Param(
        "shock.pandemic_need",
        1.5,
        "multiplier",
        "Onset of care and isolation needs during the pandemic.",
        "assumption: Pandemic shock",
        low=1,
        high=10,
        label="Needs in pandemic",
        label_it="Bisogni in pandemia",
        description_it="Insorgenza dei bisogni di cura e di isolamento durante la pandemia.",
    ),
    Param(
        "shock.pandemic_office_access",
        0.3,
        "share",
        "Access to the office desk during the pandemic (offices closed or by appointment).",
        "assumption: Pandemic shock",
        low=0,
        high=1,
        label="Office access in pandemic",
        label_it="Accesso allo sportello in pandemia",
        description_it="Accesso allo sportello durante la pandemia (uffici chiusi o solo su "
        "appuntamento).",
    ),
    Param(
        "shock.heatwave",
        False,
        "flag",
        "A heatwave is under way (switched on by a 'heatwave' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Heatwave",
        label_it="Ondata di calore",
        description_it="È in corso un'ondata di calore (accesa da una politica 'heatwave').",
    ),
    Param(
        "shock.heat_need",
        2.0,
        "multiplier",
        "Onset of care needs among residents 75+ living alone during a heatwave.",
        "assumption: Heatwave shock",
        low=1,
        high=10,
        label="Care needs in heat",
        label_it="Bisogni di cura con il caldo",
        description_it="Insorgenza dei bisogni di cura tra i residenti di 75 anni e più che "
        "vivono soli durante un'ondata di calore.",
    ),
    Param(
        "shock.heat_crisis",
        2.0,
        "multiplier",
        "Crisis risk of residents 75+ living alone with a care need during a heatwave.",
        "assumption: Heatwave shock",
        low=1,
        high=10,
        label="Crisis risk in heat",
        label_it="Rischio di crisi con il caldo",
        description_it="Rischio di crisi dei residenti di 75 anni e più che vivono soli con un "
        "bisogno di cura durante un'ondata di calore.",
    ),
]

ALL_PARAMS: list[Param] = [
    *RUN,
    *CITY,
    *NETWORK,
    *NEEDS,
    *HELPSEEKING,
    *OFFICE,
    *ELIGIBILITY,
    *SERVICES,
    *PROVIDERS,
    *CRISES,
    *MUNICIPALITY,
    *OUTREACH,
    *SHOCKS,
    *MARKETPLACE,
    *GOVERNANCE,
    *COMMUNITY,
    *TRANSITIONS,
    *QOL,
    *ECONOMICS,
]
