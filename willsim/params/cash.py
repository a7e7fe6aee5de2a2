"""Parameters of municipal cash contributions (contributi economici): mechanisms.cash.

Two contributions, granted by the social worker at assessment: a care contribution for residents
65+ with a care need (the elderly area) and a poverty contribution for residents with a
work/income need (the poverty and adult hardship area). Amounts, the share of assessed cases that
receive one and the share of the modelled budget they may take are derived from the ISTAT/CNEL
rows of the table (docs/ODD.md, 7.16, where each derivation is written out); durations, the means
test's thresholds and the poverty contribution's protection are named assumptions.
"""

from __future__ import annotations

from willsim.params.priors import Prior
from willsim.params.registry import Param

_ELDERLY = "CSV: elderly users of municipal social services | Italy | 2022"
_POVERTY = "CSV: users of municipal services for poverty, hardship and homelessness | Italy | 2022"
_TYPES = (
    "CSV: municipal social spending by type: services / structures / cash transfers | Italy | 2018"
)
_SPEND_22 = (
    "CSV: municipal social spending per capita (net of user and NHS contributions, incl. early "
    "childhood) | Italy | 2022"
)
_POV_SPEND = (
    "CSV: municipal spending on poverty / adult hardship per resident aged 18-64 | Italy | 2022"
)
_AREAS = (
    "CSV: share of municipal social spending: elderly | Italy | 2021; CSV: share of municipal "
    "social spending: poverty and adult hardship | Italy | 2021"
)

