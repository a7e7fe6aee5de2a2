"""Parameters of integrated home care (ADI, assistenza domiciliare integrata) from the health
service: :mod:`willsim.mechanisms.adi`."""

from __future__ import annotations

from willsim.params.priors import Prior
from willsim.params.registry import Param

_ADI_2019 = "CSV: 65+ receiving integrated home care (ADI) | Italy | 2019"
_ADI_HOURS = "CSV: ADI intensity | Italy | 2021"

PARAMS = [
    Param(
        "adi.enabled",
        True,
        "flag",
        "Integrated home care (ADI) from the health service reaches residents 65+ with a care "
        "need (off: no ADI, as before issue 12).",
        (
            "setting: on by default, as the health service's ADI runs in every city (ODD "
            "7.15); off reproduces the model before ADI"
        ),
        label="Integrated home care (ADI)",
        label_it="Assistenza domiciliare integrata (ADI)",
        description_it="L'assistenza domiciliare integrata (ADI) del servizio sanitario "
        "raggiunge i residenti di 65 anni e più con un bisogno di cura (spenta: niente ADI, "
        "come prima della issue 12).",
    ),
    Param(
        "adi.users_share_65",
        0.051,
        "share",
        "Residents 65+ who start an ADI episode in a year, as a share of residents 65+ (the "
        "health service's yearly reach).",
        _ADI_2019 + " (5.1%, the PNRR baseline; 10.9% in 2024 after the PNRR expansion: CSV: "
        "65+ receiving ADI (at least one home-care service in year) | Italy | 2024)",
        low=0,
        high=1,
        prior=Prior(
            "uniform",
            0.04,
            0.15,
            "5.1% in 2019 (the LTC reach target's period) to 10.9% nationally and 14.3% in "
            "Piedmont in 2024 (CSV: 65+ receiving ADI (at least one home-care service in year) "
            "| Italy | 2024; ... | Piedmont | 2024)",
            scope="city",
        ),
        label="ADI users per year, 65+",
        label_it="Utenti ADI all'anno, 65+",
        description_it="Residenti di 65 anni e più che iniziano un episodio di ADI in un anno, "
        "in quota dei residenti di 65 anni e più (la copertura annua del servizio sanitario).",
    ),
    Param(
        "adi.hours_per_user",
        15.0,
        "hours",
        "Hours of ADI a user receives in a year (one episode).",
        _ADI_HOURS + " (15 hours per user per year; 16 in 2016)",
        low=0,
        high=2_000,
        label="ADI hours per user",
        label_it="Ore ADI per utente",
        description_it="Ore di ADI che un utente riceve in un anno (un episodio).",
    ),
    Param(
        "adi.episode_weeks",
        5.0,
        "weeks",
        "Length of an ADI episode; its hours are spread evenly over it.",
        "assumption: ADI episodes (docs/ODD.md, Integrated home care)",
        low=1,
        high=52,
        label="ADI episode length",
        label_it="Durata di un episodio ADI",
        description_it="Durata di un episodio di ADI; le sue ore sono distribuite in modo "
        "uniforme.",
    ),
    Param(
        "adi.discharge_weeks",
        4.0,
        "weeks",
        "Residents discharged from hospital after a care crisis in the last this many weeks "
        "come first for ADI (protected discharge), before higher care levels.",
        "assumption: ADI targeting (docs/ODD.md, Integrated home care)",
        low=0,
        high=52,
        label="Priority after discharge",
        label_it="Priorità dopo la dimissione",
        description_it="I residenti dimessi dall'ospedale dopo una crisi di cura nelle ultime "
        "settimane (questo numero) hanno la precedenza per l'ADI (dimissione protetta), prima "
        "dei livelli di cura più alti.",
    ),
    Param(
        "adi.hour_cost",
        40.0,
        "EUR/hour",
        "Public cost of an hour of ADI (nurses, therapists, doctors at home, with travel), "
        "paid by the health service, not the municipal budget.",
        "assumption: ADI cost (docs/ODD.md, Integrated home care); no ADI cost in the table",
        low=0,
        high=500,
        label="ADI hourly cost",
        label_it="Costo orario ADI",
        description_it="Costo pubblico di un'ora di ADI (infermieri, terapisti, medici a "
        "domicilio, con gli spostamenti), a carico del servizio sanitario e non del bilancio "
        "comunale.",
    ),
]
