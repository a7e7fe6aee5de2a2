"""Workshop words in English and Italian, shared by the pages, the board and the export.

Pure data (no solara): the app registers them with :func:`willsim.app.i18n.add_strings`.
"""

from __future__ import annotations

from willsim.workshop.strategy import Strategy

STRINGS: dict[str, tuple[str, str]] = {
    # criteria (all lower is better)
    "ws_crit_unmet_need": ("Unmet need", "Bisogno non soddisfatto"),
    "ws_crit_crises": ("Crises per 1,000", "Crisi ogni 1.000"),
    "ws_crit_waiting": ("Waiting (weeks)", "Attesa (settimane)"),
    "ws_crit_isolation": ("Isolation", "Isolamento"),
    "ws_crit_equity_gap": ("Equity gap", "Divario di equità"),
    "ws_criteria_help": (
        "All criteria: lower is better. Equity gap: the unmet need of the "
        "poorest income band minus that of the most comfortable band. Public "
        "spending per year includes the services the envelope buys.",
        "Per tutti i criteri, più basso è meglio. Divario di equità: il "
        "bisogno non soddisfatto della fascia di reddito più povera meno quello "
        "della fascia più agiata. La spesa pubblica annua include i servizi "
        "acquistati con la dotazione.",
    ),
    "ws_governance": ("Governance", "Governance"),
    "ws_crit_cost": ("Public spending per year", "Spesa pubblica annua"),
    # levers and choices
    "ws_access": ("Access", "Accesso"),
    "ws_access_on_demand": ("on demand", "su domanda"),
    "ws_access_proactive": ("proactive", "proattivo"),
    "ws_targeting": ("Targeting", "Selezione dei destinatari"),
    "ws_targeting_random": ("at random", "a caso"),
    "ws_targeting_risk": ("highest risk first", "prima i più a rischio"),
    "ws_targeting_antennas": ("community antennas", "antenne di comunità"),
    "ws_intensity": (
        "Outreach hours a week per 1,000 residents",
        "Ore di contatto proattivo a settimana ogni 1.000 residenti",
    ),
    "ws_delivery": ("Delivery", "Erogazione"),
    "ws_delivery_centralised": ("centralised", "centralizzata"),
    "ws_delivery_marketplace": ("marketplace", "piattaforma di mercato"),
    "ws_delivery_community": ("community", "comunità"),
    "ws_delivery_mix": ("mix (marketplace + community)", "mista (mercato + comunità)"),
    "ws_co_programming": (
        "Co-programming with the Third Sector",
        "Co-programmazione con il Terzo settore",
    ),
    "ws_contracts": ("Contracts", "Contratti"),
    "ws_contracts_hourly": ("hourly", "a ore"),
    "ws_contracts_outcome": ("outcome-based", "a risultato"),
    "ws_contracts_outcome_case_mix": (
        "outcome-based, case-mix adjusted",
        "a risultato, corretti per gravità",
    ),
    "ws_social_workers": ("Extra social workers", "Assistenti sociali in più"),
    "ws_note": (
        "Why this strategy (for the debrief)",
        "Perché questa strategia (per il debriefing)",
    ),
    "ws_workers_short": ("+{n} social workers", "+{n} assistenti sociali"),
    "ws_hours_short": ("{h} h/week per 1,000", "{h} h/sett. ogni 1.000"),
    # events
    "ws_event_none": ("no event", "nessun evento"),
    "ws_event_pandemic": ("pandemic shock", "shock pandemico"),
    "ws_event_budget_cut": ("budget cut (−20%)", "taglio del bilancio (−20%)"),
    "ws_event_heatwave": ("heatwave", "ondata di calore"),
    # phases
    "ws_phase_waiting": ("waiting to open", "in attesa di apertura"),
    "ws_phase_open": ("open for strategies", "aperto alle strategie"),
    "ws_phase_locked": ("locked", "chiuso alle modifiche"),
    "ws_phase_running": ("running", "in simulazione"),
    "ws_phase_interrupted": ("interrupted (run it again)", "interrotto (riavvia la simulazione)"),
    "ws_phase_failed": ("failed", "non riuscito"),
    "ws_phase_done": ("results ready (hidden)", "risultati pronti (nascosti)"),
    "ws_phase_revealed": ("results revealed", "risultati svelati"),
    "ws_phase_closed": ("workshop closed", "laboratorio chiuso"),
    # board and report
    "ws_status_quo": ("Status quo", "Situazione attuale"),
    "ws_team": ("Team", "Squadra"),
    "ws_rank": ("Rank", "Posizione"),
    "ws_score": ("Score (0–100)", "Punteggio (0–100)"),
    "ws_strategy": ("Strategy", "Strategia"),
    "ws_est_cost": ("Estimated cost (EUR/year)", "Costo stimato (€/anno)"),
    "ws_round": ("Round {n}", "Turno {n}"),
    "ws_round_event": ("Round {n}: {event}", "Turno {n}: {event}"),
    "ws_report_title": ("Workshop report: {title}", "Rapporto del laboratorio: {title}"),
    "ws_report_setup": (
        "{city}, scenario {scenario}; {weeks} weeks, {residents} simulated "
        "residents, {replicates} replicates on the same seeds for every team; "
        "budget envelope € {envelope} a year per team.",
        "{city}, scenario {scenario}; {weeks} settimane, {residents} residenti "
        "simulati, {replicates} repliche sugli stessi semi per ogni squadra; "
        "dotazione di € {envelope} l'anno per squadra.",
    ),
    "ws_ranking_weights": (
        "Ranking: weighted score of the criteria (weights {weights}); each "
        "criterion is scaled from the best team (1) to the worst (0).",
        "Classifica: punteggio pesato dei criteri (pesi {weights}); ogni "
        "criterio va dalla squadra migliore (1) alla peggiore (0).",
    ),
    "ws_ranking_lex": (
        "Ranking: lexicographic, in this order: {order} (ties within 1%).",
        "Classifica: lessicografica, in quest'ordine: {order} (pari entro l'1%).",
    ),
    "ws_board": ("Results board", "Tabellone dei risultati"),
    "ws_strategies": ("Strategies", "Strategie"),
    "ws_rationale": ("Rationale", "Motivazione"),
    "ws_key_figures": (
        "Key figures against the status quo (paired, same seeds)",
        "Indicatori principali rispetto alla situazione attuale (appaiati, stessi semi)",
    ),
    "ws_equity": ("Who gains and who loses", "Chi guadagna e chi perde"),
    "ws_charts": ("Charts", "Grafici"),
    "ws_debrief": ("Debrief", "Debriefing"),
    "ws_best_on": (
        "Best on {criterion}: {team} ({value})",
        "Migliore per {criterion}: {team} ({value})",
    ),
    "ws_winner": (
        "Round {n} ({event}): {team} ranked first.",
        "Turno {n} ({event}): al primo posto {team}.",
    ),
    "ws_moved": ("{team}: from rank {a} to rank {b}.", "{team}: dalla posizione {a} alla {b}."),
    "ws_changed": (
        "{team} changed its strategy: {before} → {after}.",
        "{team} ha cambiato strategia: {before} → {after}.",
    ),
    "ws_no_results": ("No results yet.", "Ancora nessun risultato."),
    "ws_caveat": (
        "A synthetic city: the results show mechanisms and trade-offs, not forecasts "
        "for a real municipality. Differences are paired (same random numbers for "
        "every team); with few replicates small differences may not be robust.",
        "Una città sintetica: i risultati mostrano meccanismi e compromessi, non "
        "previsioni per un comune reale. Le differenze sono appaiate (stessi numeri "
        "casuali per ogni squadra); con poche repliche le piccole differenze possono "
        "non essere robuste.",
    ),
}


def text(key: str, language: str, **fmt: object) -> str:
    en, it = STRINGS[key]
    out = it if language == "it" else en
    return out.format(**fmt) if fmt else out


def number(value: float, decimals: int = 0, language: str = "en") -> str:
    """1,234.5 in English, 1.234,5 in Italian."""
    out = f"{value:,.{decimals}f}"
    if language == "it":
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return out


def summary(s: Strategy, language: str) -> str:
    """A one-line description such as ``proactive (highest risk first, 4 h/week per 1,000) ·
    mix · co-programming · outcome-based · +3 social workers``."""
    parts = [text(f"ws_access_{s.access}", language)]
    if s.access == "proactive":
        hours = text("ws_hours_short", language, h=number(s.intensity, 1, language))
        parts[0] += f" ({text(f'ws_targeting_{s.targeting}', language)}, {hours})"
    parts.append(text(f"ws_delivery_{s.delivery}", language))
    if s.co_programming:
        parts.append(text("ws_co_programming", language))
    if s.contracts != "hourly":
        parts.append(text(f"ws_contracts_{s.contracts}", language))
    if s.social_workers:
        parts.append(text("ws_workers_short", language, n=s.social_workers))
    return " · ".join(parts)
