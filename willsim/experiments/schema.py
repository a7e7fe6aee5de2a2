"""Structural files validated by schema (pydantic), with one-line messages.

Sweep specs, workshop room settings and strategies are pydantic models with ``extra="forbid"``;
the parameter registry stays the source of truth for parameter values (units, ranges, choices).
:func:`validate` turns the first problem pydantic finds into one line that names the place, the
problem and the valid choices, e.g.::

    spec.toml: sweep.replicates must be a whole number >= 1, got 0
    spec.toml: unknown key(s) 'colour' in [sweep]; valid keys: common_seeds, description, ...
    spec.toml: unknown design 'grid'; valid designs: factorial, lhs, sobol, morris
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
"""The configuration of every structural schema: unknown keys and loose types are refused."""

_PHRASES = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "missing": "is required",
}


_SIGNS = {
    "greater_than_equal": ">=",
    "greater_than": ">",
    "less_than_equal": "<=",
    "less_than": "<",
}


def _plural(word: str) -> str:
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def _loc(loc: tuple[Any, ...]) -> str:
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif "." in str(part) or " " in str(part):
            parts.append(f'."{part}"')
        else:
            parts.append(f".{part}")
    return "".join(parts).lstrip(".")


def _unwrap(annotation: Any) -> Any:
    """The model class or container behind ``Optional[...]``/``X | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the keys at ``loc`` (through nested models and dicts)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) in (dict, Mapping, typing.Mapping):
            current = typing.get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def describe(exc: ValidationError, model: type[BaseModel], where: str = "") -> str:
    """One line for the first problem of ``exc`` (unknown keys of one table grouped)."""
    errors = exc.errors(include_url=False)
    prefix = f"{where}: " if where else ""
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    if extra:
        parent = tuple(extra[0]["loc"][:-1])
        keys = [repr(e["loc"][-1]) for e in extra if tuple(e["loc"][:-1]) == parent]
        owner = _model_at(model, parent)
        valid = sorted(owner.model_fields) if owner else []
        table = f" in [{_loc(parent)}]" if parent else ""
        return f"{prefix}unknown key(s) {', '.join(keys)}{table}" + (
            f"; valid keys: {', '.join(valid)}" if valid else ""
        )
    err = errors[0]
    loc = tuple(err["loc"])
    # a union of types reports one error per member: keep the first, located at the field
    loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith(("function-", "list["))))
    name = _loc(loc)
    given = err.get("input")
    kind = err["type"]
    ctx = err.get("ctx", {})
    if kind == "literal_error":
        choices = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        if loc and loc[-1] == "[key]":
            return f"{prefix}{_loc(loc[:-2])}: {given!r} is not a valid key; choose from {choices}"
        if loc and isinstance(loc[-1], str):
            field = str(loc[-1])
            return f"{prefix}unknown {field} {given!r}; valid {_plural(field)}: {choices}"
        return f"{prefix}{name}: {given!r} is not valid; choose from {choices}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = _SIGNS[kind]
        bound = next(iter(ctx.values()), "?")
        whole = isinstance(bound, int) and not isinstance(bound, bool)
        what = "a whole number " if whole else ""
        return f"{prefix}{name} must be {what}{sign} {bound}, got {given!r}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length", ctx.get("max_length"))
        return f"{prefix}{name} must have {n} item(s), got {given!r}"
    if kind == "value_error":
        return f"{prefix}{name}: {ctx.get('error', err['msg'])!s}"
    phrase = _PHRASES.get(kind, err["msg"].lower())
    if kind == "missing":
        return f"{prefix}{name} {phrase}"
    return f"{prefix}{name} {phrase}, got {given!r}"


def validate(
    model: type[M],
    data: Any,
    where: str = "",
    error: Callable[[str], Exception] = ValueError,
) -> M:
    """``model`` validated from ``data``; a problem raises ``error(one line)``."""
    if not isinstance(data, Mapping):
        raise error(f"{where + ': ' if where else ''}expected a table of keys, got {data!r}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise error(describe(exc, model, where)) from None
