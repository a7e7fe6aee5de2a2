"""Closed-form queueing benchmarks (Erlang B / Erlang C, M/M/c) used to validate the model.

See ``domain.md`` §3.8. Rates are per unit of time (per week in willsim); the offered load
``a = lambda / mu`` is in Erlangs and the utilisation is ``rho = a / c``.
"""

from __future__ import annotations

import math
import operator

__all__ = ["erlang_b", "erlang_c", "mmc_metrics"]


def _check_servers(servers: int) -> int:
    try:
        c = operator.index(servers)
    except TypeError:
        raise TypeError(f"servers must be an integer, got {servers!r}") from None
    if c < 0:
        raise ValueError(f"servers must be >= 0, got {c}")
    return c


def _check_load(offered_load: float) -> float:
    a = float(offered_load)
    if not math.isfinite(a) or a < 0.0:
        raise ValueError(f"offered_load must be finite and >= 0, got {offered_load!r}")
    return a


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability B(c, a) of an M/M/c/c loss system.

    Uses the recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)), which is numerically stable
    for any number of servers (no factorials or powers).
    """
    c = _check_servers(servers)
    a = _check_load(offered_load)
    b = 1.0
    for k in range(1, c + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability of waiting C(c, a) in an M/M/c queue with offered load a = λ/μ.

    Computed from Erlang B as C = c·B / (c − a·(1 − B)). Requires a stable queue (a < c);
    raises ``ValueError`` otherwise.
    """
    c = _check_servers(servers)
    a = _check_load(offered_load)
    if a >= c:
        raise ValueError(
            f"unstable queue: offered load a={a:g} must be < servers c={c} "
            f"(utilisation rho=a/c={a / c if c else math.inf:g} >= 1); "
            "Erlang C is defined only for a < c"
        )
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc_metrics(arrival_rate: float, service_rate: float, servers: int) -> dict[str, float]:
    """Steady-state metrics of an M/M/c queue.

    Returns a dict with ``rho`` (utilisation a/c), ``p_wait`` (Erlang C), ``wq`` (mean wait in
    queue, C/(cμ − λ)), ``lq`` (mean number waiting, λ·W_q), ``w`` (mean time in system,
    W_q + 1/μ) and ``l`` (mean number in system, λ·W). Times are in the unit of the rates.
    """
    lam = float(arrival_rate)
    mu = float(service_rate)
    c = _check_servers(servers)
    if not math.isfinite(lam) or lam < 0.0:
        raise ValueError(f"arrival_rate must be finite and >= 0, got {arrival_rate!r}")
    if not math.isfinite(mu) or mu <= 0.0:
        raise ValueError(f"service_rate must be finite and > 0, got {service_rate!r}")
    a = lam / mu
    p_wait = erlang_c(c, a)  # raises for a >= c (including c == 0)
    wq = p_wait / (c * mu - lam)
    w = wq + 1.0 / mu
    return {
        "rho": a / c,
        "p_wait": p_wait,
        "wq": wq,
        "lq": lam * wq,
        "w": w,
        "l": lam * w,
    }
