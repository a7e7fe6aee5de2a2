"""The shortcuts of the engine's fast paths give exactly what the plain computation gives."""

import numpy as np

from willsim import WelfareModel
from willsim.citizens import LATENT, REFUSED
from willsim.mechanisms.needs import ceil32, floor32


def test_float32_thresholds_compare_like_float64():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.random(50_000) * 0.02, rng.random(50_000), [0.0, 1.0, 0.5]])
    # draws on and next to the float32 values around each threshold, plus plain draws
    near = x.astype(np.float32)
    u = np.concatenate(
        [
            rng.random(x.size, dtype=np.float32),
            near,
            np.nextafter(near, np.float32(1)),
            np.nextafter(near, np.float32(0)),
        ]
    )
    t = np.tile(x, 4)
    assert np.array_equal(u < ceil32(t), u < t)
    for scalar in rng.random(200):
        v = np.float32(scalar) + np.arange(-3, 4, dtype=np.float32) * np.float32(6e-8)
        assert np.array_equal(v > floor32(scalar), v > np.float64(scalar))


def test_helpseeking_ceiling_bounds_every_asking_probability():
    model = WelfareModel(
        "proactive-platform", seed=3, city__population=5_000, run__residents=0, run__weeks=6
    ).run()
    c, hs = model.citizens, model.helpseeking
    flat = np.flatnonzero((c.status == LATENT) | (c.status == REFUSED))
    domain, who = np.divmod(flat, c.n)
    p = -np.expm1(-hs.propensity(model, domain, who))
    assert p.size > 0
    assert np.all(p <= hs._ceiling(c)[domain])


def test_withdrawn_requests_leave_the_queue_by_the_end_of_the_week():
    model = WelfareModel(
        "baseline", seed=2, city__population=5_000, run__residents=0, run__weeks=30
    ).run()
    office = model.office
    assert not office._withdrawn
    waiting = set(office.queue.waiting_items.tolist())
    live = set(office.current[office.current >= 0].tolist())
    assert waiting <= live  # every waiting request still belongs to an open need
