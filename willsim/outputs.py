"""How an output is declared: the :class:`Indicator` record and the formula it is computed with.

A formula is data, built from *terms*:

* :class:`Q` — a per-group quantity the collector sums over residents each week (``"unmet"``,
  ``"with_need"``...: :data:`willsim.collector.QUANTITIES`);
* :class:`P` — a quantity a mechanism publishes (``"office.wait_total"``; ``reduce="count"``
  counts the true entries of a per-resident array, ``"sum"`` adds them up);
* :class:`Spent` — this week's public spending on one item (or on every item, or on the
  municipal items);
* :class:`In` — a per-group quantity summed over the residents who are in several groups at
  once (``In("residents", age_band="15-29", neet="yes")``: a cross-tabulation of the cells);

combined with ``+`` and ``-``, and turned into an indicator by

* :class:`Total` — a count or an amount in city units: the terms times the sample weight;
* :class:`Value` — the terms as they are (a price, a score, a number of platform providers);
* :class:`Ratio` — ``offset + scale x num / den`` (NaN when ``den`` is 0);
* :class:`Gap` — a ratio in one group minus the same ratio in another (equity gaps);
* :class:`StdGap` — the same gap within each level of another group variable (age band),
  averaged with the weights of both groups together (an age-standardised gap).

Formulas over per-group quantities only can also be evaluated for every citizen group at once:
the collector keeps the quantities by group, and an indicator's value in a group is its formula
over that group's sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

Where = tuple[tuple[str, tuple[str, ...]], ...]
"""Cells kept by a cross-tabulation: (group variable, the levels kept) pairs."""


class Context(Protocol):
    """What a formula reads: per-group quantity sums, published quantities, spending."""

    weight: float

    def quantity(self, name: str) -> Any: ...

    def published(self, path: str) -> Any: ...

    def spent(self, item: str | None, municipal: bool = False) -> float: ...

    def each(self, name: str) -> float: ...

    def in_group(self, var: str, level: str) -> Context: ...

    def cross(self, name: str, where: Where, by: str | None) -> Any:
        """Quantity ``name`` summed over the cells matching ``where`` (group variable -> the
        levels kept); per level of group variable ``by`` (an array) if given."""
        ...


class Term:
    """A raw (simulated-units) quantity; ``a + b`` and ``a - b`` combine terms."""

    def raw(self, ctx: Context) -> Any:
        raise NotImplementedError

    def quantities(self) -> tuple[str, ...]:
        """Per-group quantities this term reads."""
        return ()

    def paths(self) -> tuple[str, ...]:
        """Published quantities (``mechanism.name``) this term reads."""
        return ()

    def __add__(self, other: Term) -> Term:
        return _Combined(self, other, 1.0)

    def __sub__(self, other: Term) -> Term:
        return _Combined(self, other, -1.0)


@dataclass(frozen=True)
class Q(Term):
    """A per-group quantity summed by the collector (raw: simulated residents)."""

    name: str

    def raw(self, ctx: Context) -> Any:
        return ctx.quantity(self.name)

    def quantities(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class P(Term):
    """A quantity published by a mechanism (or by ``citizens``, ``municipality``, ``model``).

    ``reduce``: ``None`` (a number), ``"count"`` (true or non-zero entries of an array),
    ``"sum"`` (sum of an array) or ``"len"``; ``index`` picks one entry of an array first.
    """

    path: str
    reduce: str | None = None
    index: int | None = None

    def raw(self, ctx: Context) -> Any:
        value = ctx.published(self.path)
        if self.index is not None:
            value = value[self.index]
        if self.reduce == "count":
            return float(np.count_nonzero(value))
        if self.reduce == "sum":
            return float(np.sum(value))
        if self.reduce == "len":
            return float(len(value))
        return float(value)

    def paths(self) -> tuple[str, ...]:
        return (self.path,)


@dataclass(frozen=True)
class Spent(Term):
    """Public spending this week on ``item`` (``None``: every item; ``municipal=True``: every
    item paid from the municipal budget), raw."""

    item: str | None = None
    municipal: bool = False

    def raw(self, ctx: Context) -> Any:
        return ctx.spent(self.item, self.municipal) if self.municipal else ctx.spent(self.item)


@dataclass(frozen=True, init=False)
class In(Term):
    """A per-group quantity summed over the residents in every given group at once (raw).

    ``In("isolated", age_band=("65-74", "75-84", "85+"))``: isolated residents aged 65+;
    ``In("residents", age_band="15-29", neet="yes")``: NEET aged 15-29. A level may be one
    label or a tuple of labels of the group variable (:data:`willsim.indicators.GROUP_VARS`).
    """

    name: str
    where: Where
    by: str | None = None

    def __init__(self, name: str, by: str | None = None, **where: str | tuple[str, ...]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(
            self,
            "where",
            tuple((var, (lv,) if isinstance(lv, str) else tuple(lv)) for var, lv in where.items()),
        )
        object.__setattr__(self, "by", by)

    def raw(self, ctx: Context) -> Any:
        return ctx.cross(self.name, self.where, self.by)

    def quantities(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class Each(Term):
    """The sum of a quantity over every mechanism that publishes it (e.g. each provider
    mechanism's ``provider_revenue``), raw."""

    name: str

    def raw(self, ctx: Context) -> Any:
        return ctx.each(self.name)

    def paths(self) -> tuple[str, ...]:
        return (f"*.{self.name}",)


@dataclass(frozen=True)
class _Combined(Term):
    a: Term
    b: Term
    sign: float

    def raw(self, ctx: Context) -> Any:
        a, b = self.a.raw(ctx), self.b.raw(ctx)
        return a + b if self.sign > 0 else a - b

    def quantities(self) -> tuple[str, ...]:
        return self.a.quantities() + self.b.quantities()

    def paths(self) -> tuple[str, ...]:
        return self.a.paths() + self.b.paths()


def _term(t: Term | str) -> Term:
    return Q(t) if isinstance(t, str) else t


class Formula:
    """How an indicator's weekly value is computed from terms."""

    def value(self, ctx: Context) -> Any:
        raise NotImplementedError

    def terms(self) -> tuple[Term, ...]:
        raise NotImplementedError

    @property
    def groupable(self) -> bool:
        """Whether it reads only per-group quantities (so it has a value in every group)."""
        return all(isinstance(t, Q) for t in self._leaves())

    def quantities(self) -> tuple[str, ...]:
        return tuple(q for t in self.terms() for q in t.quantities())

    def paths(self) -> tuple[str, ...]:
        return tuple(p for t in self.terms() for p in t.paths())

    def _leaves(self) -> list[Term]:
        out: list[Term] = []

        def walk(t: Term) -> None:
            if isinstance(t, _Combined):
                walk(t.a)
                walk(t.b)
            else:
                out.append(t)

        for t in self.terms():
            walk(t)
        return out


@dataclass(frozen=True, init=False)
class Total(Formula):
    """A count or amount for the whole city: the term times the sample weight (x ``scale``)."""

    term: Term
    scale: float = 1.0

    def __init__(self, term: Term | str, scale: float = 1.0) -> None:
        object.__setattr__(self, "term", _term(term))
        object.__setattr__(self, "scale", scale)

    def value(self, ctx: Context) -> Any:
        out = self.term.raw(ctx) * ctx.weight
        return out if self.scale == 1.0 else out * self.scale

    def terms(self) -> tuple[Term, ...]:
        return (self.term,)


@dataclass(frozen=True, init=False)
class Value(Formula):
    """The term as it is (not scaled by the sample weight): a price, a score, a share."""

    term: Term

    def __init__(self, term: Term | str) -> None:
        object.__setattr__(self, "term", _term(term))

    def value(self, ctx: Context) -> Any:
        return self.term.raw(ctx)

    def terms(self) -> tuple[Term, ...]:
        return (self.term,)


def ratio(num: Any, den: Any) -> Any:
    """``num / den``, NaN where ``den`` is 0 (numbers or arrays)."""
    if np.ndim(num) == 0 and np.ndim(den) == 0:
        return float(num) / float(den) if den else float("nan")
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


@dataclass(frozen=True, init=False)
class Ratio(Formula):
    """``offset + scale x num / den`` (NaN when ``den`` is 0)."""

    num: Term
    den: Term
    scale: float = 1.0
    offset: float = 0.0

    def __init__(
        self, num: Term | str, den: Term | str, scale: float = 1.0, offset: float = 0.0
    ) -> None:
        object.__setattr__(self, "num", _term(num))
        object.__setattr__(self, "den", _term(den))
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "offset", offset)

    def value(self, ctx: Context) -> Any:
        r = ratio(self.num.raw(ctx), self.den.raw(ctx))
        if self.scale != 1.0:
            r = r * self.scale
        return r + self.offset if self.offset else r

    def terms(self) -> tuple[Term, ...]:
        return (self.num, self.den)


