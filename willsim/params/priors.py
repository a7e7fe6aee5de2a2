"""Calibration priors: what a parameter that is an assumption may plausibly be.

A :class:`Prior` is attached to a parameter's declaration (``Param(..., prior=Prior(...))``). It
says which values are plausible (a distribution over a range, with the basis of the range), and
whether the value is one for the whole model (``scope="shared"``, e.g. how people ask for help)
or may differ by city (``scope="city"``, e.g. local capacity). ``fit=False`` marks a parameter
that is uncertain but that the city targets cannot identify (e.g. an outreach response): the
calibrator leaves it alone, the uncertainty analysis samples it from its prior.

Every distribution is defined on a closed range ``[low, high]`` (per element for a vector
parameter) and is handled through its quantile function: a number ``u`` in [0, 1] maps to a
value (:meth:`Prior.value`) and back (:meth:`Prior.quantile`), so a search or a Sobol design
over the unit cube covers the prior evenly.

* ``uniform``: flat on [low, high];
* ``log-uniform``: flat in log(value) (a scale that may be wrong by a factor; low > 0);
* ``normal``: centred on the parameter's default with standard deviation ``sd``, truncated to
  [low, high];
* ``beta``: Beta(``a``, ``b``) stretched onto [low, high].

With ``relative=True``, ``low``, ``high`` and ``sd`` multiply the default, element by element
(``low=0.25, high=4`` = "a quarter to four times the default").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from willsim.params.registry import Param

DISTRIBUTIONS: tuple[str, ...] = ("uniform", "log-uniform", "normal", "beta")
SCOPES: tuple[str, ...] = ("shared", "city")


@dataclass(frozen=True)
class Prior:
    """Plausible values of a parameter that is an assumption, and whether to calibrate it."""

    dist: str
    low: float
    high: float
    basis: str
    """Why this range: sources, the audit's evidence, or the reasoning behind the judgement."""
    scope: str = "shared"
    relative: bool = False
    sd: float | None = None
    a: float | None = None
    b: float | None = None
    fit: bool = True
    elements: tuple[str, ...] = ()
    """Names of a vector parameter's elements (e.g. the domains), used in free-parameter names."""

    # --- per-element geometry ----------------------------------------------------------------

    def bounds(self, default: float) -> tuple[float, float]:
        """The range of one element whose default is ``default``."""
        if self.relative:
            return self.low * default, self.high * default
        return self.low, self.high

    def value(self, u: float, default: float) -> float:
        """The value at quantile ``u`` (0..1) of the element whose default is ``default``."""
        lo, hi = self.bounds(default)
        u = min(max(float(u), 0.0), 1.0)
        if self.dist == "uniform":
            x = lo + u * (hi - lo)
        elif self.dist == "log-uniform":
            x = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        elif self.dist == "normal":
            x = float(self._truncnorm(default).ppf(u))
        else:
            from scipy.stats import beta

            x = lo + (hi - lo) * float(beta.ppf(u, self.a, self.b))
        return min(max(x, lo), hi)  # no rounding excursion outside the range

    def quantile(self, x: float, default: float) -> float:
        """The quantile (0..1) of value ``x``: the inverse of :meth:`value`."""
        lo, hi = self.bounds(default)
        x = min(max(float(x), lo), hi)
        if self.dist == "uniform":
            return (x - lo) / (hi - lo)
        if self.dist == "log-uniform":
            return (math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
        if self.dist == "normal":
            return float(self._truncnorm(default).cdf(x))
        from scipy.stats import beta

        return float(beta.cdf((x - lo) / (hi - lo), self.a, self.b))

    def _truncnorm(self, default: float) -> Any:
        from scipy.stats import truncnorm

        lo, hi = self.bounds(default)
        assert self.sd is not None  # checked at declaration
        sd = self.sd * default if self.relative else self.sd
        return truncnorm((lo - default) / sd, (hi - default) / sd, loc=default, scale=sd)

    # --- declaration checks and display -------------------------------------------------------

    def element_names(self, param: Param) -> list[str | None]:
        """``[None]`` for a scalar parameter, else one name per element (given or its index)."""
        if param.length is None:
            return [None]
        return list(self.elements) if self.elements else [str(i) for i in range(param.length)]

    def check(self, param: Param) -> None:
        """Raise ``ValueError`` if this prior cannot belong to ``param`` (a declaration bug)."""
        where = f"{param.key}: prior"
        if self.dist not in DISTRIBUTIONS:
            raise ValueError(f"{where}: unknown distribution {self.dist!r}; valid: {DISTRIBUTIONS}")
        if self.scope not in SCOPES:
            raise ValueError(f"{where}: unknown scope {self.scope!r}; valid: {SCOPES}")
        if not self.basis.strip():
            raise ValueError(f"{where}: the basis of the range must be stated")
        if self.dist == "normal" and not (self.sd and self.sd > 0):
            raise ValueError(f"{where}: a normal prior needs sd > 0")
        if self.dist == "beta" and not (self.a and self.a > 0 and self.b and self.b > 0):
            raise ValueError(f"{where}: a beta prior needs a > 0 and b > 0")
        defaults = _float_elements(param)
        if defaults is None:
            raise ValueError(f"{where}: priors apply to real-valued parameters only")
        if self.elements and len(self.elements) != len(defaults):
            raise ValueError(f"{where}: {len(self.elements)} element names for {len(defaults)}")
        for default in defaults:
            lo, hi = self.bounds(default)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"{where}: empty range [{lo}, {hi}] (default {default})")
            if self.dist == "log-uniform" and lo <= 0:
                raise ValueError(f"{where}: a log-uniform range must be positive, got {lo}")
            if not lo <= default <= hi:
                raise ValueError(f"{where}: the default {default} is outside [{lo:g}, {hi:g}]")
            if (param.low is not None and lo < param.low) or (
                param.high is not None and hi > param.high
            ):
                raise ValueError(
                    f"{where}: [{lo:g}, {hi:g}] exceeds the valid range {param.range_text}"
                )

    def text(self, param: Param) -> str:
        """One line for ``willsim params``: distribution, ranges, scope and role."""
        shape = self.dist
        if self.dist == "normal":
            shape += f"(sd {self.sd:g}{'x default' if self.relative else ''})"
        elif self.dist == "beta":
            shape += f"({self.a:g}, {self.b:g})"
        defaults = _float_elements(param) or []
        names = self.element_names(param)
        ranges = []
        for name, default in zip(names, defaults, strict=True):
            lo, hi = self.bounds(default)
            ranges.append(f"{'' if name is None else name + ' '}[{lo:.4g}, {hi:.4g}]")
        role = "fitted to the targets" if self.fit else "not fitted (sampled in uncertainty runs)"
        return f"{shape} on {', '.join(ranges)}; {self.scope}; {role}"


def _float_elements(param: Param) -> list[float] | None:
    """The default's elements as floats, or None if the parameter is not real-valued."""
    default = param.default
    values: Sequence[object] = default if param.length is not None else [default]
    if isinstance(default, (bool, str, int)) and param.length is None:
        return None
    return [float(v) for v in values]  # type: ignore[arg-type]
