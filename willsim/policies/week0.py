"""Policies that start at reported week 0, built from lever changes.

The app (its "App: your changes" entry) and the workshop (a team's strategy) both turn levers
into ``[[policies]]`` entries that start at reported week 0, so that the burn-in stays the status
quo's and the replicates stay paired from the same city state. They build them here, so the
entries' shape and the lever -> policy type lookup cannot drift apart between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from willsim.params import PARAMETERS
from willsim.policies.registry import POLICY_TYPES


def policy_type_of(key: str) -> str | None:
    """The policy type that may set ``key``: the one it switches on, else the first (in the
    registry's order) whose groups hold ``key``'s group; None if no policy may set it."""
    group = PARAMETERS[key].group
    fits = [name for name, kind in POLICY_TYPES.items() if group in kind.groups]
    own = [name for name in fits if POLICY_TYPES[name].switch == key]
    first = own or fits
    return first[0] if first else None


def week0_entry(
    kind: str, label: Mapping[str, str], values: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One ``[[policies]]`` entry of type ``kind`` starting at reported week 0, labelled
    ``label`` (by language), setting ``values`` (none: the entry only switches its type on)."""
    if kind not in POLICY_TYPES:
        raise ValueError(f"unknown policy type {kind!r}")
    entry: dict[str, Any] = {"type": kind, "label": dict(label), "start": 0}
    if values:
        entry["set"] = dict(values)
    return entry


def week0_policies(
    changes: Mapping[str, Any], params: Mapping[str, Any], label: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Entries that set the levers ``changes`` from reported week 0, one per policy type
    (:func:`policy_type_of`), each labelled ``label``.

    ``params``: the scenario's values, whose levers the policies replace: a lever already at that
    value is left out, and an entry whose type has a switch sets the switch to the scenario's own
    value (a policy entry would otherwise switch it on). A key no policy type may set is refused.
    """
    sets: dict[str, dict[str, Any]] = {}
    for key, value in changes.items():
        if params.get(key) == value:
            continue
        kind = policy_type_of(key)
        if kind is None:
            raise ValueError(f"{key}: no policy type may set it, so it cannot start at week 0")
        sets.setdefault(kind, {})[key] = value
    entries = []
    for kind, values in sets.items():
        switch = POLICY_TYPES[kind].switch
        if switch is not None:
            values = {switch: params[switch], **values}
        entries.append(week0_entry(kind, label, values))
    return entries
