"""Shortcuts give what the plain computation would: the office's bookkeeping, the single-
precision form of ``chance``, the sparse housing-loss test, eager Citizen agents and draws read
at a few positions only."""

import numpy as np

from willsim import WelfareModel
from willsim.mechanisms.adi import _first_by_group
from willsim.mechanisms.crises import independent_adults
from willsim.rng import SparseDraws, chance, float32_at_least


def test_withdrawn_requests_leave_the_queue_by_the_end_of_the_week():
    model = WelfareModel(
        "baseline", seed=2, city__population=5_000, run__residents=0, run__weeks=30
    ).run()
    office = model.office
    assert not office._withdrawn
    waiting = set(office.queue.waiting_items.tolist())
    live = set(office.current[office.current >= 0].tolist())
    assert waiting <= live  # every waiting request still belongs to an open need


def test_chance_with_one_probability_equals_the_double_precision_comparison():
    rng = np.random.default_rng(5)
    edges = np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e-45, 2**-24, 3e38], np.float32)
    u = np.concatenate([rng.random(100_000, dtype=np.float32), edges])
    probabilities = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, 1e-300, 1e300]
    probabilities += [2**-24, 1 - 2**-25, 0.5 + 2**-30, *rng.random(50), *(rng.random(50) * 1e-4)]
    on_a_draw = u[:50].astype(np.float64)  # a draw itself, and the doubles either side of it
    probabilities += [*on_a_draw, *np.nextafter(on_a_draw, 2.0), *np.nextafter(on_a_draw, -1.0)]
    for p in probabilities:
        expected = u < np.asarray(p, dtype=np.float64)
        assert np.array_equal(chance(u, p), expected), p
        assert np.array_equal(chance(u, np.float64(p)), expected), p
        t = float32_at_least(p)
        if not np.isnan(p):  # t is at least p, and the float32 below t is below p
            assert float(t) >= p
            assert t == -np.inf or float(np.nextafter(t, np.float32(-np.inf))) < p


def test_sparse_housing_test_and_eager_agents_match_the_full_computation():
    model = WelfareModel(
        "baseline",
        seed=4,
        city__population=4_000,
        run__residents=0,
        run__weeks=20,
        run__burn_in_weeks=0,
        run__mesa_citizens=True,
    )
    c = model.citizens
    idx = np.arange(0, c.n, 3)
    assert np.array_equal(independent_adults(c, idx), independent_adults(c)[idx])
    first = dict(model._citizen_views)
    model.run()
    views = model._citizen_views
    assert sorted(views) == list(range(c.n))  # newcomers' rows got their agents back
    assert all(v.present for v in views.values())
    replaced = [i for i in range(c.n) if views[i] is not first[i]]
    assert replaced and all(not first[i].present for i in replaced)
    assert len(model.agents_by_type[type(views[0])]) == c.n


def test_sparse_draws_read_what_the_whole_array_holds_and_end_in_its_state():
    rng = np.random.default_rng(11)
    for seed in range(40):
        size = int(rng.integers(1, 4_000))
        full_rng, sparse_rng = (np.random.Generator(np.random.PCG64(seed)) for _ in range(2))
        if seed % 2:  # a buffered half of a 64-bit output (32-bit draws) must survive
            full_rng.random(3, dtype=np.float32)
            sparse_rng.random(3, dtype=np.float32)
        full = full_rng.random(size)
        draws = SparseDraws(sparse_rng, size)
        start = 0
        for end in [*np.sort(rng.integers(0, size, 3)).tolist(), size]:
            if end <= start:
                continue
            dense = rng.random() < 0.3
            k = int(rng.integers(0, end - start if dense else 30))
            positions = np.unique(rng.integers(start, end, k))  # sparse or dense reads
            assert np.array_equal(draws.take(positions), full[positions])
            start = end
        draws.close()
        assert full_rng.bit_generator.state == sparse_rng.bit_generator.state
        after = full_rng.random(5, dtype=np.float32), sparse_rng.random(5, dtype=np.float32)
        assert np.array_equal(*after)


def test_first_by_group_is_the_head_of_the_lexsort():
    rng = np.random.default_rng(3)
    for size in (1, 2, 7, 50, 3_000):
        group = rng.integers(0, 24, size).astype(np.int8)
        draw = rng.random(size)
        draw[: size // 3] = draw[0]  # ties in the draw keep position order
        order = np.lexsort((draw, group))
        for k in (1, 2, size // 2, size - 1, size, size + 3):
            if k <= 0:
                continue
            expected = np.sort(order[:k])
            assert np.array_equal(np.sort(_first_by_group(group, draw, k)), expected)
