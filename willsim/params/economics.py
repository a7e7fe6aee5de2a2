"""Parameters of the quality-of-life index (group ``qol``) and of the comparison economics
(group ``economics``).

Neither changes a run: ``qol.*`` only weigh the quality-of-life indicator, ``economics.*`` only
value the difference between two runs (:mod:`willsim.economics`). Sources name a row of
``shared/data/calibration.csv`` or say ``assumption`` (stated in ``docs/ODD.md``).
"""

from __future__ import annotations

from willsim.params.registry import Param

_QOL = (
    "assumption: penalties on a 0-1 scale in the spirit of EQ-5D utility decrements; no "
    "Italian source in the calibration table"
)

QOL = [
    Param(
        "qol.care_penalty",
        [0.10, 0.20, 0.35, 0.50],
        "share",
        "Quality of life lost with an unmet care need, by level (8/16/32/80 hours a week).",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=1,
        length=4,
        label="Loss with unmet care",
        label_it="Perdita con cura non coperta",
        description_it="Qualità della vita persa con un bisogno di cura non coperto, per livello "
        "(8/16/32/80 ore a settimana).",
    ),
    Param(
        "qol.isolation_penalty",
        0.15,
        "share",
        "Quality of life lost by a resident who is socially isolated and not helped.",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table; isolation and "
            "depressive symptoms: PASSI d'Argento via shared/research/domain.md C9"
        ),
        low=0,
        high=1,
        label="Loss with isolation",
        label_it="Perdita con isolamento",
        description_it="Qualità della vita persa da un residente socialmente isolato e non "
        "aiutato.",
    ),
    Param(
        "qol.work_penalty",
        0.10,
        "share",
        "Quality of life lost with an unmet work/income need.",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=1,
        label="Loss with work/income need",
        label_it="Perdita con bisogno di lavoro/reddito",
        description_it="Qualità della vita persa con un bisogno di lavoro o reddito non coperto.",
    ),
    Param(
        "qol.met_restore",
        0.5,
        "share",
        "Share of a need's loss given back when the need is met (formal service, family, "
        "private or peer help): the need remains, its burden is lighter.",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=1,
        label="Restored when met",
        label_it="Recupero se coperto",
        description_it="Quota della perdita restituita quando il bisogno è coperto (servizio "
        "formale, famiglia, aiuto privato o tra pari): il bisogno resta, il suo peso è minore.",
    ),
    Param(
        "qol.crisis_penalty",
        0.20,
        "share",
        "Quality of life lost in the weeks after a crisis (hospital admission, loss of housing).",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=1,
        label="Loss after a crisis",
        label_it="Perdita dopo una crisi",
        description_it="Qualità della vita persa nelle settimane dopo una crisi (ricovero, "
        "perdita della casa).",
    ),
    Param(
        "qol.crisis_weeks",
        13,
        "weeks",
        "Weeks after a crisis during which qol.crisis_penalty applies.",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=520,
        label="Weeks of loss after a crisis",
        label_it="Settimane di perdita dopo una crisi",
        description_it="Settimane dopo una crisi durante le quali si applica qol.crisis_penalty.",
    ),
    Param(
        "qol.residential_penalty",
        0.30,
        "share",
        "Quality of life lost by a resident living in residential care (loss of home and "
        "autonomy).",
        (
            "assumption: QoL penalties (on a 0-1 scale in the spirit of EQ-5D utility "
            "decrements); no Italian source in the calibration table"
        ),
        low=0,
        high=1,
        label="Loss in residential care",
        label_it="Perdita in RSA",
        description_it="Qualità della vita persa da un residente in RSA (perdita della casa e "
        "dell'autonomia).",
    ),
]

ECONOMICS = [
    Param(
        "economics.value_per_qol_year",
        30_000.0,
        "EUR",
        "Money value of one year of full quality of life gained (one point of the 0-1 index "
        "for one resident for a year), used to value quality-of-life gains.",
        (
            "assumption: Value of a QoL year; the order of the 25,000-40,000 EUR per QALY "
            "thresholds proposed for Italy; the index is not a validated utility scale"
        ),
        low=0,
        high=1_000_000,
        label="Value of a quality-of-life year",
        label_it="Valore di un anno di qualità di vita",
        description_it="Valore in euro di un anno di piena qualità della vita guadagnato (un "
        "punto dell'indice 0-1 per un residente per un anno), usato per valorizzare i guadagni "
        "di qualità della vita.",
    ),
    Param(
        "economics.benefit_weights",
        [1.0, 1.0, 1.0, 1.0, 1.0],
        "share",
        "Share of each avoided cost counted as a benefit: hospital days, public share of "
        "residential care, emergency housing, families' out-of-pocket spending, and the "
        "valued quality-of-life gain (0 leaves an item out).",
        "assumption: Avoided costs counted in full",
        low=0,
        high=1,
        length=5,
        label="Benefits counted",
        label_it="Benefici considerati",
        description_it="Quota di ciascun costo evitato contata come beneficio: giornate di "
        "ricovero, quota pubblica delle RSA, emergenza abitativa, spesa delle famiglie e il "
        "guadagno di qualità della vita valorizzato (0 esclude la voce).",
    ),
]
