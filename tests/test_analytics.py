"""Erlang C / M/M/c closed forms against the reference table of domain.md §3.8."""

from __future__ import annotations

import itertools
import math

import pytest

from willsim.analytics import erlang_b, erlang_c, mmc_metrics

# c, a, P(wait), W_q, L_q, W   (mu = 1; domain.md §3.8)
REFERENCE = [
    (1, 0.5, 0.5000, 1.0000, 0.5000, 2.0000),
    (2, 1.0, 0.3333, 0.3333, 0.3333, 1.3333),
    (3, 2.0, 0.4444, 0.4444, 0.8889, 1.4444),
    (5, 4.0, 0.5541, 0.5541, 2.2165, 1.5541),
    (10, 8.0, 0.4092, 0.2046, 1.6367, 1.2046),
    (20, 16.0, 0.2561, 0.0640, 1.0243, 1.0640),
]


@pytest.mark.parametrize(("c", "a", "p_wait", "wq", "lq", "w"), REFERENCE)
def test_reference_table(c: int, a: float, p_wait: float, wq: float, lq: float, w: float) -> None:
    assert erlang_c(c, a) == pytest.approx(p_wait, abs=5e-5)
    m = mmc_metrics(arrival_rate=a, service_rate=1.0, servers=c)
    assert m["p_wait"] == pytest.approx(p_wait, abs=5e-5)
    assert m["wq"] == pytest.approx(wq, abs=5e-5)
    assert m["lq"] == pytest.approx(lq, abs=5e-5)
    assert m["w"] == pytest.approx(w, abs=5e-5)
    assert m["rho"] == pytest.approx(a / c)
    assert m["l"] == pytest.approx(a * m["w"])  # Little's law, lambda = a when mu = 1


def test_factorial_formula_agrees() -> None:
    """The recursive computation equals the textbook factorial formula where the latter is safe."""
    for c in range(1, 30):
        for rho in (0.1, 0.5, 0.9, 0.99):
            a = rho * c
            top = a**c / math.factorial(c) * c / (c - a)
            direct = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
            assert erlang_c(c, a) == pytest.approx(direct, rel=1e-10)


def test_web_example_from_domain_notes() -> None:
    """a = 2.5, c = 3..6: exact 70.2% / 32.0% / 13.0% / 4.7% (domain.md §3.8 caution)."""
    got = [round(erlang_c(c, 2.5), 3) for c in (3, 4, 5, 6)]
    assert got == [0.702, 0.320, 0.130, 0.047]


def test_time_scaling() -> None:
    """Rates per week vs per day: probabilities unchanged, times scale by 1/k."""
    m1 = mmc_metrics(3.0, 1.0, 4)
    m7 = mmc_metrics(21.0, 7.0, 4)
    assert m7["p_wait"] == pytest.approx(m1["p_wait"])
    assert m7["wq"] == pytest.approx(m1["wq"] / 7)
    assert m7["lq"] == pytest.approx(m1["lq"])


@pytest.mark.parametrize(("c", "a"), [(1, 1.0), (1, 1.5), (5, 5.0), (10, 12.0), (0, 0.0), (0, 1.0)])
def test_unstable_raises(c: int, a: float) -> None:
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(c, a)
    with pytest.raises(ValueError, match="unstable"):
        mmc_metrics(arrival_rate=a * 2.0, service_rate=2.0, servers=c)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        erlang_c(-1, 0.5)
    with pytest.raises(ValueError):
        erlang_c(3, -0.5)
    with pytest.raises(ValueError):
        erlang_c(3, math.nan)
    with pytest.raises(TypeError):
        erlang_c(2.5, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        mmc_metrics(1.0, 0.0, 2)


@pytest.mark.parametrize(("c", "a"), [(500, 450.0), (2000, 1990.0), (5000, 4000.0)])
def test_large_c_is_stable(c: int, a: float) -> None:
    p = erlang_c(c, a)
    assert math.isfinite(p)
    assert 0.0 < p < 1.0
    m = mmc_metrics(a, 1.0, c)
    assert all(math.isfinite(v) for v in m.values())


def test_limits_and_monotonicity() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_b(0, 2.0) == 1.0
    assert erlang_c(1, 0.7) == pytest.approx(0.7)  # M/M/1: P(wait) = rho
    # more servers at the same load: less waiting; more load at the same servers: more waiting
    ps = [erlang_c(c, 4.0) for c in range(5, 15)]
    assert all(x > y for x, y in itertools.pairwise(ps))
    ps = [erlang_c(10, a) for a in (1.0, 5.0, 8.0, 9.5, 9.99)]
    assert all(x < y for x, y in itertools.pairwise(ps))
    # W_q explodes as rho -> 1
    assert mmc_metrics(9.99, 1.0, 10)["wq"] > 50 * mmc_metrics(9.0, 1.0, 10)["wq"]


def test_pooling_benefit() -> None:
    """One queue with c = 2 at a = 1 (W_q = 1/3) beats two M/M/1 at rho = 0.5 (W_q = 1)."""
    pooled = mmc_metrics(1.0, 1.0, 2)["wq"]
    separate = mmc_metrics(0.5, 1.0, 1)["wq"]
    assert pooled == pytest.approx(1 / 3)
    assert separate == pytest.approx(1.0)
