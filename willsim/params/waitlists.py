"""Parameters of waiting lists and of the municipality's capacity planning (issue 12).

People leave waiting lists without a service, and the municipality buys extra contracted hours
when its lists grow, within its budget. No Italian source gives exit rates from home-care
waiting lists or the lag of a contract extension: each is a named assumption in ``docs/ODD.md``
("Waiting lists" and "Budget and capacity"), with a prior for calibration.
"""

from __future__ import annotations

from willsim.params.priors import Prior
from willsim.params.registry import Param

PARAMS = [
    Param(
        "services.renege",
        [0.5, 1.0, 1.0],
        "events/year",
        "Rate at which people on a waiting list give up waiting (reneging), by domain "
        "care/isolation/work; they stay with their need and may ask again.",
        "assumption: waiting-list reneging (docs/ODD.md, Waiting lists)",
        low=0,
        high=52,
        length=3,
        prior=Prior(
            "log-uniform",
            0.25,
            4.0,
            "no exit rates from Italian home-care waiting lists were found (calibration notes, "
            "section 2); a quarter to four times the default, identified by the wait and the "
            "beneficiaries per 1,000",
            relative=True,
            elements=("care", "isolation", "work"),
        ),
        label="Leaving the waiting list",
        label_it="Uscita dalla lista d'attesa",
        description_it="Frequenza con cui chi è in lista d'attesa rinuncia ad aspettare, per "
        "ambito cura/isolamento/lavoro; il bisogno resta e si può chiedere di nuovo.",
    ),
    Param(
        "services.covered_exit",
        2.0,
        "events/year",
        "Rate at which people waiting for home care leave the list once family or private care "
        "covers their care need (at least services.care_met_share of its hours).",
        "assumption: waiting-list exits to family or private care (docs/ODD.md, Waiting lists)",
        low=0,
        high=52,
        prior=Prior(
            "log-uniform",
            0.5,
            8.0,
            "no source; families who have arranged care (a badante, a relative) stop waiting "
            "within weeks to two years",
        ),
        label="Leaving the list once covered",
        label_it="Uscita dalla lista se coperti",
        description_it="Frequenza con cui chi attende l'assistenza domiciliare esce dalla "
        "lista quando la cura familiare o privata copre il suo bisogno (almeno "
        "services.care_met_share delle ore).",
    ),
    Param(
        "municipality.review_weeks",
        13.0,
        "weeks",
        "How often the municipality reviews its contracted service hours against its waiting "
        "lists and budget (0: never, contracted hours stay as calibrated).",
        "assumption: quarterly budget review (docs/ODD.md, Budget and capacity)",
        low=0,
        high=520,
        label="Capacity review",
        label_it="Revisione della capacità",
        description_it="Ogni quante settimane il comune rivede le ore di servizio a contratto "
        "rispetto alle liste d'attesa e al bilancio (0: mai, le ore restano quelle calibrate).",
    ),
    Param(
        "municipality.expansion_lag",
        13.0,
        "weeks",
        "Weeks between ordering extra contracted hours and their arrival (a contract extension, "
        "providers hiring).",
        "assumption: procurement lag (docs/ODD.md, Budget and capacity)",
        low=0,
        high=260,
        prior=Prior(
            "uniform",
            4.0,
            26.0,
            "no source; a contract extension takes about a month, a new tender half a year",
        ),
        label="Procurement lag",
        label_it="Tempi di acquisto",
        description_it="Settimane tra l'ordine di ore aggiuntive a contratto e il loro arrivo "
        "(un'estensione del contratto, assunzioni degli erogatori).",
    ),
    Param(
        "municipality.expansion_ceiling",
        4.0,
        "multiplier",
        "Most contracted hours a domain can reach through capacity reviews, relative to the "
        "calibrated hours (providers' supply is finite).",
        "assumption: supply ceiling (docs/ODD.md, Budget and capacity)",
        low=1,
        high=20,
        label="Ceiling on bought capacity",
        label_it="Tetto alla capacità acquistabile",
        description_it="Massimo di ore a contratto che un ambito può raggiungere con le "
        "revisioni della capacità, rispetto alle ore calibrate (l'offerta degli erogatori è "
        "limitata).",
    ),
    Param(
        "municipality.line_shares",
        [0.184, 0.070, 0.087],
        "share",
        "Share of the modelled annual budget the municipality plans for the contracted services "
        "of each domain care/isolation/work (its service lines): the area's share of municipal "
        "social spending (elderly 15.0%, general and multi-user 5.7%, poverty and adult "
        "hardship 10.8%) x the share of spending that goes to services rather than structures "
        "or cash (38.7%; in the poverty area 1 - 39.6% cash - 35.0% structures = 25.4%), over "
        "the modelled 31.5%. Capacity reviews buy hours for a line up to its plan; a line does "
        "not spend another's.",
        "CSV: share of municipal social spending: elderly | Italy | 2021; CSV: share of "
        "municipal social spending: poverty and adult hardship | Italy | 2021 (general/"
        "multi-user 5.7% and cash 39.6% from its note); CSV: municipal social spending by type: "
        "services / structures / cash transfers | Italy | 2018; assumption: service share by "
        "area (docs/ODD.md, Budget and capacity)",
        low=0,
        high=1,
        length=3,
        label="Service budget by line",
        label_it="Bilancio dei servizi per linea",
        description_it="Quota del bilancio annuo modellato che il comune pianifica per i "
        "servizi a contratto di ciascun ambito cura/isolamento/lavoro (le sue linee di "
        "servizio): la quota dell'area nella spesa sociale comunale (anziani 15,0%, "
        "multiutenza 5,7%, povertà e disagio adulti 10,8%) x la quota di spesa per servizi "
        "anziché strutture o trasferimenti (38,7%; nell'area povertà 1 - 39,6% trasferimenti - "
        "35,0% strutture = 25,4%), sul 31,5% modellato. Le revisioni comprano ore per una linea "
        "fino al suo piano; una linea non spende quello di un'altra.",
    ),
    Param(
        "municipality.plan_share",
        0.95,
        "share",
        "Share of the annual budget the municipality plans to spend: services may grow until "
        "staff, platforms, outreach and services together cost this share of it (the rest is a "
        "margin against overspending, which would suspend cases).",
        "assumption: planning margin (docs/ODD.md, Budget and capacity); the budget binds: "
        "CSV: municipal social spending per capita, municipalities >50,000 inhabitants | Italy "
        "| 2022 (spending, not budget, is what is sourced)",
        low=0,
        high=1,
        label="Budget planned for use",
        label_it="Quota di bilancio pianificata",
        description_it="Quota del bilancio annuo che il comune prevede di spendere: i servizi "
        "possono crescere finché personale, piattaforme, prossimità e servizi insieme costano "
        "questa quota (il resto è un margine contro lo sforamento, che sospenderebbe casi).",
    ),
]
