"""Services' float32 draws read at a few positions equal NumPy's full draw, state included."""

import numpy as np
import pytest

from willsim.mechanisms.draws import SparseFloat32Draws


@pytest.mark.parametrize("before", [0, 1, 2, 3])
@pytest.mark.parametrize("size", [0, 1, 2, 7, 30_001])
def test_same_numbers_and_state_as_numpy(before: int, size: int) -> None:
    ours, numpy_ = (np.random.Generator(np.random.PCG64(11)) for _ in range(2))
    ours.random(before, dtype=np.float32)  # may leave half a word buffered
    numpy_.random(before, dtype=np.float32)
    expected = numpy_.random(size, dtype=np.float32)
    draws = SparseFloat32Draws(ours, size)
    positions = np.arange(size)[::-1]  # any order
    got = draws.at(positions)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected[positions])
    assert ours.bit_generator.state == numpy_.bit_generator.state
    assert np.array_equal(ours.random(5, dtype=np.float32), numpy_.random(5, dtype=np.float32))