PARAMS = [
    Param(
        "cash.enabled",
        True,
        "flag",
        "The municipality grants cash contributions (care, poverty) at assessment, out of its "
        "budget (off: no cash contributions, as before issue 12).",
        (
            "setting: on by default, as every city grants cash contributions (ODD 7.16); off "
            "reproduces the model before them"
        ),
        label="Cash contributions",
        label_it="Contributi economici",
        description_it="Il comune concede contributi economici (cura, povertà) alla valutazione, "
        "dal suo bilancio (spento: nessun contributo, come prima della issue 12).",
    ),
    Param(
        "cash.care_eur_year",
        2_570.0,
        "EUR",
        "Care contribution paid per user in a (budget) year, EUR: the elderly area's cash "
        "spending over its cash users (derived: 14.8% of 8.9 bn EUR x 26.5% cash = 349 M EUR, "
        "over 2.3 users per 1,000 x 59 M residents = 136,000 users).",
        f"{_SPEND_22} (elderly 14.8% of 8.9 bn, the row's note); {_TYPES} (26.5% cash, all "
        f"areas: assumption: elderly cash share, docs/ODD.md 7.16); {_ELDERLY} (2.3 cash users "
        "per 1,000, the row's note)",
        low=0,
        high=50_000,
        prior=Prior(
            "uniform",
            0.5,
            1.5,
            "the elderly area's own cash share is not in the table (the all-areas 26.5% is "
            "used); half to one and a half times the derived amount",
            relative=True,
            fit=False,
        ),
        label="Care contribution per user-year",
        label_it="Contributo di cura per utente-anno",
        description_it="Contributo di cura pagato per utente in un anno (di bilancio), euro: "
        "spesa in contributi dell'area anziani sui suoi utenti (derivato: 14,8% di 8,9 mld x "
        "26,5% = 349 mln, su 2,3 utenti ogni 1.000 x 59 mln di residenti).",
    ),
    Param(
        "cash.work_eur_year",
        790.0,
        "EUR",
        "Poverty contribution paid per user in a (budget) year, EUR: the poverty area's cash "
        "spending over its cash users (derived: 800 M EUR x 39.6% cash = 317 M EUR, over 6.8 "
        "users per 1,000 x 59 M residents = 401,000 users).",
        f"{_POV_SPEND} (800 M EUR, the row's note); {_TYPES} (39.6% cash in the poverty area, "
        f"the row's note); {_POVERTY} (6.8 cash users per 1,000, the row's note)",
        low=0,
        high=50_000,
        prior=Prior(
            "uniform",
            0.5,
            1.5,
            "cash share of 2018 applied to 2022 spending and users; half to one and a half "
            "times the derived amount",
            relative=True,
            fit=False,
        ),
        label="Poverty contribution per user-year",
        label_it="Contributo di povertà per utente-anno",
        description_it="Contributo per la povertà pagato per utente in un anno (di bilancio), "
        "euro: spesa in contributi dell'area povertà sui suoi utenti (derivato: 800 mln x "
        "39,6% = 317 mln, su 6,8 utenti ogni 1.000 x 59 mln di residenti).",
    ),
    Param(
        "cash.care_weeks",
        52.0,
        "weeks",
        "Length of a care contribution (granted for a year, then a new assessment).",
        "assumption: cash contribution durations (docs/ODD.md, 7.16)",
        low=1,
        high=260,
        label="Care contribution length",
        label_it="Durata del contributo di cura",
        description_it="Durata di un contributo di cura (concesso per un anno, poi una nuova "
        "valutazione).",
    ),
    Param(
        "cash.work_weeks",
        13.0,
        "weeks",
        "Length of a poverty contribution (a temporary contribution for a quarter).",
        "assumption: cash contribution durations (docs/ODD.md, 7.16)",
        low=1,
        high=260,
        prior=Prior(
            "uniform",
            4.0,
            52.0,
            "no source; municipal poverty contributions run from a one-off month to a year",
        ),
        label="Poverty contribution length",
        label_it="Durata del contributo di povertà",
        description_it="Durata di un contributo per la povertà (un contributo temporaneo per "
        "un trimestre).",
    ),
    Param(
        "cash.care_isee_max",
        25_000.0,
        "EUR",
        "Highest ISEE that qualifies for a care contribution (the care service's means test).",
        "assumption: cash means test (docs/ODD.md, 7.16); the default of eligibility.isee_max "
        "for care",
        low=0,
        high=1e9,
        label="Care contribution means test",
        label_it="Soglia ISEE del contributo di cura",
        description_it="ISEE massimo che dà diritto a un contributo di cura (la soglia del "
        "servizio di cura).",
    ),
    Param(
        "cash.work_isee_max",
        9_360.0,
        "EUR",
        "Highest ISEE that qualifies for a poverty contribution.",
        "assumption: cash means test (docs/ODD.md, 7.16); 9,360 EUR: Reddito di Cittadinanza "
        "threshold (D.L. 4/2019), raised to 10,140 for the AdI: CSV: households receiving AdI "
        "payment in month | Bergamo (province) | 2024-12 (the row's note)",
        low=0,
        high=1e9,
        label="Poverty contribution means test",
        label_it="Soglia ISEE del contributo di povertà",
        description_it="ISEE massimo che dà diritto a un contributo per la povertà.",
    ),
    Param(
        "cash.care_grant_share",
        0.18,
        "share",
        "Share of residents 65+ assessed eligible for care (passing the contribution's means "
        "test) whose care plan includes a care contribution: elderly cash users over elderly "
        "service users, 2.3 / 12.8.",
        f"{_ELDERLY} (12.8 users, 2.3 cash users per 1,000: the row and its note)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.05,
            1.0,
            "2.3 / 12.8 nationally; that is a ratio of yearly users, while the grant share "
            "applies to new eligibility decisions only (a long-term service user is counted "
            "every year but decided once), so up to every decision; identified by the elderly "
            "cash users per 1,000",
            scope="city",
        ),
        label="Care plans with a contribution",
        label_it="Piani di cura con contributo",
        description_it="Quota dei residenti di 65 anni e più valutati idonei per la cura (e "
        "sotto la soglia ISEE del contributo) il cui piano include un contributo di cura: "
        "utenti anziani di contributi su utenti anziani dei servizi, 2,3 / 12,8.",
    ),
    Param(
        "cash.work_grant_share",
        0.54,
        "share",
        "Share of residents assessed eligible for a work/income service (passing the "
        "contribution's means test) who also receive a poverty contribution: poverty cash "
        "users over poverty service users, 6.8 / 12.7.",
        f"{_POVERTY} (12.7 users, 6.8 cash users per 1,000: the row and its note)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.15,
            1.0,
            "6.8 / 12.7 nationally; a wide range identified by the poverty cash users per 1,000",
            scope="city",
        ),
        label="Poverty cases with a contribution",
        label_it="Casi di povertà con contributo",
        description_it="Quota dei residenti valutati idonei per un servizio di lavoro/reddito "
        "(e sotto la soglia ISEE del contributo) che ricevono anche un contributo per la "
        "povertà: utenti di contributi su utenti dei servizi dell'area povertà, 6,8 / 12,7.",
    ),
    Param(
        "cash.care_budget_share",
        0.126,
        "share",
        "Most of the modelled annual budget care contributions may commit: the elderly area's "
        "cash spending in the modelled areas, 26.5% cash x 15.0% elderly / 31.5% = 12.6%.",
        f"{_TYPES}; {_AREAS} (assumption: elderly cash share, docs/ODD.md 7.16)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.5,
            2.0,
            "the elderly area's own cash share is not in the table; half to twice the "
            "all-areas share",
            relative=True,
            fit=False,
        ),
        label="Budget for care contributions",
        label_it="Bilancio per i contributi di cura",
        description_it="Quota massima del bilancio annuo modellato che i contributi di cura "
        "possono impegnare: 26,5% in contributi x 15,0% anziani / 31,5% = 12,6%.",
    ),
    Param(
        "cash.work_budget_share",
        0.136,
        "share",
        "Most of the modelled annual budget poverty contributions may commit: the poverty "
        "area's cash spending in the modelled areas, 39.6% cash x 10.8% poverty / 31.5% = 13.6%.",
        f"{_TYPES} (39.6% in the poverty area, the row's note); {_AREAS}",
        low=0,
        high=1,
        label="Budget for poverty contributions",
        label_it="Bilancio per i contributi di povertà",
        description_it="Quota massima del bilancio annuo modellato che i contributi per la "
        "povertà possono impegnare: 39,6% in contributi x 10,8% povertà / 31,5% = 13,6%.",
    ),
    Param(
        "cash.work_protection",
        0.5,
        "share",
        "Share of poverty contributions large enough to meet the household's income need while "
        "they are paid (its work/income need counts as met: no housing loss from it); decided "
        "once per grant.",
        "assumption: poverty contribution protection (docs/ODD.md, 7.16)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.2,
            0.9,
            "no source on how often a municipal contribution closes the gap (about 60 EUR a "
            "week against AdI's 570-627 EUR a month); identified by the housing losses",
        ),
        label="Contributions that meet the income need",
        label_it="Contributi che coprono il bisogno di reddito",
        description_it="Quota dei contributi per la povertà abbastanza grandi da coprire il "
        "bisogno di reddito della famiglia finché sono pagati (il bisogno conta come coperto: "
        "niente perdita della casa per esso); decisa una volta per contributo.",
    ),
]
