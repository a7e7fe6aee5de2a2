"""Parameters of governance levers: co-programming and outcome-based commissioning."""

from __future__ import annotations

from willsim.params.registry import Param

_C10 = (
    "CSV: reduction in reconvictions, Peterborough Social Impact Bond cohort 1 | "
    "Peterborough (UK) | 2014 (payment threshold 7.5%)"
)

GOVERNANCE = [
    Param(
        "governance.co_programming",
        False,
        "flag",
        "Co-programming and co-design with the Third Sector (art. 55 D.Lgs. 117/2017) is "
        "running (switched on by a 'co_programming' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Co-programming",
        label_it="Co-programmazione",
        description_it="La co-programmazione e co-progettazione con il Terzo Settore (art. 55 "
        "D.Lgs. 117/2017) è attiva (accesa da una politica 'co_programming').",
    ),
    Param(
        "governance.co_capacity_gain",
        0.2,
        "share",
        "Extra Third Sector capacity brought by co-programming (resources pooled, new services).",
        "assumption: Co-programming effects",
        low=0,
        high=2,
        label="Capacity gained",
        label_it="Capacità aggiuntiva",
        description_it="Capacità aggiuntiva del Terzo Settore portata dalla co-programmazione "
        "(risorse messe in comune, nuovi servizi).",
    ),
    Param(
        "governance.co_fit_gain",
        0.15,
        "share",
        "Better fit between services and needs: extra effect of Third Sector services.",
        "assumption: Co-programming effects",
        low=0,
        high=2,
        label="Better fit",
        label_it="Maggiore appropriatezza",
        description_it="Migliore corrispondenza tra servizi e bisogni: effetto aggiuntivo dei "
        "servizi del Terzo Settore.",
    ),
    Param(
        "governance.co_staff_share",
        0.05,
        "share",
        "Share of social workers' assessment time spent on co-programming tables.",
        "assumption: Co-programming effects",
        low=0,
        high=0.9,
        label="Staff time",
        label_it="Tempo del personale",
        description_it="Quota del tempo di valutazione degli assistenti sociali spesa ai tavoli "
        "di co-programmazione.",
    ),
    Param(
        "governance.outcome_contracts",
        False,
        "flag",
        "Providers are paid for measured outcomes (switched on by an 'outcome_contracts' policy).",
        "setting: a policy switch, off unless a scenario or policy turns it on",
        label="Outcome-based contracts",
        label_it="Contratti a risultato",
        description_it="Gli erogatori sono pagati per i risultati misurati (acceso da una "
        "politica 'outcome_contracts').",
    ),
    Param(
        "governance.outcome_base_share",
        0.7,
        "share",
        "Share of the hourly cost still paid per hour under outcome-based contracts.",
        "assumption: Outcome-based contracts",
        low=0,
        high=1,
        label="Hourly share kept",
        label_it="Quota oraria mantenuta",
        description_it="Quota del costo orario ancora pagata a ora con i contratti a risultato.",
    ),
    Param(
        "governance.outcome_price",
        600.0,
        "EUR/case",
        "Payment per resolved need above the threshold (per level of care need lowered).",
        "assumption: Outcome-based contracts",
        low=0,
        high=100_000,
        label="Price per outcome",
        label_it="Prezzo per risultato",
        description_it="Pagamento per ogni bisogno risolto oltre la soglia (per livello di "
        "bisogno di cura ridotto).",
    ),
    Param(
        "governance.outcome_threshold",
        0.005,
        "share",
        "Weekly share of a provider's cases that must be resolved before outcomes are paid.",
        _C10 + "; level assumption",
        low=0,
        high=1,
        label="Outcome threshold",
        label_it="Soglia di risultato",
        description_it="Quota settimanale dei casi di un erogatore che deve essere risolta prima "
        "che i risultati siano pagati.",
    ),
    Param(
        "governance.outcome_effort",
        0.15,
        "share",
        "Extra effect of services when providers are paid for outcomes (effort).",
        "assumption: Outcome-based contracts (C10 in shared/research/domain.md)",
        low=0,
        high=2,
        label="Extra effort",
        label_it="Impegno aggiuntivo",
        description_it="Effetto aggiuntivo dei servizi quando gli erogatori sono pagati a "
        "risultato (impegno).",
    ),
    Param(
        "governance.case_mix_adjusted",
        False,
        "flag",
        "Outcome payments are weighted by case difficulty (care level), so providers gain "
        "nothing by picking easier cases; off, they take the easiest cases first "
        "(cream-skimming).",
        ("setting: a design option of outcome-based contracts, off unless a policy turns it on"),
        label="Case-mix adjustment",
        label_it="Aggiustamento per complessità",
        description_it="I pagamenti a risultato sono pesati per la difficoltà del caso (livello "
        "di cura), così gli erogatori non guadagnano nulla scegliendo i casi più "
        "facili; se disattivato, prendono per primi i casi più facili "
        "(scrematura).",
    ),
]
