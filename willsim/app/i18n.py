"""English and Italian: UI strings, labels from the registries, and number formats.

The language is a per-session reactive (solara keeps module-level reactives per browser session),
set once from ``?lang=it`` or the browser's ``Accept-Language`` and switchable in the app bar.
Parameter and indicator labels come from their registries (``label`` / ``label_it``), scenario
descriptions from the scenario files, so nothing is translated twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import solara

from willsim.indicators import GROUP_VARS, INDICATORS
from willsim.params import PARAMETERS

LANGS = ("en", "it")
lang = solara.reactive("en")

GROUP_LABELS: dict[str, tuple[str, str]] = {
    "run": ("Run", "Simulazione"),
    "city": ("City", "Città"),
    "needs": ("Needs", "Bisogni"),
    "helpseeking": ("Help-seeking", "Ricerca di aiuto"),
    "office": ("Social office", "Sportello sociale"),
    "eligibility": ("Eligibility", "Requisiti di accesso"),
    "services": ("Services", "Servizi"),
    "providers": ("Providers", "Erogatori"),
    "municipality": ("Municipality", "Comune"),
    "network": ("Social network", "Rete sociale"),
    "crises": ("Crises", "Crisi"),
    "outreach": ("Proactive outreach", "Intercettazione proattiva"),
    "shock": ("Shocks (pandemic, budget)", "Shock (pandemia, bilancio)"),
    "marketplace": ("Multichannel marketplace", "Mercato multicanale"),
    "governance": ("Governance", "Governance"),
    "community": ("Community platform", "Piattaforma di comunità"),
    "transitions": ("Demographic and digital change", "Cambiamenti demografici e digitali"),
    "qol": ("Quality of life", "Qualità della vita"),
    "economics": ("Economic evaluation", "Valutazione economica"),
}

UNIT_LABELS_IT: dict[str, str] = {
    "persons": "persone",
    "share": "quota",
    "weeks": "settimane",
    "hours": "ore",
    "hours/week": "ore/settimana",
    "EUR": "€",
    "requests": "richieste",
    "residents": "residenti",
    "count": "numero",
    "flag": "sì/no",
    "seed": "seme",
    "prob/week": "prob./settimana",
    "prob/month": "prob./mese",
    "prob/year": "prob./anno",
    "events/week": "eventi/settimana",
    "events/year": "eventi/anno",
    "days": "giorni",
    "months": "mesi",
    "years": "anni",
    "EUR/week": "€/settimana",
    "EUR/day": "€/giorno",
    "EUR/month": "€/mese",
    "EUR/year": "€/anno",
    "EUR/resident/year": "€/residente/anno",
    "multiplier": "moltiplicatore",
    "EUR/hour": "€/ora",
    "EUR/case": "€/caso",
    "choice": "scelta",
    "text": "testo",
    "score": "punteggio",
}

CATALOG: dict[str, tuple[str, str]] = {
    "app_title": ("willsim · local welfare simulator", "willsim · simulatore del welfare locale"),
    "explore": ("Explore", "Esplora"),
    "compare": ("Compare", "Confronta"),
    "language": ("Language", "Lingua"),
    "scenario": ("Scenario", "Scenario"),
    "city": ("City", "Città"),
    "upload": (
        "Upload a scenario file (.toml or .yaml, at most {kb} KB)",
        "Carica un file di scenario (.toml o .yaml, al massimo {kb} KB)",
    ),
    "uploaded": ("Uploaded scenario {name} loaded.", "Scenario caricato: {name}."),
    "upload_bad": ("Scenario file rejected: {error}", "File di scenario rifiutato: {error}"),
    "controls": ("Parameters", "Parametri"),
    "changed": ("{n} changed", "{n} modificati"),
    "reset_controls": ("Restore defaults", "Ripristina i valori"),
    "run": ("Run", "Avvia"),
    "pause": ("Pause", "Pausa"),
    "step": ("Step", "Passo"),
    "reset": ("Reset", "Reimposta"),
    "running": ("Running… {pct}%", "In corso… {pct}%"),
    "week_of": ("Week {week} of {weeks}", "Settimana {week} di {weeks}"),
    "not_started": ("Press Run or Step to start.", "Premi Avvia o Passo per iniziare."),
    "capped": (
        "Population capped: the app simulates at most {cap} residents, so {city} "
        "({population} residents) is simulated with a weighted sample of {cap}; outputs "
        "are scaled to the whole city. Use the command line for larger runs.",
        "Popolazione limitata: l'app simula al massimo {cap} residenti, quindi {city} "
        "({population} residenti) è simulata con un campione pesato di {cap}; i risultati "
        "sono riportati all'intera città. Per simulazioni più grandi usa la riga di "
        "comando.",
    ),
    "population_line": ("{n} simulated residents · {mode}", "{n} residenti simulati · {mode}"),
    "mode_full": ("one agent per resident", "un agente per residente"),
    "mode_sampled": ("weighted sample, weight {w}", "campione pesato, peso {w}"),
    "invalid_settings": (
        "Fix the settings first: {error}",
        "Correggi prima le impostazioni: {error}",
    ),
    "key_indicators": ("Key indicators", "Indicatori principali"),
    "week": ("week", "settimana"),
    "citizen": ("A citizen's journey", "Il percorso di un cittadino"),
    "citizen_index": ("Resident number (0–{n})", "Numero del residente (0–{n})"),
    "citizen_none": (
        "Run or step the model to meet its residents.",
        "Avvia o fai avanzare il modello per conoscerne i residenti.",
    ),
    "need": ("Need", "Bisogno"),
    "level": ("Level", "Livello"),
    "status": ("Status", "Stato"),
    "since_week": ("Since week", "Dalla settimana"),
    "first_help_week": ("First helped in week", "Primo aiuto nella settimana"),
    "provider": ("Provider", "Erogatore"),
    "attribute": ("Attribute", "Caratteristica"),
    "value": ("Value", "Valore"),
    "download_csv": ("Download CSV", "Scarica CSV"),
    "download_toml": ("Download scenario file", "Scarica il file di scenario"),
    "reproduce": ("Reproduce on the command line", "Riprodurre dalla riga di comando"),
    "reproduce_help": (
        "Save the scenario file, then run:",
        "Salva il file di scenario, poi esegui:",
    ),
    "variants": ("Strategies to compare (2 to 4)", "Strategie da confrontare (da 2 a 4)"),
    "variant": ("Strategy {i}", "Strategia {i}"),
    "changes": (
        "Changed parameters (key=value; one per line)",
        "Parametri modificati (chiave=valore; uno per riga)",
    ),
    "add_variant": ("Add a strategy", "Aggiungi una strategia"),
    "from_explore": ("Add Explore's settings", "Aggiungi le impostazioni di Esplora"),
    "remove": ("Remove", "Rimuovi"),
    "replicates": (
        "Replicates (same seeds for every strategy)",
        "Repliche (stessi semi per ogni strategia)",
    ),
    "weeks": ("Weeks", "Settimane"),
    "residents": ("Simulated residents", "Residenti simulati"),
    "run_compare": ("Run comparison", "Avvia il confronto"),
    "cancel": ("Cancel", "Annulla"),
    "cancelled": ("Comparison cancelled.", "Confronto annullato."),
    "progress": ("{done} of {total} runs", "{done} di {total} simulazioni"),
    "indicator": ("Indicator", "Indicatore"),
    "band": (
        "lines: mean over replicates; bands: 10th–90th percentile",
        "linee: media delle repliche; fasce: 10°–90° percentile",
    ),
    "differences": (
        "Paired differences from {ref} (same seeds)",
        "Differenze appaiate rispetto a {ref} (stessi semi)",
    ),
    "difference": ("Difference", "Differenza"),
    "interval": ("95% interval", "Intervallo al 95%"),
    "verdict": ("Verdict", "Giudizio"),
    "higher": ("higher", "più alto"),
    "lower": ("lower", "più basso"),
    "verdict_clear": (
        "{label} is {dir} than in {ref}: the 95% interval excludes zero.",
        "{label}: valore {dir} che in {ref}; l'intervallo al 95% esclude lo zero.",
    ),
    "verdict_unclear": (
        "No clear difference in {label} from {ref} with these replicates "
        "(the 95% interval includes zero).",
        "Nessuna differenza chiara in {label} rispetto a {ref} con queste "
        "repliche (l'intervallo al 95% include lo zero).",
    ),
    "too_few": ("Need at least 2 strategies.", "Servono almeno 2 strategie."),
    "bad_changes": ("{name}: {error}", "{name}: {error}"),
    "help": ("Help", "Aiuto"),
    "range": ("range {range}", "intervallo {range}"),
    "vector_hint": ("{n} numbers separated by commas", "{n} numeri separati da virgole"),
    "yes": ("yes", "sì"),
    "no": ("no", "no"),
}


def add_strings(strings: Mapping[str, tuple[str, str]]) -> None:
    """Add a page's own ``key: (en, it)`` strings to the catalog (a key may be declared once)."""
    for key, pair in strings.items():
        if key in CATALOG and CATALOG[key] != tuple(pair):
            raise RuntimeError(f"UI string {key!r} declared twice with different texts")
        CATALOG[key] = (pair[0], pair[1])


