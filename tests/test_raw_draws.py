"""The 24-bit integer draws equal NumPy's float32 draws, state included, and compare exactly."""

import numpy as np
import pytest

from willsim.mechanisms.draws import above, as_float32, below, draw_bits


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("shape", [0, 1, 2, 7, (3, 5), (4, 10_001)])
def test_same_numbers_and_state_as_numpy(before: int, shape) -> None:
    ours, numpy_ = (np.random.Generator(np.random.PCG64(7)) for _ in range(2))
    ours.random(before, dtype=np.float32)  # may leave half a word buffered
    numpy_.random(before, dtype=np.float32)
    expected = numpy_.random(shape, dtype=np.float32)
    s = draw_bits(ours, shape)
    assert s.dtype == np.int32 and s.shape == expected.shape
    assert np.array_equal(as_float32(s), expected)
    assert as_float32(s).dtype == np.float32
    assert ours.bit_generator.state == numpy_.bit_generator.state
    assert np.array_equal(ours.random(5, dtype=np.float32), numpy_.random(5, dtype=np.float32))


def _thresholds(rng: np.random.Generator, u: np.ndarray) -> list:
    """Random, edge and exactly-on-a-draw thresholds, as float64, float32 and Python floats."""
    step = 2.0**-24
    edges = np.array(
        [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.0,
            step,
            step / 2,
            1 - step,
            1 - step / 2,
            1e-30,
            5e-324,
            np.inf,
            -np.inf,
            np.nan,
        ]
    )
    on_draws = u[:50].astype(np.float64)
    near = np.concatenate(
        [
            np.nextafter(on_draws, 2.0),
            np.nextafter(on_draws, -1.0),
            on_draws + step / 2,
            on_draws - step / 3,
        ]
    )
    values = np.concatenate([edges, on_draws, near, rng.random(200), rng.random(50) * 1e-4])
    out: list = []
    for v in values:
        out += [float(v), np.float64(v), np.float32(v)]
    out += [values, values.astype(np.float32), np.nextafter(values.astype(np.float32), 0)]
    return out


def test_integer_comparisons_equal_float32_comparisons() -> None:
    rng = np.random.Generator(np.random.PCG64(3))
    u = np.concatenate(
        [
            rng.random(100_000, dtype=np.float32),
            np.array([0.0, 1 - 2.0**-24, 0.5], dtype=np.float32),
        ]
    )
    s = np.rint(u.astype(np.float64) * 2.0**24).astype(np.int32)
    assert np.array_equal(as_float32(s), u)
    for t in _thresholds(rng, u):
        if np.ndim(t):  # one threshold per draw
            uu, ss = u[: t.size], s[: t.size]
        else:
            uu, ss = u, s
        with np.errstate(invalid="ignore"):
            assert np.array_equal(uu < t, ss < below(t)), t
            assert np.array_equal(uu > t, ss > above(t)), t