@dataclass(frozen=True)
class Gap(Formula):
    """A ratio among residents of one group level minus the same ratio in another level
    (e.g. unmet need without digital skills minus with them)."""

    of: Ratio
    var: str
    worse: str
    better: str

    def value(self, ctx: Context) -> Any:
        return self.of.value(ctx.in_group(self.var, self.worse)) - self.of.value(
            ctx.in_group(self.var, self.better)
        )

    def terms(self) -> tuple[Term, ...]:
        return self.of.terms()

    @property
    def groupable(self) -> bool:
        return False


@dataclass(frozen=True)
class StdGap(Formula):
    """A ratio ``num / den`` among residents in level ``worse`` of ``var`` minus the same ratio in
    level ``better``, taken within each level of ``by`` (age band) and averaged with weights the
    denominators of both groups together, over the levels where both groups have residents.

    A crude gap (:class:`Gap`) compares groups that differ in age, and so in their needs; this
    one compares residents of the same age band (direct standardisation to the pooled
    population of the two groups).
    """

    num: str
    den: str
    var: str
    worse: str
    better: str
    by: str = "age_band"

    def value(self, ctx: Context) -> Any:
        def parts(level: str) -> tuple[np.ndarray, np.ndarray]:
            num = In(self.num, by=self.by, **{self.var: level}).raw(ctx)
            den = In(self.den, by=self.by, **{self.var: level}).raw(ctx)
            return np.asarray(num, dtype=float), np.asarray(den, dtype=float)

        num_w, den_w = parts(self.worse)
        num_b, den_b = parts(self.better)
        both = (den_w > 0) & (den_b > 0)
        if not both.any():
            return float("nan")
        weight = (den_w + den_b)[both]
        gap = num_w[both] / den_w[both] - num_b[both] / den_b[both]
        return float((weight * gap).sum() / weight.sum())

    def terms(self) -> tuple[Term, ...]:
        return (In(self.num, by=self.by), In(self.den, by=self.by))

    @property
    def groupable(self) -> bool:
        return False