def tr(key: str, **fmt: object) -> str:
    """The catalog string ``key`` in the session's language, formatted with ``fmt``."""
    en, it = CATALOG[key]
    text = it if lang.value == "it" else en
    return text.format(**fmt) if fmt else text


def pick(pair: Sequence[str] | Mapping[str, str], language: str | None = None) -> str:
    """The ``(en, it)`` pair member or ``{en: ..., it: ...}`` entry in the language."""
    language = language or lang.value
    if isinstance(pair, Mapping):
        return pair.get(language) or pair.get("en", "")
    return pair[1] if language == "it" else pair[0]


def param_label(key: str) -> str:
    p = PARAMETERS[key]
    return p.label_it if lang.value == "it" else p.label


def unit_label(unit: str) -> str:
    return UNIT_LABELS_IT.get(unit, unit) if lang.value == "it" else unit


def indicator_label(key: str) -> str:
    return INDICATORS[key].label_in(lang.value)


def group_label(group: str) -> str:
    return pick(GROUP_LABELS.get(group, (group, group)))


def group_var_label(var: str) -> str:
    return pick(GROUP_VARS.get(var, (var, var)))


def number(value: float, decimals: int = 0, language: str | None = None) -> str:
    """``value`` with thousands separators: 1,234.5 in English, 1.234,5 in Italian."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if (language or lang.value) == "it":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def city_name(city: str) -> str:
    """A bundled city profile's name as people write it: ``reggio-emilia`` -> Reggio Emilia."""
    return city.replace("-", " ").replace("_", " ").title()


