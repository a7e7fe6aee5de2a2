"""Weekly recording of indicators into preallocated arrays, overall and by citizen group.

Per-resident quantities are summed once a week over *cells* (the combination of every group
variable); each group's totals are then marginals of the cells. Indicators that are ratios are
formed from these totals when results are built, so groups and the whole city always agree.
Nothing here keeps per-agent history.

Speed: every resident's cell id is recomputed each week (traits change when residents are
replaced and when people enter or leave NEET status) with small-integer arithmetic into reused
buffers. Only head counts and trust are summed over everyone; the other quantities are zero for
a resident with no need, no open status, no recent crisis and not in residential care, so they
are computed for the others only (about a fifth of residents), and sparse ones (crises,
assessments, first help, private care) for the few residents concerned. Float sums (trust,
quality of life) are taken block by block of :data:`BLOCK` residents in resident order, so
skipping the zeros leaves them bit for bit unchanged. No ``(quantities x residents)`` array is
built.

Quality of life: each resident's state (care level and whether it is met, isolation and work
needs met or not, a crisis in the last ``qol.crisis_weeks`` weeks, residential care) is packed
into a small code whose loss is looked up in a table built once (:func:`qol_loss_table`); the
only per-resident state kept is the week of each resident's last crisis (int16).

Yearly take-up: each week the collector marks, in the citizens' yearly flags, the residents
eligible in a domain (a need, the means test passed, living in the community) and those who have
asked (a request this year — help-seeking notes each request as it is filed, :meth:`Collector.
note_requests` — or an open request or service from an earlier one); the year-to-date counts of
eligible needs and of eligible needs asked for are kept by domain as running totals, updated
only where a flag changes, so residents who die stay counted. At the end of each reported year
(52 weeks from reported week 0; the burn-in's weeks are negative and never collected) flags and
counts start again, as they do when reporting starts (:meth:`Collector.start_reporting`).
Cross-tabulations of the cells (``In`` terms: NEET aged 15-29, isolation at 65+...) are read
from the week's cell sums.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from willsim.citizens import CARE, ISOLATION, LATENT, SERVED
from willsim.indicators import INDICATOR_LIST
from willsim.outputs import YEAR_WEEKS
from willsim.params import AGE_BANDS, DOMAINS, INCOME_BANDS

if TYPE_CHECKING:
    from willsim.model import WelfareModel

# Per-resident quantities summed by group each week.
QUANTITIES: tuple[str, ...] = (
    "residents",
    "with_need",
    "unmet",
    "latent_needs",
    "eligible_needs",
    "eligible_unasked",
    "crises",
    "served",
    "wait_total",
    "assessments",
    "first_help_total",
    "first_helped",
    "out_of_pocket",
    "isolated",
    "qol_loss",
    "trust",
    "needs_resolved",
    "care_need",
)
Q = {name: k for k, name in enumerate(QUANTITIES)}
"""Index of each of the collector's own quantities (a model may add the mechanisms' declared
``group_quantities`` after them: ``collector.q_index``)."""
OVERALL_KEYS: tuple[str, ...] = tuple(i.key for i in INDICATOR_LIST)
"""Keys of every indicator in the registry (a model records ``model.collector.keys``)."""

BLOCK = 1 << 16
"""Residents processed at a time for the dense quantities (keeps temporaries in cache)."""
_MAX_MARGINAL_MATRIX = 1 << 18
"""Largest (levels x cells) 0/1 matrix used for group totals (above it, axis sums are faster)."""
# Plain integers: comparing an int8 array with an IntEnum member is ~10x slower (numpy casts
# the array to int64 first), so statuses are compared with these.
_LATENT, _SERVED = int(LATENT), int(SERVED)
NEVER = np.iinfo(np.int16).min
"""Week of the last crisis of a resident who never had one."""
# Quality-of-life state code = care + 9 isolation + 27 work + 81 recent crisis + 162 residential,
# with care 0 (no need), 1-4 (unmet, by level), 5-8 (met); isolation and work 0 (no need),
# 1 (unmet), 2 (met); recent crisis and residential 0/1.
QOL_CODES = 9 * 3 * 3 * 2 * 2


def qol_loss_table(params) -> np.ndarray:
    """Quality of life lost (0-1) for each state code (see :data:`QOL_CODES`).

    Losses add up and are capped at 1; a met need keeps ``1 - qol.met_restore`` of its loss.
    """
    keep = 1.0 - float(params["qol.met_restore"])
    care_pen = np.asarray(params["qol.care_penalty"], dtype=float)
    care = np.r_[0.0, care_pen, care_pen * keep]
    iso_pen, work_pen = float(params["qol.isolation_penalty"]), float(params["qol.work_penalty"])
    iso = np.array([0.0, iso_pen, iso_pen * keep])
    work = np.array([0.0, work_pen, work_pen * keep])
    crisis = np.array([0.0, float(params["qol.crisis_penalty"])])
    residential = np.array([0.0, float(params["qol.residential_penalty"])])
    total = (
        care[None, None, None, None, :]
        + iso[None, None, None, :, None]
        + work[None, None, :, None, None]
        + crisis[None, :, None, None, None]
        + residential[:, None, None, None, None]
    )
    return np.minimum(total, 1.0).ravel()


def group_levels(model: WelfareModel) -> dict[str, list[str]]:
    """The levels of each group variable, as labels."""
    districts = int(model.params["city.districts"])
    return {
        "age_band": list(AGE_BANDS),
        "living_alone": ["no", "yes"],
        "income": list(INCOME_BANDS),
        "neet": ["no", "yes"],
        "digital": ["no", "yes"],
        "district": [str(d + 1) for d in range(districts)],
    }


class Collector:
    """Records every indicator each week; :mod:`willsim.results` turns the arrays into tables."""

    def __init__(self, model: WelfareModel, weeks: int) -> None:
        self.levels = group_levels(model)
        self.sizes = np.array([len(v) for v in self.levels.values()])
        self.n_cells = int(np.prod(self.sizes))
        # marginal maps: cell -> level index within the concatenated group levels
        offsets = np.r_[0, np.cumsum(self.sizes)[:-1]]
        cells = np.arange(self.n_cells)
        coords = np.array(np.unravel_index(cells, self.sizes))  # (vars, cells)
        self._coords = dict(zip(self.levels, coords, strict=True))  # var -> level of each cell
        self._cross_masks: dict[tuple, np.ndarray] = {}
        self.cell_to_level = coords + offsets[:, None]
        self.n_levels = int(self.sizes.sum())
        # group totals = marginal @ cell totals, with a (levels, cells) 0/1 matrix when it is
        # small; otherwise sums over the other variables' axes of the cell array
        self._marginal = None
        if self.n_levels * self.n_cells <= _MAX_MARGINAL_MATRIX:
            self._marginal = np.zeros((self.n_levels, self.n_cells))
            for var_levels in self.cell_to_level:
                self._marginal[var_levels, cells] = 1.0
        self.keys: tuple[str, ...] = tuple(i.key for i in model.indicators)
        """The indicators recorded (the columns of :attr:`overall`)."""
        self.index = {key: k for k, key in enumerate(self.keys)}
        self.overall = np.full((weeks, len(self.keys)), np.nan)
        # the collector's quantities, then each mechanism's declared per-resident quantities
        self.declared = [
            (f"{name}.{q}", mechanism)
            for name, mechanism in model.mechanisms.items()
            for q in type(mechanism).group_quantities
        ]
        self.quantities: tuple[str, ...] = (*QUANTITIES, *(q for q, _ in self.declared))
        self.q_index = {name: k for k, name in enumerate(self.quantities)}
        self.groups = np.zeros((weeks, self.n_levels, len(self.quantities)))
        self.weeks_recorded = 0
        # cell ids are built in the smallest integer type that holds them, then widened once
        self._strides = [int(np.prod(self.sizes[k + 1 :])) for k in range(self.sizes.size)]
        n = model.citizens.n
        small = np.int16 if self.n_cells <= np.iinfo(np.int16).max else np.int64
        self._cell_small = np.empty(n, dtype=small)
        self._cell_tmp = np.empty(n, dtype=small)
        self._by_cell = np.zeros((len(self.quantities), self.n_cells))
        # quality of life: loss per state code, and each resident's last crisis week
        self._qol_loss = qol_loss_table(model.params)
        self.crisis_weeks = int(model.params["qol.crisis_weeks"])
        self.last_crisis = np.full(n, NEVER, dtype=np.int16)
        self._resolved: list[np.ndarray] = []  # residents whose needs were resolved this week
        self._level_start = dict(zip(self.levels, offsets.tolist(), strict=True))
        # yearly take-up: year-to-date running totals by domain (published)
        self.citizens = model.citizens
        self.year_eligible = np.zeros(len(DOMAINS))
        """Eligible needs this reported year so far, by domain (one per resident and domain)."""
        self.year_taken = np.zeros(len(DOMAINS))
        """Of those, needs asked for this reported year so far, by domain."""
        self._requests: list[tuple[np.ndarray, np.ndarray]] = []  # filed this week

    def forget(self, idx: np.ndarray) -> None:
        """Residents ``idx`` were replaced: newcomers have had no crisis and no year yet (the
        year's running totals keep counting those who left)."""
        self.last_crisis[idx] = NEVER
        self.citizens.reset_year(idx)

    def start_reporting(self) -> None:
        """Reported week 0 (after the burn-in): requests noted and yearly flags set during the
        burn-in are dropped, so the first reported year counts only its own."""
        self._requests.clear()
        self.citizens.reset_year()
        self.year_eligible[:] = 0.0
        self.year_taken[:] = 0.0

    def note_requests(self, domain: np.ndarray, who: np.ndarray) -> None:
        """Requests filed this week (paired domains and residents): asked this year, even if
        the need ends before the week is collected."""
        self._requests.append((domain, who))

    def _update_year(self, idx: np.ndarray, eligible: np.ndarray, asked: np.ndarray) -> None:
        """This week's yearly flags: the noted requests, then residents ``idx`` (eligible and
        asked now, (D, k)); the running totals change where a flag changes."""
        c = self.citizens
        for domain, who in self._requests:
            new = ~c.asked_year[domain, who]
            domain, who = domain[new], who[new]
            c.asked_year[domain, who] = True
            counted = c.eligible_year[domain, who]
            self.year_taken += np.bincount(domain[counted], minlength=len(DOMAINS))
        self._requests.clear()
        old_e = np.take(c.eligible_year, idx, axis=1)
        old_a = np.take(c.asked_year, idx, axis=1)
        changed = eligible > old_e  # newly eligible this year
        changed |= asked > old_a  # newly asked
        pos = np.flatnonzero(changed)  # few: flat positions in (D, k)
        if pos.size == 0:
            return
        d, j = np.divmod(pos, idx.size)
        was_e, was_a = old_e.ravel()[pos], old_a.ravel()[pos]
        now_e, now_a = was_e | eligible.ravel()[pos], was_a | asked.ravel()[pos]
        n_domains = len(DOMAINS)
        self.year_eligible += np.bincount(d[now_e & ~was_e], minlength=n_domains)
        self.year_taken += np.bincount(d[now_e & now_a & ~(was_e & was_a)], minlength=n_domains)
        who = idx[j]
        c.eligible_year[d, who] = now_e
        c.asked_year[d, who] = now_a

    def _end_year(self, week: int) -> None:
        """After the last week of a reported year: flags and totals start again."""
        if week % YEAR_WEEKS == YEAR_WEEKS - 1:  # reported weeks count from 0
            self.citizens.reset_year()
            self.year_eligible[:] = 0.0
            self.year_taken[:] = 0.0

    def record_resolved(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """Need episodes of ``idx`` in ``domain`` are ending (not by death or admission): count
        those helped in the episode (a formal service, a platform match, peer help)."""
        helped = np.zeros(idx.size, dtype=bool)
        for mechanism in model.mechanisms.values():
            by = mechanism.has_helped(model, domain, idx)
            if by is not None:
                helped |= by
        if helped.any():
            self._resolved.append(idx[helped])

    def cross(self, row: int, where: tuple, by: str | None) -> Any:
        """This week's cell sums of quantity ``row`` over the cells matching ``where`` (group
        variable -> levels kept), in total or per level of group variable ``by``."""
        key = where
        mask = self._cross_masks.get(key)
        if mask is None:
            mask = np.ones(self.n_cells, dtype=bool)
            for var, labels in where:
                try:
                    levels = [self.levels[var].index(label) for label in labels]
                except (KeyError, ValueError):
                    raise KeyError(
                        f"unknown group {var}={labels}: variables and levels are "
                        f"{ {v: names for v, names in self.levels.items()} }"
                    ) from None
                mask &= np.isin(self._coords[var], levels)
            self._cross_masks[key] = mask
        values = self._by_cell[row]
        if by is None:
            return float(values[mask].sum())
        return np.bincount(
            self._coords[by][mask], weights=values[mask], minlength=len(self.levels[by])
        )

    def level_index(self, var: str, level: str) -> int:
        """Row of the level ``level`` of group variable ``var`` in the group arrays."""
        return self._level_start[var] + self.levels[var].index(level)

    def _cells(self, model: WelfareModel) -> np.ndarray:
        """Cell ids in a reused buffer of the smallest integer type that holds them."""
        c = model.citizens
        parts = (c.age_band, c.living_alone, c.income_band, c.neet, c.digital, c.district)
        out, tmp = self._cell_small, self._cell_tmp
        if out.size != c.n:
            out, tmp = np.empty(c.n, dtype=out.dtype), np.empty(c.n, dtype=out.dtype)
            self._cell_small, self._cell_tmp = out, tmp
        dtype = out.dtype
        np.multiply(parts[0], self._strides[0], out=out, dtype=dtype, casting="unsafe")
        for part, stride in zip(parts[1:], self._strides[1:], strict=True):
            if stride == 1:
                np.add(out, part, out=out, dtype=dtype, casting="unsafe")
            else:
                np.multiply(part, stride, out=tmp, dtype=dtype, casting="unsafe")
                np.add(out, tmp, out=out)
        return out

    def collect(self, model: WelfareModel, week: int) -> None:
        by_cell = self._by_cell_totals(model)
        if self._marginal is not None:
            self.groups[week] = self._marginal @ by_cell.T
        else:
            q = by_cell.shape[0]
            start = 0
            for k, size in enumerate(self.sizes):
                before, after = int(np.prod(self.sizes[:k])), int(np.prod(self.sizes[k + 1 :]))
                per_level = by_cell.reshape(q, before, size, after).sum(axis=(1, 3))
                self.groups[week, start : start + size] = per_level.T
                start += size
        totals = by_cell.sum(axis=1)
        self.overall[week] = self._overall(model, totals, model.citizens.weight, self.groups[week])
        self._end_year(model.week)
        self.weeks_recorded = week + 1

    def _by_cell_totals(self, model: WelfareModel) -> np.ndarray:
        """(quantities, cells) sums of the per-resident quantities."""
        c, office, cov = model.citizens, model.office, model.coverage
        n_cells, n = self.n_cells, c.n
        cells = self._cells(model).astype(np.intp)
        week = model.week
        care_crisis = np.flatnonzero(model.crises.care_crisis)
        work_crisis = np.flatnonzero(model.crises.work_crisis)
        self.last_crisis[care_crisis] = week
        self.last_crisis[work_crisis] = week
        recent_after = week - self.crisis_weeks  # a crisis after this week still weighs
        out = self._by_cell
        out.fill(0.0)
        # Everyone: head count and trust (float sums block by block, the order of the sums).
        out[Q["residents"]] = np.bincount(cells, minlength=n_cells)
        for lo in range(0, n, BLOCK):
            hi = min(lo + BLOCK, n)
            out[Q["trust"]] += np.bincount(cells[lo:hi], c.trust[lo:hi], n_cells)
        # Every other dense quantity is zero for a resident with no need and no open status,
        # not in residential care and without a recent crisis: only the others are looked at.
        lvl, st = c.need_level, c.status
        touched = lvl[0] | lvl[1]
        touched |= lvl[2]
        touched |= st[0]
        touched |= st[1]
        touched |= st[2]
        mask = touched != 0
        mask |= c.residential
        mask |= self.last_crisis > recent_after
        idx = np.flatnonzero(mask)
        cell = cells[idx]
        community = ~c.residential[idx]
        level = np.take(lvl, idx, axis=1)  # (D, k); 5x faster than lvl[:, idx]
        status = np.take(st, idx, axis=1)
        has = level > 0
        met = np.take(cov.met, idx, axis=1)
        requested = np.take(c.requested, idx, axis=1)
        # residents with a need, with an unmet need, isolated (living in the community), served
        flags = {
            "care_need": has[CARE] | ~community,
            "with_need": _any_row(has) & community,
            "unmet": _any_row(has & ~met) & community,
            "isolated": has[ISOLATION] & community,
            "served": _any_row(status == _SERVED),
        }
        for name, flag in flags.items():
            out[Q[name]] = np.bincount(cell, flag, n_cells)
        latent = status == _LATENT
        latent &= ~requested
        eligible = has & (c.isee[idx] <= office.isee_max[:, None])
        eligible &= community
        self.eligible_by_domain = eligible.sum(axis=1).astype(float)
        n_eligible = _count_true(eligible)
        # yearly take-up flags: eligible at some time this year; asked (an open request or
        # service counts: asked in an earlier year and still in the journey)
        self._update_year(idx, eligible, requested & has)
        eligible &= ~requested
        self.unasked_by_domain = eligible.sum(axis=1).astype(float)
        out[Q["latent_needs"]] = np.bincount(cell, _count_true(latent), n_cells)
        out[Q["eligible_needs"]] = np.bincount(cell, n_eligible, n_cells)
        out[Q["eligible_unasked"]] = np.bincount(cell, _count_true(eligible), n_cells)
        # quality of life lost: a float sum, so block by block as for trust
        codes = self._qol_codes(
            level[CARE], has, met, self.last_crisis[idx] > recent_after, ~community
        )
        loss = np.take(self._qol_loss, codes)
        bounds = np.r_[0, np.searchsorted(idx, np.arange(BLOCK, n, BLOCK)), idx.size]
        for lo, hi in pairwise(bounds):
            out[Q["qol_loss"]] += np.bincount(cell[lo:hi], loss[lo:hi], n_cells)

        # Sparse quantities: only the few residents concerned.
        def sparse(name: str, who: np.ndarray, weights: np.ndarray | None = None) -> None:
            if who.size:
                out[Q[name]] += np.bincount(cells[who], weights=weights, minlength=n_cells)

        sparse("crises", care_crisis)
        sparse("crises", work_crisis)
        if self._resolved:
            sparse("needs_resolved", np.concatenate(self._resolved))
            self._resolved.clear()
        who, waits = office.started_residents()
        sparse("wait_total", who, waits)
        sparse("assessments", who)
        first = np.flatnonzero(c.first_help == model.week)  # flat (domain, resident) index
        if first.size:
            domain, first_who = np.divmod(first, c.n)
            onset_wait = model.week - c.need_since[domain, first_who]
            sparse("first_help_total", first_who, onset_wait.astype(float))
            sparse("first_helped", first_who)
        buyers = np.flatnonzero(cov.private_spending != 0)
        if buyers.size:
            sparse("out_of_pocket", buyers, cov.private_spending[buyers])
        for k, (name, mechanism) in enumerate(self.declared, start=len(QUANTITIES)):
            values = np.asarray(mechanism.published(name.partition(".")[2]))
            who = np.flatnonzero(values)
            if who.size:
                weights = None if values.dtype == bool else values[who].astype(float)
                out[k] += np.bincount(cells[who], weights=weights, minlength=n_cells)
        return out

    @staticmethod
    def _qol_codes(
        care_level: np.ndarray,
        has: np.ndarray,
        met: np.ndarray,
        recent: np.ndarray,
        residential: np.ndarray,
    ) -> np.ndarray:
        """Quality-of-life state codes (see :data:`QOL_CODES`) from residents' care level,
        (D, k) needs present and met, a recent crisis and residential care."""
        met = has & met
        code = care_level.astype(np.uint16)
        code += met[CARE].view(np.uint8) << 2
        state = has[1:].view(np.uint8) + met[1:].view(np.uint8)  # isolation, work: 0/1/2
        code += state[0] * np.uint8(9)
        code += state[1] * np.uint8(27)
        code += recent.view(np.uint8) * np.uint8(81)
        code += residential.view(np.uint8) * np.uint8(162)
        return code

    def _overall(
        self, model: WelfareModel, t: np.ndarray, w: float, levels: np.ndarray
    ) -> np.ndarray:
        """Every indicator's value this week, from its declared formula."""
        ctx = WeekContext(model, self, t, levels, w)
        return np.array([i.formula.value(ctx) for i in model.indicators], dtype=float)


class QuantityContext:
    """Per-group quantity sums (the last axis: ``index``, default :data:`Q`) for formulas."""

    def __init__(self, q: np.ndarray, weight: float, index: dict[str, int] | None = None) -> None:
        self.q, self.weight = q, weight
        self.index = Q if index is None else index

    def quantity(self, name: str) -> Any:
        try:
            return self.q[..., self.index[name]]
        except KeyError:
            raise KeyError(
                f"unknown quantity {name!r}: the collector's, or a mechanism's declared "
                f"group_quantities ('mechanism.name'); quantities: {', '.join(self.index)}"
            ) from None

    def published(self, path: str) -> Any:
        raise TypeError(f"a group formula cannot read the published quantity {path!r}")

    def spent(self, item: str | None, municipal: bool = False) -> float:
        raise TypeError("a group formula cannot read spending")

    def cross(self, name: str, where: tuple, by: str | None) -> Any:
        raise TypeError(f"a group formula cannot read a cross-tabulation of {name!r}")

    def each(self, name: str) -> float:
        raise TypeError(f"a group formula cannot read {name!r}")

    def in_group(self, var: str, level: str) -> QuantityContext:
        raise TypeError("group formulas are already by group")


class WeekContext(QuantityContext):
    """What this week's indicator formulas read: the city's quantity sums, each group's, the
    quantities the mechanisms (and the citizens, the municipality, the model) publish, and
    the municipality's ledger."""

    def __init__(
        self,
        model: WelfareModel,
        collector: Collector,
        totals: np.ndarray,
        levels: np.ndarray,
        weight: float,
    ) -> None:
        super().__init__(totals, weight, collector.q_index)
        self.model, self.collector, self.levels = model, collector, levels

    def published(self, path: str) -> Any:
        source, _, name = path.partition(".")
        mechanism = self.model.mechanisms.get(source)
        if mechanism is not None:
            return mechanism.published(name)
        owner = {"collector": self.collector, "model": self.model}.get(source)
        if owner is None:
            owner = getattr(self.model, source)  # citizens, municipality
        return getattr(owner, name)

    def spent(self, item: str | None, municipal: bool = False) -> float:
        spending = self.model.municipality.week_spending
        if municipal:
            items = self.model.municipality.municipal_items
            return sum(v for k, v in spending.items() if k in items)
        return sum(spending.values()) if item is None else spending[item]

    def cross(self, name: str, where: tuple, by: str | None) -> Any:
        return self.collector.cross(self.quantity_row(name), where, by)

    def quantity_row(self, name: str) -> int:
        try:
            return self.index[name]
        except KeyError:
            self.quantity(name)  # the error naming the valid quantities
            raise

    def each(self, name: str) -> float:
        total = 0.0
        for mechanism in self.model.mechanisms.values():
            if name in mechanism.publishes:
                total += mechanism.published(name)
        return total

    def in_group(self, var: str, level: str) -> QuantityContext:
        row = self.collector.level_index(var, level)
        return QuantityContext(self.levels[row], self.weight, self.index)


def _any_row(flags: np.ndarray) -> np.ndarray:
    """Per resident, whether any row of a (D, n) boolean array is true (faster than
    ``any(axis=0)`` on a few rows)."""
    out = flags[0] | flags[1]
    for row in flags[2:]:
        out |= row
    return out


def _count_true(flags: np.ndarray) -> np.ndarray:
    """Per resident, how many of the rows of a (D, n) boolean array are true (as uint8)."""
    as_int = flags.view(np.uint8)
    count = as_int[0].copy()
    for row in as_int[1:]:
        count += row
    return count