SUMMARY_RULES: tuple[str, ...] = ("mean", "sum", "last", "yearly")
"""How a weekly series becomes one end-of-run figure (besides ``ratio:NUM/DEN``)."""

YEAR_WEEKS = 52
"""Weeks of a reported year (the ``yearly`` summary; :data:`willsim.units.WEEKS_PER_YEAR`)."""


def yearly_value(series: Any) -> float:
    """The ``yearly`` summary of a year-to-date series that starts at reported week 0: the mean
    of its values at the end of each complete year (weeks 51, 103, ...), or its last value when
    fewer than 52 weeks were reported (a partial year); NaN for an empty series."""
    values = np.asarray(series, dtype=float)
    if values.size == 0:
        return float("nan")
    ends = values[YEAR_WEEKS - 1 :: YEAR_WEEKS]
    if ends.size == 0:
        return float(values[-1])
    ends = ends[~np.isnan(ends)]
    return float(ends.mean()) if ends.size else float("nan")


MID_PER: tuple[str, ...] = ("", "resident-year")
"""How an indicator's ``mid`` is stated: in its own unit, or per resident and year."""


@dataclass(frozen=True)
class Indicator:
    """Declaration of one output: labels, unit, definition, formula, summary rule, direction.

    ``summary`` says how a weekly series becomes one end-of-run figure: ``mean`` over weeks,
    ``sum`` over weeks, ``last`` value, ``yearly`` (a year-to-date series: the mean of its values
    at the end of each complete reported year of 52 weeks, or its last value when the run is
    shorter than a year), or ``ratio:NUM/DEN`` (the ratio of two summed series).
    ``groups``: the formula in each citizen group (``None``: the indicator is city-level only;
    most by-group indicators use their own ``formula``).
    """

    key: str
    label: str
    label_it: str
    unit: str
    description: str
    formula: Formula
    summary: str = "mean"
    better: int = 0
    """+1 if higher is better, -1 if lower is better, 0 if neither (a count, a price, a stock)."""
    tags: tuple[str, ...] = ()
    """Where the indicator is shown: ``key`` (comparison verdicts), ``headline`` (live charts and
    monitors), ``summary`` (the command line's summary), ``equity`` (who gains and who loses),
    ``card`` (the headline effects of the decision card)."""
    groups: Formula | None = None
    mid: float | None = None
    """Minimal important difference: the smallest change that would matter to a decision, fixed
    before any run. In the indicator's unit, or per resident and year for a total over the run
    (``mid_per="resident-year"``: euros or events, scaled to the city and the run's length)."""
    mid_per: str = ""
    mid_reason: str = ""
    """Why the minimal important difference is what it is (sources cited as ``CSV: ...``)."""
    share_of: str | None = None
    """For a share or a rate per 1,000: the indicator counting the people it is a share of
    (``people_with_need``, ``residents``), so that a difference can be told in people."""
    description_it: str = ""
    """The definition in Italian (the English ``description`` is shown where it is missing)."""

    def __post_init__(self) -> None:
        if self.better not in (-1, 0, 1):
            raise ValueError(f"indicator {self.key}: better must be -1, 0 or +1")
        if self.mid is not None and not (self.mid > 0 and self.mid_reason.strip()):
            raise ValueError(f"indicator {self.key}: a mid must be positive and give its reason")
        if self.mid_per not in MID_PER:
            raise ValueError(f"indicator {self.key}: mid_per must be one of {MID_PER}")
        if self.groups is not None and not self.groups.groupable:
            raise ValueError(f"indicator {self.key}: its group formula reads non-group terms")
        rule = self.summary
        if rule not in SUMMARY_RULES and not rule.startswith("ratio:"):
            raise ValueError(f"indicator {self.key}: unknown summary rule {rule!r}")

    @property
    def by_group(self) -> bool:
        """Whether the indicator is also reported for every citizen group."""
        return self.groups is not None

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` (``en`` or ``it``)."""
        return self.label_it if lang == "it" else self.label

    def definition_in(self, lang: str) -> str:
        """The definition in ``lang`` (English when there is no Italian one)."""
        return self.description_it if lang == "it" and self.description_it else self.description
