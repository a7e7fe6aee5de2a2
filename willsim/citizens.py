"""Citizen state as NumPy arrays: the population the mechanisms update, vectorised.

One row per simulated resident. Mesa ``Citizen`` agents (:mod:`willsim.agents`) are views onto a
row; every phase of the week works on whole arrays. Needs are kept per domain in ``(D, N)``
arrays, with a status per need that records where the person is in their journey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from willsim.params import DOMAINS

CARE, ISOLATION, WORK = range(len(DOMAINS))
MAX_CARE_LEVEL = 4  # care needs have levels 1..4 (needs.care_level_hours)
HEAT_AGE_BAND = 4  # 75-84 and 85+: most exposed to heatwaves


class Status(IntEnum):
    """Where a need stands in the journey from onset to help."""

    NONE = 0  # no need in this domain
    LATENT = 1  # a need nobody has asked about (yet)
    QUEUED = 2  # a request at the social office, waiting for or under assessment
    WAITLIST = 3  # assessed eligible, waiting for a provider slot or for budget
    SERVED = 4  # receiving a formal service
    REFUSED = 5  # assessed and refused on the means test


# Plain-int status codes: comparing an int8 array with an IntEnum member casts the whole array to
# int64 (about 13x slower), so the mechanisms compare with these.
NO_NEED, LATENT, QUEUED, WAITLIST, SERVED, REFUSED = (int(s) for s in Status)


@dataclass
class Citizens:
    """Arrays describing every simulated resident. Length ``n`` everywhere, ``(3, n)`` for needs."""

    n: int
    weight: float  # residents of the city represented by one simulated resident
    age_band: np.ndarray  # int8, index into AGE_BANDS
    living_alone: np.ndarray  # bool
    income_band: np.ndarray  # int8, index into INCOME_BANDS
    isee: np.ndarray  # float32, EUR
    employed: np.ndarray  # bool
    neet: np.ndarray  # bool (15-29 not in employment, education or training)
    digital: np.ndarray  # bool, at least basic digital skills
    trust: np.ndarray  # float32 in [0, 1]
    aware: np.ndarray  # bool, knows the services and how to ask
    district: np.ndarray  # int16
    distance_km: np.ndarray  # float32, to the social office
    private_propensity: np.ndarray  # float32 in [0, 1), compared with services.private_uptake
    degree: np.ndarray  # int32, number of social ties
    tie_ptr: np.ndarray  # int64, CSR offsets into tie_idx (length n + 1)
    tie_idx: np.ndarray  # int32, neighbours
    residential: np.ndarray = field(init=False)  # bool, moved to residential care
    need_level: np.ndarray = field(init=False)  # int8 (D, n); care 0..4, others 0/1
    status: np.ndarray = field(init=False)  # int8 (D, n), a Status
    need_since: np.ndarray = field(init=False)  # int32 (D, n), week the need began (-1)
    requested: np.ndarray = field(init=False)  # bool (D, n), asked at least once this episode
    first_help: np.ndarray = field(init=False)  # int32 (D, n), week of first service (-1)
    status_since: np.ndarray = field(init=False)  # float64 (D, n), time the status began
    provider: np.ndarray = field(init=False)  # int16 (D, n), serving provider index (-1)
    crises: np.ndarray = field(init=False)  # int16, crises so far
    person_id: np.ndarray = field(init=False)  # int64, who lives in each row (new for newcomers)
    next_person_id: int = field(init=False)
    # Yearly take-up flags (reset at the end of every reported year by the collector): whether
    # the resident was eligible in the domain at some time this year, and asked (a request, or
    # taken in charge by outreach) at some time this year.
    eligible_year: np.ndarray = field(init=False)  # bool (D, n)
    asked_year: np.ndarray = field(init=False)  # bool (D, n)

    def __post_init__(self) -> None:
        d, n = len(DOMAINS), self.n
        self.residential = np.zeros(n, dtype=bool)
        self.need_level = np.zeros((d, n), dtype=np.int8)
        self.status = np.zeros((d, n), dtype=np.int8)
        self.need_since = np.full((d, n), -1, dtype=np.int32)
        self.requested = np.zeros((d, n), dtype=bool)
        self.first_help = np.full((d, n), -1, dtype=np.int32)
        self.status_since = np.zeros((d, n), dtype=np.float64)
        self.provider = np.full((d, n), -1, dtype=np.int16)
        self.crises = np.zeros(n, dtype=np.int16)
        self.person_id = np.arange(n, dtype=np.int64)
        self.next_person_id = n
        self.eligible_year = np.zeros((d, n), dtype=bool)
        self.asked_year = np.zeros((d, n), dtype=bool)

    def new_people(self, idx: np.ndarray) -> None:
        """Newcomers move into rows ``idx``: each is a new person, with a new id."""
        end = self.next_person_id + idx.size
        self.person_id[idx] = np.arange(self.next_person_id, end)
        self.next_person_id = end

    def reset_year(self, idx: np.ndarray | None = None) -> None:
        """Clear the yearly take-up flags: of everyone (a new year), or of rows ``idx``."""
        if idx is None:
            self.eligible_year[:] = False
            self.asked_year[:] = False
        else:
            self.eligible_year[:, idx] = False
            self.asked_year[:, idx] = False

    def ties_of(self, i: int) -> np.ndarray:
        """Indices of resident ``i``'s social ties."""
        return self.tie_idx[self.tie_ptr[i] : self.tie_ptr[i + 1]]

    def start_need(self, domain: int, idx: np.ndarray, level: int | np.ndarray, week: int) -> None:
        """Open a new need episode for residents ``idx`` (who had none in ``domain``)."""
        # row views first: ``a[domain][idx]`` is ~3x faster than ``a[domain, idx]`` on few rows
        self.need_level[domain][idx] = level
        self.status[domain][idx] = LATENT
        self.need_since[domain][idx] = week
        self.status_since[domain][idx] = week
        self.requested[domain][idx] = False
        self.first_help[domain][idx] = -1

    def end_need(self, domain: int, idx: np.ndarray) -> None:
        """Close the need episode of residents ``idx`` in ``domain``."""
        self.need_level[domain][idx] = 0
        self.status[domain][idx] = NO_NEED
        self.need_since[domain][idx] = -1
        self.provider[domain][idx] = -1
        self.requested[domain][idx] = False
        self.first_help[domain][idx] = -1


def heat_exposed(citizens: Citizens, idx: np.ndarray | None = None) -> np.ndarray:
    """Residents most exposed to heatwaves (75 and over, living alone): everyone, or ``idx``."""
    if idx is None:
        return (citizens.age_band >= HEAT_AGE_BAND) & citizens.living_alone
    return (citizens.age_band[idx] >= HEAT_AGE_BAND) & citizens.living_alone[idx]


def tie_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Positions ``starts[k]..ends[k]-1`` for every pair, concatenated (the ties of several
    residents in the CSR arrays: ``tie_idx[tie_ranges(tie_ptr[who], tie_ptr[who + 1])]``)."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(np.r_[0, lengths[:-1]]), lengths)
    return offsets + np.arange(total)
