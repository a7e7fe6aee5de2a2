"""Parameters of the structures line: day-centre places the municipality funds from the
structures part of the elderly area's planned budget (:mod:`willsim.mechanisms.structures`)."""

from __future__ import annotations

from willsim.params.registry import Param

_TYPE = (
    "CSV: municipal social spending by type: services / structures / cash transfers | Italy | 2018"
)
_ELDERLY = "CSV: share of municipal social spending: elderly | Italy | 2021"
_DAY_CENTRES = (
    "centrostudi.50epiu.it, 'I centri diurni per anziani non autosufficienti in Italia' "
    "(http://centrostudi.50epiu.it/Schede/i-centri-diurni-per-anziani-non-autosufficienti-in-"
    "italia), a source found outside the calibration table: mean daily tariff of day centres "
    "for non-self-sufficient older people 49.12 EUR (61.53 for dementia); 975 centres, about "
    "25,000 users a year, 1.47 places per 1,000 older people"
)

PARAMS = [
    Param(
        "structures.enabled",
        True,
        "flag",
        "The municipality funds day-centre places (semi-residential care for older people) from "
        "the structures part of the elderly area's budget (off: no structures, the model before "
        "the structures line).",
        "setting: on by default, as municipal social spending includes structures (ODD 7.15, "
        "structures line); off reproduces the model before it",
        label="Structures (day centres)",
        label_it="Strutture (centri diurni)",
        description_it="Il comune finanzia posti in centro diurno (semiresidenzialità per "
        "anziani) con la parte del bilancio dell'area anziani destinata alle strutture "
        "(spento: nessuna struttura, il modello di prima).",
    ),
    Param(
        "structures.care_share",
        0.167,
        "share",
        "Share of the modelled annual budget the municipality plans for structures of the care "
        "line (day centres for older people): the elderly area's share of municipal social "
        "spending (15.0%) x the share of spending that goes to structures (35.0%), over the "
        "modelled 31.5%, derived like municipality.line_shares (the isolation and poverty "
        "areas' structures, 5.7% x 35.0% / 31.5% = 0.063 and 10.8% x 35.0% / 31.5% = 0.120, "
        "are not simulated: the model has no homeless state for shelters). 0 switches the line "
        "off.",
        f"{_ELDERLY}; {_TYPE}; assumption: structures budget (docs/ODD.md, structures line)",
        low=0,
        high=1,
        label="Structures budget, care line",
        label_it="Bilancio delle strutture, linea cura",
        description_it="Quota del bilancio annuo modellato che il comune pianifica per le "
        "strutture della linea cura (centri diurni per anziani): la quota dell'area anziani "
        "nella spesa sociale comunale (15,0%) x la quota di spesa per strutture (35,0%), sul "
        "31,5% modellato, come municipality.line_shares. 0 spegne la linea.",
    ),
    Param(
        "structures.day_cost",
        49.12,
        "EUR",
        "Cost of a day-centre place for one day of attendance (the daily tariff), which the "
        "municipality pays in full for the places it funds.",
        f"{_DAY_CENTRES}; assumption: day-centre place cost (docs/ODD.md, structures line)",
        low=0,
        high=500,
        label="Day-centre daily cost",
        label_it="Costo giornaliero del centro diurno",
        description_it="Costo di un posto in centro diurno per un giorno di frequenza (la "
        "tariffa giornaliera), che il comune paga per intero per i posti che finanzia.",
    ),
    Param(
        "structures.days_per_week",
        5.0,
        "count",
        "Days a week a day-centre place is used and paid (a full-time place, Monday to Friday).",
        "assumption: day-centre attendance (docs/ODD.md, structures line)",
        low=1,
        high=7,
        label="Day-centre days a week",
        label_it="Giorni di centro diurno a settimana",
        description_it="Giorni alla settimana in cui un posto in centro diurno è usato e "
        "pagato (un posto a tempo pieno, dal lunedì al venerdì).",
    ),
    Param(
        "structures.care_hours",
        20.0,
        "hours/week",
        "Formal care hours a week a day-centre place gives towards its user's care need (of "
        "about 40 hours of attendance: the help with daily activities, not the supervision).",
        "assumption: day-centre care hours (docs/ODD.md, structures line)",
        low=0,
        high=80,
        label="Day-centre care hours",
        label_it="Ore di cura del centro diurno",
        description_it="Ore di cura formale alla settimana che un posto in centro diurno dà "
        "al bisogno di cura del suo utente (su circa 40 ore di frequenza: l'aiuto nelle "
        "attività quotidiane, non la sorveglianza).",
    ),
]
