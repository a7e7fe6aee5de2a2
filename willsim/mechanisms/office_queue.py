"""The municipal social office: a first-come-first-served multi-server queue in continuous time.

The model steps in weeks, but requests reach the office at continuous times within each week
and social workers (``servers``) assess them in arrival order. Each assessment takes an
exponential time with rate ``service_rate`` (completions per week per busy worker), so with
Poisson arrivals the office *is* an M/M/c queue and its mean wait matches Erlang C
(:func:`willsim.analytics.mmc_metrics`).

The queue persists across weeks: whoever is waiting at the end of a week keeps waiting (in the
same order), and an assessment in progress at the end of a week finishes in a later week.

Exactness notes
---------------
* Each call to :meth:`OfficeQueue.step` simulates the interval ``[week, week + 1)`` event by
  event: a case starts at ``max(arrival, earliest free worker)``; if that is ``>= week + 1`` it
  (and everyone behind it) keeps waiting. A case finishing at ``t < week + 1`` completes this
  week, otherwise it is in service at the week's end.
* Service times are standard exponentials drawn from the generator passed in, in chunks, and
  consumed strictly in the order cases start (the k-th case ever started gets the k-th draw),
  scaled by ``1 / service_rate``. Same seed and same inputs give identical results.
* Staff and service-rate changes happen between steps. Extra workers are free at once. When
  workers are removed, idle ones go first; if busy ones must go, those whose current case
  started earliest leave, after finishing that case (they take no new case). By memorylessness
  of the exponential this choice does not bias the remaining service times.
"""

from __future__ import annotations

import heapq
import math
import operator
from dataclasses import dataclass

import numpy as np

__all__ = ["OfficeQueue", "QueueWeek"]

_CHUNK = 1024
"""Cases converted to Python floats at a time in the event loop (bounds per-week work)."""
_DRAW_BLOCK = 4096
"""Minimum number of exponentials drawn from the generator at a time."""


def _readonly(a: np.ndarray) -> np.ndarray:
    v = a.view()
    v.flags.writeable = False
    return v


