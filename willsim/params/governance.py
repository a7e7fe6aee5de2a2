"""Parameters of governance levers: co-programming and outcome-based commissioning."""

from __future__ import annotations

from willsim.params.registry import Param

_C10 = ("CSV: reduction in reconvictions, Peterborough Social Impact Bond cohort 1 | "
        "Peterborough (UK) | 2014 (payment threshold 7.5%)")

GOVERNANCE = [
    Param("governance.co_programming", False, "flag",
          "Co-programming and co-design with the Third Sector (art. 55 D.Lgs. 117/2017) is "
          "running (switched on by a 'co_programming' policy).", label="Co-programming",
          label_it="Co-programmazione"),
    Param("governance.co_capacity_gain", 0.2, "share",
          "Extra Third Sector capacity brought by co-programming (resources pooled, new "
          "services).", "assumption", low=0, high=2, label="Capacity gained",
          label_it="Capacità aggiuntiva"),
    Param("governance.co_fit_gain", 0.15, "share",
          "Better fit between services and needs: extra effect of Third Sector services.",
          "assumption", low=0, high=2, label="Better fit", label_it="Maggiore appropriatezza"),
    Param("governance.co_staff_share", 0.05, "share",
          "Share of social workers' assessment time spent on co-programming tables.",
          "assumption", low=0, high=0.9, label="Staff time", label_it="Tempo del personale"),
    Param("governance.outcome_contracts", False, "flag",
          "Providers are paid for measured outcomes (switched on by an 'outcome_contracts' "
          "policy).", label="Outcome-based contracts", label_it="Contratti a risultato"),
    Param("governance.outcome_base_share", 0.7, "share",
          "Share of the hourly cost still paid per hour under outcome-based contracts.",
          "assumption", low=0, high=1, label="Hourly share kept",
          label_it="Quota oraria mantenuta"),
    Param("governance.outcome_price", 600.0, "EUR/case",
          "Payment per resolved need above the threshold (per level of care need lowered).",
          "assumption", low=0, high=100_000, label="Price per outcome",
          label_it="Prezzo per risultato"),
    Param("governance.outcome_threshold", 0.005, "share",
          "Weekly share of a provider's cases that must be resolved before outcomes are paid.",
          _C10 + "; level assumption", low=0, high=1, label="Outcome threshold",
          label_it="Soglia di risultato"),
    Param("governance.outcome_effort", 0.15, "share",
          "Extra effect of services when providers are paid for outcomes (effort).",
          "assumption; C10 in shared/research/domain.md", low=0, high=2,
          label="Extra effort", label_it="Impegno aggiuntivo"),
    Param("governance.case_mix_adjusted", False, "flag",
          "Outcome payments are weighted by case difficulty (care level), so providers gain "
          "nothing by picking easier cases; off, they take the easiest cases first "
          "(cream-skimming).", "assumption", label="Case-mix adjustment",
          label_it="Aggiustamento per complessità"),
]
