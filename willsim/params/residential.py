"""Parameters of residential care (RSA): places, admission, the waiting list, mortality and the
cost split; group ``residential`` (and the city's places, ``city.residential_places_65``).

Sources name a row of ``shared/data/calibration.csv`` as ``CSV: <quantity> | <geography> | <year>``
or a named assumption stated in ``docs/ODD.md``, section Residential care.
"""

from __future__ import annotations

from willsim.params.priors import Prior
from willsim.params.registry import Param

_CSV = "CSV: "

PARAMS = [
    Param(
        "city.residential_places_65",
        0.0179,
        "share",
        "Places in residential care (RSA) per resident aged 65+: the cap on the RSA stock, "
        "which starts full (beds are practically all occupied).",
        _CSV + "non-self-sufficient elderly covered by public LTC services | Italy | 2021; "
        "residential 6.3% of non-self-sufficient 65+ (the row's note) x CSV: non-self-sufficient "
        "older people | Italy | 2021; 28.4% of 65+ = 1.79% of 65+; city profiles set their own",
        low=0,
        high=0.2,
        label="RSA places per 65+",
        label_it="Posti RSA per over 65",
        description_it="Posti in struttura residenziale (RSA) per residente di 65 anni e più: il "
        "tetto dello stock di RSA, che parte pieno (posti praticamente tutti occupati).",
    ),
    Param(
        "city.residential_admission_by_need",
        True,
        "flag",
        "The RSA list admits by care level (highest first), then by date of application (a "
        "single ranking by need score); false: by date of application alone (each RSA's own "
        "list).",
        _CSV + "mean length of stay of new care-home entrants | Veneto | 2024; only the "
        "highest-need scores get in (the row's note); Veneto's list is the regional single "
        "ranking for the impegnativa di residenzialita (calibration notes 2026-12, section 2); "
        "CSV: RSA waiting-list applications | Lombardy | 2021; families apply to several RSA "
        "(the row's note): each RSA keeps its own list (city profiles set their rule)",
        label="RSA admission by need",
        label_it="Ingresso in RSA per bisogno",
        description_it="La lista RSA ammette per livello di cura (il più alto prima), poi per data "
        "di domanda (graduatoria unica per punteggio); falso: per sola data di domanda (la lista "
        "di ciascuna RSA).",
    ),
    Param(
        "residential.temporary_share",
        0.0,
        "share",
        "Share of RSA admissions that are temporary stays (relief or post-acute), which end "
        "with the resident going home after residential.temporary_weeks; the others are left "
        "only by death.",
        "assumption: RSA temporary stays (docs/ODD.md, residential care); identified by the "
        "mean stay of new entrants: CSV: mean length of stay of new care-home entrants | "
        "Veneto | 2024; 218 days",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.0,
            0.7,
            "assumption: RSA temporary stays; with the places full (CSV: RSA beds per 100 "
            "residents aged 65+ | Lombardy | 2023) a 31-week mean stay needs exits of about 3% "
            "of the 65+ a year, two thirds of their life-table deaths: the rest must be "
            "discharges; CSV: persons on RSA waiting lists | Bergamo (province, ATS Bergamo) | "
            "2022 (some beds hold short stays, the target's tolerance basis)",
            scope="city",
        ),
        label="RSA temporary stays",
        label_it="Ricoveri temporanei in RSA",
        description_it="Quota degli ingressi in RSA che sono ricoveri temporanei (sollievo o "
        "post-acuzie), che finiscono con il rientro a casa dopo residential.temporary_weeks; gli "
        "altri finiscono solo con il decesso.",
    ),
    Param(
        "residential.temporary_weeks",
        6.0,
        "weeks",
        "Length of a temporary RSA stay (relief or post-acute), after which the resident goes "
        "home with the care need they were admitted with.",
        "assumption: RSA temporary stays (docs/ODD.md, residential care; relief and post-acute "
        "stays of about one to two months, not in the calibration table)",
        low=1,
        high=26,
        prior=Prior(
            "uniform",
            4.0,
            9.0,
            "assumption: RSA temporary stays (one to two months, not in the calibration table)",
            fit=False,
        ),
        label="Temporary stay length",
        label_it="Durata del ricovero temporaneo",
        description_it="Durata di un ricovero temporaneo in RSA (sollievo o post-acuzie), dopo "
        "la quale il residente torna a casa con il bisogno di cura con cui era entrato.",
    ),
    Param(
        "residential.apply_rate",
        0.25,
        "prob/year",
        "Probability per year that a resident aged 65+ living at home at the highest care level "
        "applies for a residential place (assessed need), besides admissions after a crisis.",
        "assumption: RSA demand (docs/ODD.md, residential care)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.05,
            0.6,
            "no source for the application rate; CSV: persons on RSA waiting lists | Bergamo "
            "(province, ATS Bergamo) | 2022; 3,135 persons for 6,475 beds: demand exceeds places",
            fit=False,
        ),
        label="RSA applications",
        label_it="Domande di RSA",
        description_it="Probabilità annua che un residente di 65+ anni a casa al livello di cura "
        "più alto chieda un posto in RSA (bisogno valutato), oltre agli ingressi dopo una crisi.",
    ),
    Param(
        "residential.renege_rate",
        0.5,
        "prob/year",
        "Probability per year that a person on the RSA waiting list leaves it without a place "
        "(a private place, a live-in carer, the family); death and recovery also end a wait.",
        "assumption: RSA list reneging (docs/ODD.md, residential care)",
        low=0,
        high=1,
        label="Leaving the RSA list",
        label_it="Uscita dalla lista RSA",
        description_it="Probabilità annua che chi è in lista d'attesa per una RSA la lasci senza "
        "posto (posto privato, badante, famiglia); anche morte e recupero chiudono l'attesa.",
    ),
    Param(
        "residential.mortality_multiplier",
        20.0,
        "multiplier",
        "Mortality of an RSA resident admitted at the highest care level relative to the age "
        "band's average, before the band is renormalised to its life-table rate (like the "
        "per-level multiplier at home; lower levels at admission weigh "
        "needs.care_mortality_multiplier less per level).",
        "assumption: RSA mortality (docs/ODD.md, 8.3); identified by the mean stay of new "
        "entrants: CSV: mean length of stay of new care-home entrants | Veneto | 2024; 218 days",
        low=1,
        high=100,
        prior=Prior(
            "log-uniform",
            3.0,
            40.0,
            "CSV: mean length of stay of new care-home entrants | Veneto | 2024; a mean stay of "
            "218 days implies a yearly hazard near 1.7, about 12 times the 85+ band's rate",
        ),
        label="RSA mortality",
        label_it="Mortalità in RSA",
        description_it="Mortalità di un residente in RSA rispetto alla media della sua fascia "
        "d'età, prima che la fascia sia riportata al tasso della tavola di mortalità.",
    ),
    Param(
        "residential.social_quota",
        2_236.0,
        "EUR/month",
        "Social (hotel) quota of an RSA place, paid by the resident and family, or by the "
        "municipality for residents who cannot pay it.",
        _CSV + "RSA social/hotel quota (paid by resident) | Lombardy | 2024",
        low=0,
        high=20_000,
        label="RSA social quota",
        label_it="Quota sociale RSA",
        description_it="Quota sociale (alberghiera) di un posto in RSA, pagata dal residente e "
        "dalla famiglia, o dal comune per chi non può pagarla.",
    ),
    Param(
        "residential.health_quota",
        45.0,
        "EUR/day",
        "Health quota of an RSA place, paid by the regional health service.",
        "assumption: RSA health quota (docs/ODD.md, residential care; Lombardy's daily health "
        "tariffs for RSA places are of the order of 30-50 EUR by care class, not in the table)",
        low=0,
        high=500,
        label="RSA health quota",
        label_it="Quota sanitaria RSA",
        description_it="Quota sanitaria di un posto in RSA, pagata dal servizio sanitario "
        "regionale.",
    ),
    Param(
        "residential.fee_support_share",
        0.5,
        "share",
        "Share of the social quota the municipality pays (integrazione retta) for RSA residents "
        "in the lowest income band (absolute poverty); everyone else's family pays it all.",
        "assumption: RSA fee integration (docs/ODD.md, residential care)",
        low=0,
        high=1,
        label="Municipal fee support",
        label_it="Integrazione retta comunale",
        description_it="Quota della retta sociale pagata dal comune (integrazione retta) per i "
        "residenti in RSA nella fascia di reddito più bassa; per gli altri paga la famiglia.",
    ),
]