def _id_table(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """A False lookup table indexed by the ids of ``a`` and ``b`` (membership tests in one
    pass, several times faster than ``np.isin`` on small arrays), or None when the ids are
    negative or too sparse for a table."""
    low = min(int(a.min()), int(b.min()))
    top = max(int(a.max()), int(b.max())) + 1
    if low < 0 or top > 8 * (a.size + b.size) + (1 << 20):
        return None
    return np.zeros(top, dtype=bool)


def _empty_i() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


def _empty_f() -> np.ndarray:
    return np.empty(0, dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class QueueWeek:
    """What happened at the office during the week ``[week, week + 1)``. Arrays are read-only.

    Times are absolute, in weeks. ``started_*`` are in start (= FCFS) order; ``completed_*`` in
    completion order and include cases started in earlier weeks.
    """

    week: int
    arrivals: int
    """Number of new requests this week."""
    started_items: np.ndarray
    started_times: np.ndarray
    started_waits: np.ndarray
    """Wait in weeks (start − arrival) of each case started this week."""
    completed_items: np.ndarray
    completed_times: np.ndarray
    waiting: int
    """Cases waiting (not yet started) at the end of the week."""
    in_service: int
    """Cases being assessed at the end of the week (including by departing workers)."""
    queue_time_integral: float
    """∫ (number waiting) dt over the week, in case-weeks."""
    busy_time: float
    """Worker-weeks spent assessing within the week (departing workers included)."""


class OfficeQueue:
    """First-come-first-served multi-server queue simulated in continuous time within weekly steps.

    Parameters
    ----------
    servers:
        Number of social workers (``c``); may be 0 (nobody is assessed). Settable between steps.
    service_rate:
        Assessments completed per week by one busy worker (``mu``), > 0.
    rng:
        The generator service times are drawn from.
    """

    def __init__(self, servers: int, service_rate: float, rng: np.random.Generator) -> None:
        mu = float(service_rate)
        if not math.isfinite(mu) or mu <= 0.0:
            raise ValueError(f"service_rate must be finite and > 0, got {service_rate!r}")
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self._mu = mu
        self._inv_mu = 1.0 / mu
        self._rng = rng
        self._servers = 0
        self._free: list[float] = []  # heap: free-from times of the active workers
        self._clock = -math.inf  # end of the last simulated week
        self._last_week: int | None = None
        # waiting line, FCFS order (arrival order)
        self._wait_items = _empty_i()
        self._wait_arr = _empty_f()
        # cases in service; active = held by a current worker (not a departing one)
        self._svc_items = _empty_i()
        self._svc_start = _empty_f()
        self._svc_finish = _empty_f()
        self._svc_active = np.empty(0, dtype=bool)
        # pre-drawn standard exponentials, consumed in start order
        self._buf = _empty_f()
        self._buf_pos = 0
        # running totals
        self.total_arrived = 0
        self.total_started = 0
        self.total_completed = 0
        self.total_withdrawn = 0
        self.servers = servers

    # ------------------------------------------------------------------ staff
    @property
    def servers(self) -> int:
        """Number of active workers (taking new cases)."""
        return self._servers

    @servers.setter
    def servers(self, value: int) -> None:
        try:
            n = operator.index(value)
        except TypeError:
            raise TypeError(f"servers must be an integer, got {value!r}") from None
        if n < 0:
            raise ValueError(f"servers must be >= 0, got {n}")
        diff = n - self._servers
        if diff > 0:
            for _ in range(diff):
                heapq.heappush(self._free, self._clock)
        elif diff < 0:
            self._remove_servers(-diff)
        self._servers = n

    def _remove_servers(self, k: int) -> None:
        active = np.flatnonzero(self._svc_active)
        idle = self._servers - active.size
        drop_busy = k - min(k, idle)
        if drop_busy:
            # the workers whose current case started earliest leave after finishing it
            order = np.argsort(self._svc_start[active], kind="stable")
            leaving = active[order[:drop_busy]]
            self._svc_active = self._svc_active.copy()
            self._svc_active[leaving] = False
        idle_kept = idle - min(k, idle)
        free = [self._clock] * idle_kept + self._svc_finish[self._svc_active].tolist()
        heapq.heapify(free)
        self._free = free

    @property
    def service_rate(self) -> float:
        """Completions per week per busy worker (mu). Settable between steps: cases already in
        service keep their finish times (by memorylessness their remaining times need no
        redrawing for the M/M/c law to hold from then on); cases started later use the new rate.
        """
        return self._mu

    @service_rate.setter
    def service_rate(self, value: float) -> None:
        mu = float(value)
        if not math.isfinite(mu) or mu <= 0.0:
            raise ValueError(f"service_rate must be finite and > 0, got {value!r}")
        self._mu = mu
        self._inv_mu = 1.0 / mu

    # ------------------------------------------------------------------ state
    @property
    def waiting_items(self) -> np.ndarray:
        """Items waiting, in FCFS order (read-only)."""
        return _readonly(self._wait_items)

    @property
    def waiting_arrivals(self) -> np.ndarray:
        """Arrival times of the waiting items, aligned with :attr:`waiting_items` (read-only)."""
        return _readonly(self._wait_arr)

    @property
    def in_service_items(self) -> np.ndarray:
        """Items being assessed (read-only)."""
        return _readonly(self._svc_items)

    @property
    def in_service_starts(self) -> np.ndarray:
        """Start times of the cases being assessed, aligned with :attr:`in_service_items`."""
        return _readonly(self._svc_start)

    @property
    def n_waiting(self) -> int:
        return int(self._wait_items.size)

    @property
    def n_in_service(self) -> int:
        return int(self._svc_items.size)

    def __len__(self) -> int:
        """Cases in the office (waiting + in service)."""
        return self.n_waiting + self.n_in_service

    def withdraw(self, items: np.ndarray) -> np.ndarray:
        """Remove these items from the waiting line (need ended, person died...).

        Only waiting cases are removed; a case already being assessed runs to completion.
        Every waiting case whose id is in ``items`` is removed. Returns a boolean mask aligned
        with ``items``: True where that id was waiting and has been removed.
        """
        q = np.asarray(items, dtype=np.int64).ravel()
        if q.size == 0 or self._wait_items.size == 0:
            return np.zeros(q.size, dtype=bool)
        table = _id_table(q, self._wait_items)
        if table is None:
            hit = np.isin(self._wait_items, q)
        else:
            table[q] = True
            hit = table[self._wait_items]
        if not hit.any():
            return np.zeros(q.size, dtype=bool)
        removed = self._wait_items[hit]
        keep = ~hit
        self._wait_items = self._wait_items[keep]
        self._wait_arr = self._wait_arr[keep]
        self.total_withdrawn += int(removed.size)
        if table is None:
            return np.isin(q, removed)
        table[q] = False
        table[removed] = True
        return table[q]

    # ------------------------------------------------------------------ dynamics
    def step(self, week: int, arrival_times: np.ndarray, items: np.ndarray) -> QueueWeek:
        """Simulate the week ``[week, week + 1)`` with these new requests.

        ``arrival_times`` are absolute times in ``[week, week + 1)`` (any order; sorted stably),
        ``items`` opaque int64 ids of the same length. Weeks must be consecutive.
        """
        week = operator.index(week)
        if self._last_week is not None and week != self._last_week + 1:
            raise ValueError(f"weeks must be consecutive: got {week} after {self._last_week}")
        t0 = float(week)
        t1 = t0 + 1.0
        arr = np.asarray(arrival_times, dtype=np.float64)
        new_items = np.asarray(items, dtype=np.int64)
        if arr.ndim != 1 or new_items.shape != arr.shape:
            raise ValueError(
                "arrival_times and items must be 1-D arrays of the same length, got shapes "
                f"{arr.shape} and {new_items.shape}"
            )
        n_new = arr.size
        if n_new:
            lo, hi = arr.min(), arr.max()
            if not (lo >= t0 and hi < t1):  # also rejects NaN
                raise ValueError(
                    f"arrival times must lie in [{week}, {week + 1}), got range [{lo}, {hi}]"
                )
            order = np.argsort(arr, kind="stable")
            arr = arr[order]
            new_items = new_items[order]

        if self._wait_arr.size:
            line_arr = np.concatenate((self._wait_arr, arr))
            line_items = np.concatenate((self._wait_items, new_items))
        else:
            line_arr, line_items = arr, new_items
        n_line = line_arr.size

        starts, fins = self._serve(line_arr, t1)
        ns = len(starts)
        st = np.array(starts, dtype=np.float64)
        fin = np.array(fins, dtype=np.float64)

        # time-integrals over the week
        lower = np.maximum(line_arr, t0)
        q_int = float((st - lower[:ns]).sum() + (t1 - lower[ns:]).sum())
        busy_old = (np.minimum(self._svc_finish, t1) - t0).sum()
        busy = float(busy_old + (np.minimum(fin, t1) - st).sum())

        # completions (old in-service and new) and the new in-service set
        old_done = self._svc_finish < t1
        new_done = fin < t1
        comp_items = np.concatenate((self._svc_items[old_done], line_items[:ns][new_done]))
        comp_times = np.concatenate((self._svc_finish[old_done], fin[new_done]))
        if comp_times.size > 1:
            o = np.argsort(comp_times, kind="stable")
            comp_items, comp_times = comp_items[o], comp_times[o]
        old_keep = ~old_done
        new_keep = ~new_done
        self._svc_items = np.concatenate((self._svc_items[old_keep], line_items[:ns][new_keep]))
        self._svc_start = np.concatenate((self._svc_start[old_keep], st[new_keep]))
        self._svc_finish = np.concatenate((self._svc_finish[old_keep], fin[new_keep]))
        self._svc_active = np.concatenate(
            (self._svc_active[old_keep], np.ones(int(new_keep.sum()), dtype=bool))
        )
        self._wait_items = line_items[ns:]
        self._wait_arr = line_arr[ns:]

        self._clock = t1
        self._last_week = week
        self.total_arrived += n_new
        self.total_started += ns
        self.total_completed += int(comp_items.size)
        return QueueWeek(
            week=week,
            arrivals=int(n_new),
            started_items=_readonly(line_items[:ns].copy()),
            started_times=_readonly(st),
            started_waits=_readonly(st - line_arr[:ns]),
            completed_items=_readonly(comp_items),
            completed_times=_readonly(comp_times),
            waiting=int(n_line - ns),
            in_service=int(self._svc_items.size),
            queue_time_integral=q_int,
            busy_time=busy,
        )

    def _serve(self, line_arr: np.ndarray, t1: float) -> tuple[list[float], list[float]]:
        """Event loop: start cases in line order while a worker frees up before ``t1``."""
        heap = self._free
        starts: list[float] = []
        fins: list[float] = []
        n_line = line_arr.size
        if n_line == 0 or not heap or heap[0] >= t1:
            return starts, fins
        push_s = starts.append
        push_f = fins.append
        replace = heapq.heapreplace
        inv_mu = self._inv_mu
        lo = 0
        while lo < n_line:
            hi = min(n_line, lo + _CHUNK)
            m = hi - lo
            if self._buf.size - self._buf_pos < m:
                fresh = self._rng.standard_exponential(max(_DRAW_BLOCK, m))
                self._buf = np.concatenate((self._buf[self._buf_pos :], fresh))
                self._buf_pos = 0
            p = self._buf_pos
            svc = (self._buf[p : p + m] * inv_mu).tolist()
            n0 = len(starts)
            stopped = False
            for a, s in zip(line_arr[lo:hi].tolist(), svc, strict=True):
                f = heap[0]
                t = a if a > f else f
                if t >= t1:
                    stopped = True
                    break
                e = t + s
                replace(heap, e)
                push_s(t)
                push_f(e)
            self._buf_pos = p + len(starts) - n0
            if stopped:
                break
            lo = hi
        return starts, fins
