"""The page's settings in its address, and back: shareable links for Explore and Compare.

Pure functions (no solara) between query strings and plain values, so a link copied from one
browser rebuilds the same page in another. Explore:
``/?lang=it&scenario=baseline&city=parma&set=office.social_workers%3D40``; Compare:
``/compare?lang=it&city=parma&reps=5&weeks=104&residents=5000&s1=proactive-platform&c1=...``
(``c<i>``: a strategy's changed parameters, ``key = value`` lines joined by ``;``; ``k<i>``: its
city when it is not the page's). An uploaded scenario is named by its content digest
(``upload:<digest>``, see :mod:`willsim.app.uploads`). Decoding never raises: what it cannot use
comes back as problems (a catalogue key and its values) for the page to say, in its language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

Problem = tuple[str, dict[str, Any]]
"""A message for the page: a catalogue key and the values it names."""


def query(search: str | None) -> dict[str, list[str]]:
    """``?a=1&b=2&b=3`` as ``{"a": ["1"], "b": ["2", "3"]}``."""
    return parse_qs((search or "").lstrip("?"), keep_blank_values=False)


def first(q: Mapping[str, list[str]], name: str) -> str | None:
    values = q.get(name) or []
    return values[0] if values else None


def with_language(search: str | None, language: str) -> str:
    """``search`` with ``lang`` set to ``language`` (other parameters kept, in order)."""
    q = {k: v for k, v in query(search).items() if k != "lang"}
    items = [(k, x) for k, vs in q.items() for x in vs] + [("lang", language)]
    return "?" + urlencode(items)


def value_text(value: Any) -> str:
    """A parameter value as written after ``=`` (TOML: strings quoted, lists bracketed)."""
    return json.dumps(value) if isinstance(value, (str, list, tuple, bool)) else repr(value)


# --- Explore ------------------------------------------------------------------------------------
@dataclass
class ExploreLink:
    scenario: str | None = None
    city: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def explore_search(
    scenario: str, city: str | None, overrides: Mapping[str, Any], language: str
) -> str:
    items: list[tuple[str, str]] = [("lang", language), ("scenario", scenario)]
    if city:
        items.append(("city", city))
    items += [("set", f"{k}={value_text(v)}") for k, v in overrides.items()]
    return "?" + urlencode(items)


def read_explore(
    search: str | None, scenarios: Sequence[str], cities: Sequence[str]
) -> ExploreLink:
    """The Explore settings of a link; each value it cannot use is a problem, left out."""
    from willsim.params import PARAMETERS, ParameterError
    from willsim.scenario import ScenarioError, parse_assignment

    q = query(search)
    out = ExploreLink()
    scenario = first(q, "scenario")
    if scenario is not None:
        if scenario in scenarios or scenario.startswith("upload:"):
            out.scenario = scenario
        else:
            out.problems.append(("link_bad_scenario", {"value": scenario}))
    city = first(q, "city")
    if city is not None:
        if city in cities:
            out.city = city
        else:
            out.problems.append(("link_bad_city", {"value": city}))
    for item in q.get("set", []):
        try:
            key, value = parse_assignment(item)
            out.overrides[key] = PARAMETERS[key].validate(value)
        except (ScenarioError, ParameterError) as exc:
            out.problems.append(("link_bad_value", {"value": item, "error": str(exc)}))
    return out


# --- Compare ------------------------------------------------------------------------------------
@dataclass
class StrategyLink:
    scenario: str
    changes: str = ""
    city: str | None = None


@dataclass
class CompareLink:
    city: str | None = None
    strategies: list[StrategyLink] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # replicates, weeks, residents, draws
    problems: list[Problem] = field(default_factory=list)
    uncertainty: str | None = None  # seeds or parameters
    capacity: bool | None = None  # also at the capacity that keeps the waiting list from growing


NUMBER_PARAMS = {"reps": "replicates", "weeks": "weeks", "residents": "residents", "draws": "draws"}
UNCERTAINTY = ("seeds", "parameters")


def compare_search(
    city: str | None,
    strategies: Sequence[StrategyLink],
    replicates: int,
    weeks: int,
    residents: int,
    language: str,
    uncertainty: str = "seeds",
    draws: int = 10,
    capacity: bool = False,
) -> str:
    items: list[tuple[str, str]] = [("lang", language)]
    if city:
        items.append(("city", city))
    items += [("reps", str(replicates)), ("weeks", str(weeks)), ("residents", str(residents))]
    if uncertainty != "seeds":
        items += [("unc", uncertainty), ("draws", str(draws))]
    if capacity:
        items.append(("cap", "1"))
    for i, s in enumerate(strategies, start=1):
        items.append((f"s{i}", s.scenario))
        changes = ";".join(line.strip() for line in s.changes.splitlines() if line.strip())
        if changes:
            items.append((f"c{i}", changes))
        if s.city and s.city != city:
            items.append((f"k{i}", s.city))
    return "?" + urlencode(items)


def read_compare(
    search: str | None, scenarios: Sequence[str], cities: Sequence[str], max_strategies: int
) -> CompareLink:
    """The Compare settings of a link (strategies in order ``s1``, ``s2``...)."""
    q = query(search)
    out = CompareLink()
    city = first(q, "city")
    if city is not None:
        if city in cities:
            out.city = city
        else:
            out.problems.append(("link_bad_city", {"value": city}))
    unc = first(q, "unc")
    if unc is not None:
        if unc in UNCERTAINTY:
            out.uncertainty = unc
        else:
            out.problems.append(("link_bad_choice", {"name": "unc", "value": unc}))
    cap = first(q, "cap")
    if cap is not None:
        out.capacity = cap in ("1", "true", "yes")
    for name, field_name in NUMBER_PARAMS.items():
        raw = first(q, name)
        if raw is None:
            continue
        try:
            out.numbers[field_name] = int(raw)
        except ValueError:
            out.problems.append(("link_bad_number", {"name": name, "value": raw}))
    for i in range(1, max_strategies + 1):
        scenario = first(q, f"s{i}")
        if scenario is None:
            continue
        if scenario not in scenarios and not scenario.startswith("upload:"):
            out.problems.append(("link_bad_scenario", {"value": scenario}))
            continue
        own_city = first(q, f"k{i}")
        if own_city is not None and own_city not in cities:
            out.problems.append(("link_bad_city", {"value": own_city}))
            own_city = None
        changes = "\n".join(
            part.strip() for part in (first(q, f"c{i}") or "").split(";") if part.strip()
        )
        out.strategies.append(StrategyLink(scenario, changes, own_city or out.city))
    return out
