"""Parameters of the long-run transitions WILL named (ageing, rising digital skills), group
``transitions``.

Each transition is off by default (``*_from_week = -1``) so that the baseline is unchanged.
Sources name a row of ``shared/data/calibration.csv`` as ``CSV: <quantity> | <geography> | <year>``
or say ``assumption`` (a modelling choice, stated in ``docs/ODD.md``, section Transitions).
"""

from __future__ import annotations

from willsim.params.registry import Param

_CSV = "CSV: "
_PADOVA = (
    _CSV + "share of residents aged 65+ | Padova (comune) | 2019 (24% in 2010 to 26.02% in "
    "2019: +0.22 points a year); share of residents aged 80+ | Padova (comune) | 2019 "
    "(7.82% to 9.29%: +0.16 points a year, used for 75+); 85+ assumption; faster ageing: "
    "share of residents aged 65+ | Ravenna (province) | 2018-01-01 (projected 33% by 2035, "
    "+0.46 points a year)"
)
_DIGITAL = (
    _CSV + "16-74 internet users with at least basic digital skills | Italy | 2023 (45.7%; "
    "the EU 2030 target of 80% implies about 9% of those without skills gaining them each "
    "year); the default, a slower pace, is an assumption"
)

TRANSITIONS = [
    Param(
        "transitions.ageing_from_week",
        -1,
        "weeks",
        "Week from which the population ages (residents move up age bands); -1 = never.",
        ("setting: a policy switch, off unless a scenario or policy turns it on (-1 = never)"),
        low=-1,
        high=5200,
        label="Ageing from week",
        label_it="Invecchiamento dalla settimana",
        description_it="Settimana da cui la popolazione invecchia (i residenti passano alla "
        "fascia d'età successiva); -1 = mai.",
    ),
    Param(
        "transitions.ageing_flow",
        [0.0022, 0.0016, 0.0008],
        "events/year",
        "Residents moving up into the bands 65-74, 75-84 and 85+ each year, per resident of the "
        "city: the yearly rise of the share aged 65+, 75+ and 85+ (net ageing; the young bands "
        "keep their size because births and migration replace them).",
        _PADOVA,
        low=0,
        high=0.05,
        length=3,
        label="Ageing flows (65+, 75+, 85+)",
        label_it="Flussi di invecchiamento (65+, 75+, 85+)",
        description_it="Residenti che passano ogni anno nelle fasce 65-74, 75-84 e 85+, per "
        "residente della città: l'aumento annuo della quota di persone con 65+, 75+ e 85+ anni "
        "(invecchiamento netto; le fasce giovani restano costanti perché nascite e migrazioni "
        "le rinnovano).",
    ),
    Param(
        "transitions.digital_from_week",
        -1,
        "weeks",
        "Week from which residents without digital skills acquire them; -1 = never.",
        ("setting: a policy switch, off unless a scenario or policy turns it on (-1 = never)"),
        low=-1,
        high=5200,
        label="Digital skills rise from week",
        label_it="Crescita delle competenze digitali dalla settimana",
        description_it="Settimana da cui i residenti senza competenze digitali le acquisiscono; "
        "-1 = mai.",
    ),
    Param(
        "transitions.digital_rate",
        0.05,
        "prob/year",
        "Probability per year that a resident without basic digital skills acquires them "
        "(on average over the residents without skills; younger residents faster, see "
        "transitions.digital_age_weights).",
        _DIGITAL,
        low=0,
        high=1,
        label="Digital skills gained per year",
        label_it="Competenze digitali acquisite l'anno",
        description_it="Probabilità annua che un residente senza competenze digitali di base le "
        "acquisisca (in media tra chi non le ha; più in fretta i più giovani, vedi "
        "transitions.digital_age_weights).",
    ),
    Param(
        "transitions.digital_age_weights",
        [1.0, 1.0, 0.8, 0.5, 0.25, 0.1],
        "multiplier",
        "Relative pace of gaining digital skills in each age band 0-14/15-29/30-64/65-74/75-84/"
        "85+ (younger first); rescaled so the average pace is transitions.digital_rate.",
        _CSV + "at least basic digital skills, age 65-74 | Italy | 2023 (the steep age "
        "gradient: 61.7% at 20-24, 19.3% at 65-74); the weights are an assumption",
        low=0,
        high=10,
        length=6,
        label="Pace by age",
        label_it="Ritmo per età",
        description_it="Ritmo relativo di acquisizione delle competenze digitali per fascia "
        "d'età 0-14/15-29/30-64/65-74/75-84/85+ (prima i più giovani); riscalato in modo che il "
        "ritmo medio sia transitions.digital_rate.",
    ),
]
