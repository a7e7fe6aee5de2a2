"""The search space: free parameters read from the priors in the parameter registry.

A free parameter is one element of a parameter with a prior (``helpseeking.awareness``, or
``helpseeking.ask_rate[care]`` for an element of a vector). A parameter whose prior has
``scope="city"`` gives one free parameter per fitted city (``...@bergamo``). Searches and designs
work on the unit cube of prior quantiles (:meth:`FreeParam.value` maps a quantile to a value), so
every prior shape is covered evenly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from willsim.params import PARAMETERS, ParameterError
from willsim.params.priors import Prior
from willsim.params.registry import unknown_key_message


@dataclass(frozen=True)
class FreeParam:
    """One calibrated number: a parameter (or one element of it), for all cities or for one."""

    key: str
    index: int | None
    element: str | None
    city: str | None
    prior: Prior
    default: float

    @property
    def name(self) -> str:
        """``key``, ``key[element]``, with ``@city`` for a city-scoped parameter."""
        name = self.key if self.element is None else f"{self.key}[{self.element}]"
        return name if self.city is None else f"{name}@{self.city}"

    @property
    def bounds(self) -> tuple[float, float]:
        return self.prior.bounds(self.default)

    def value(self, u: float) -> float:
        """The parameter value at prior quantile ``u``."""
        return self.prior.value(u, self.default)

    def quantile(self, x: float) -> float:
        """The prior quantile of value ``x``."""
        return self.prior.quantile(x, self.default)


def free_parameters(
    cities: Sequence[str], keys: Iterable[str] | None = None, fitted_only: bool = True
) -> list[FreeParam]:
    """Free parameters of the parameters with a prior, for ``cities``.

    ``keys`` restricts them to some parameters (``helpseeking.awareness``) or to some elements of
    a vector (``helpseeking.ask_rate[care]``). Raises :class:`~willsim.params.ParameterError` for
    an unknown key or element, or a parameter without a prior.
    """
    wanted: dict[str, set[str] | None] = {}
    if keys is None:
        for p in PARAMETERS.values():
            if p.prior is not None and (p.prior.fit or not fitted_only):
                wanted[p.key] = None
    else:
        with_prior = [k for k, p in PARAMETERS.items() if p.prior is not None]
        for text in keys:
            key, _, element = text.partition("[")
            if key not in PARAMETERS:
                raise ParameterError(unknown_key_message(key, PARAMETERS))
            param = PARAMETERS[key]
            if param.prior is None:
                raise ParameterError(
                    f"{key} has no prior, so it cannot be calibrated; parameters with a prior: "
                    f"{', '.join(with_prior)}"
                )
            if element:
                names = [str(n) for n in param.prior.element_names(param)]
                if not element.endswith("]") or element[:-1] not in names:
                    raise ParameterError(
                        f"{text}: no such element; elements of {key}: {', '.join(names)}"
                    )
                chosen = wanted.setdefault(key, set())
                if chosen is not None:
                    chosen.add(element[:-1])
            else:
                wanted[key] = None
    out = []
    for key, elements in wanted.items():
        param = PARAMETERS[key]
        prior = param.prior
        assert prior is not None
        defaults = param.default if param.length is not None else [param.default]
        for index, (name, default) in enumerate(
            zip(prior.element_names(param), defaults, strict=True)
        ):
            if elements is not None and str(name) not in elements:
                continue
            for city in cities if prior.scope == "city" else [None]:
                out.append(
                    FreeParam(
                        key=param.key,
                        index=None if param.length is None else index,
                        element=name,
                        city=city,
                        prior=prior,
                        default=float(default),
                    )
                )
    return out


def values_from_quantiles(free: Sequence[FreeParam], u: Mapping[str, float]) -> dict[str, float]:
    """Parameter values by free-parameter name from quantiles by name."""
    return {f.name: f.value(u[f.name]) for f in free}


def city_overrides(
    free: Sequence[FreeParam],
    values: Mapping[str, float],
    city: str,
    base: Mapping[str, Any],
) -> dict[str, Any]:
    """Overrides (dotted key -> value) that set ``values`` for ``city`` on top of ``base``.

    Shared parameters apply to every city; city-scoped ones only to their own city (a city
    without its own value, e.g. a hold-out city, keeps ``base``). Vector elements not free keep
    their value in ``base``.
    """
    out: dict[str, Any] = {}
    for f in free:
        if f.city is not None and f.city != city:
            continue
        if f.name not in values:
            continue
        value = float(values[f.name])
        if f.index is None:
            out[f.key] = value
        else:
            vector = list(out.get(f.key, base[f.key]))
            vector[f.index] = value
            out[f.key] = vector
    return out


def space_hash(free: Sequence[FreeParam]) -> str:
    """A hash of the free parameters and their priors (a study refuses to resume if it changes)."""
    blob = json.dumps(
        [{"name": f.name, "default": f.default, "prior": asdict(f.prior)} for f in free],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