def city_items(cities: Sequence[str]) -> list[dict[str, str]]:
    """Menu items for the city profiles: the name shown, the profile key as the value."""
    return [{"text": city_name(c), "value": c} for c in cities]


def plain_number(value: float, language: str | None = None) -> str:
    """A parameter bound as typed: whole numbers with separators, others with their own
    decimals (``0.25`` / ``0,25``); never scientific notation below a trillion."""
    if float(value).is_integer() and abs(value) < 1e12:
        return number(value, 0, language)
    text = f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1e12 else f"{value:.3g}"
    head, dot, tail = text.partition(".")
    head = number(int(head), 0, language) if head.lstrip("-").isdigit() else head
    return head + ("," if (language or lang.value) == "it" else ".") + tail if dot else head


def fmt_value(value: float, unit: str, language: str | None = None) -> str:
    """An indicator value as users read it: shares as %, money in €, counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "share":
        return number(100 * value, 1, language) + "%"
    if unit == "EUR":
        return "€ " + number(value, 0, language)
    if abs(value) >= 100:
        return number(value, 0, language)
    return number(value, 2, language)


def initial_language(search: str | None, headers: Mapping[str, Sequence[str]] | None) -> str:
    """``?lang=xx`` if given, else the first supported language the browser accepts."""
    for part in (search or "").lstrip("?").split("&"):
        name, _, value = part.partition("=")
        if name == "lang" and value.lower()[:2] in LANGS:
            return value.lower()[:2]
    accept = ",".join((headers or {}).get("accept-language", []))
    for item in accept.split(","):
        code = item.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"
