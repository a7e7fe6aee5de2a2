"""Synthetic population: residents drawn from a city profile, with a social network.

Everything here is vectorised. The same functions draw newcomers during a run (a resident who
dies is replaced by a newcomer of the same age band, so the population and its structure stay
stationary; see ``docs/ODD.md``).
"""

from __future__ import annotations

import numpy as np

from willsim.citizens import CARE, ISOLATION, WORK, Citizens, Status
from willsim.scenario import Parameters

# Relative poverty risk by age band (minors 13.8%, 18-34 11.8%, 35-64 9.4%, 65+ 6.2% against
# 9.7% overall): CSV "absolute poverty, individuals | Italy | 2023", note column.
POVERTY_AGE_RELATIVE = np.array([13.8, 11.8, 9.4, 6.2, 6.2, 6.2]) / 9.7
STUDENT_SHARE_15_29 = 0.55  # non-NEET 15-29 who are students rather than employed (assumption)
COMFORTABLE_SHARE = 0.4  # of the non-poor, share in the top income band (assumption)
AGE_15_29, AGE_30_64 = 1, 2


def simulated_size(params: Parameters) -> tuple[int, float]:
    """Number of simulated residents and the weight (city residents per simulated resident)."""
    population = int(params["city.population"])
    requested = int(params["run.residents"])
    n = population if requested <= 0 else min(requested, population)
    return n, population / n


def build_citizens(
    params: Parameters, rng: np.random.Generator, net_rng: np.random.Generator
) -> Citizens:
    """Draw the residents, their circumstances, initial needs and social ties."""
    n, weight = simulated_size(params)
    age_band = exact_age_bands(n, params["city.age_shares"], rng)
    traits = draw_traits(params, age_band, rng)
    district = rng.integers(0, int(params["city.districts"]), size=n).astype(np.int16)
    distance = _distance_km(params, district, rng)
    isolated = _draw_isolation(params, age_band, traits["living_alone"], rng)
    degree, ptr, idx = build_network(params, district, isolated, net_rng)
    citizens = Citizens(
        n=n,
        weight=weight,
        age_band=age_band,
        district=district,
        distance_km=distance,
        degree=degree,
        tie_ptr=ptr,
        tie_idx=idx,
        **traits,
    )
    initial_needs(citizens, params, isolated, rng)
    return citizens


def exact_age_bands(n: int, shares, rng: np.random.Generator) -> np.ndarray:
    """Age bands of ``n`` residents in the city's exact proportions (largest remainders, the
    remainders' ties broken at random), in random order: a sample's age structure, and so its
    deaths and its residents 65+, carry no sampling error."""
    quota = _normalised(shares) * n
    counts = np.floor(quota).astype(np.int64)
    short = n - int(counts.sum())
    if short:
        remainder = quota - counts + rng.random(quota.size) * 1e-9
        counts[np.argsort(-remainder)[:short]] += 1
    bands = np.repeat(np.arange(quota.size, dtype=np.int8), counts)
    return rng.permutation(bands)


def draw_traits(
    params: Parameters, age_band: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Household, income, work, skills, trust and awareness for residents of given age bands."""
    n = age_band.size
    u = rng.random((8, n), dtype=np.float32)
    living_alone = u[0] < params.array("city.living_alone_by_age")[age_band]
    youth, adult = age_band == AGE_15_29, age_band == AGE_30_64
    neet = youth & (u[1] < params["city.neet_rate"])
    employed = (youth & ~neet & (u[2] >= STUDENT_SHARE_15_29)) | (
        adult & (u[2] < params["city.employment_rate_30_64"])
    )
    poor = u[3] < params["city.absolute_poverty_rate"] * POVERTY_AGE_RELATIVE[age_band]
    working_poor = ~poor & employed & (u[4] < params["city.in_work_poverty_rate"])
    income_band = np.where(
        poor, 0, np.where(working_poor, 1, np.where(u[5] < COMFORTABLE_SHARE, 3, 2))
    )
    edges = params.array("city.isee_band_edges")
    low = np.concatenate([[1_000.0], edges])[income_band]
    high = np.concatenate([edges, [edges[-1] * 2.0]])[income_band]
    isee = (low + (high - low) * u[6]).astype(np.float32)
    digital = u[7] < params.array("city.digital_skills_by_age")[age_band]
    trust = np.clip(
        rng.normal(params["helpseeking.trust_mean"], params["helpseeking.trust_sd"], n), 0, 1
    ).astype(np.float32)
    aware = rng.random(n, dtype=np.float32) < params["helpseeking.awareness"]
    private_propensity = rng.random(n, dtype=np.float32)
    return dict(
        living_alone=living_alone,
        income_band=income_band.astype(np.int8),
        isee=isee,
        employed=employed,
        neet=neet,
        digital=digital,
        trust=trust,
        aware=aware,
        private_propensity=private_propensity,
    )


def isolation_prevalence(
    params: Parameters, age_band: np.ndarray, living_alone: np.ndarray
) -> np.ndarray:
    """Per-resident probability of isolation: the age band's rate, split by living alone."""
    by_age = params.array("needs.isolation_prevalence_by_age")
    alone_share = params.array("city.living_alone_by_age")
    m = params["needs.isolation_living_alone_multiplier"]
    base = by_age / (1.0 + alone_share * (m - 1.0))
    return np.minimum(base[age_band] * np.where(living_alone, m, 1.0), 0.95)


def work_need_prevalence(citizens: Citizens, idx: np.ndarray | None = None) -> np.ndarray:
    """Who has a work/income need at start: NEET, poor adults (30-64, in or out of work, and
    employed poor 15-29), the working poor (among residents ``idx``, or everyone).

    Students 15-29 of poor households have no need of their own (the household's is counted on
    its adults); the absolute poor in work have one as the working poor do (docs/ODD.md 7.1)."""
    sel = slice(None) if idx is None else idx
    income = citizens.income_band[sel]
    adult = citizens.age_band[sel] == AGE_30_64
    poor = (income == 0) & (adult | citizens.employed[sel])
    return citizens.neet[sel] | poor | (income == 1)


def initial_needs(
    citizens: Citizens,
    params: Parameters,
    isolated: np.ndarray,
    rng: np.random.Generator,
    idx: np.ndarray | None = None,
    week: int = 0,
    levels_by_band: np.ndarray | None = None,
    care_band: np.ndarray | None = None,
) -> None:
    """Draw initial needs (latent) for residents ``idx`` (all if None); care levels from
    ``levels_by_band`` ((bands, levels) shares) or the stationary levels (:func:`care_levels`).
    The care need (prevalence and level) is drawn from ``care_band`` (one band per resident;
    their own age band if None)."""
    idx = np.arange(citizens.n) if idx is None else idx
    band = citizens.age_band[idx] if care_band is None else care_band
    u = rng.random((2, idx.size))
    has_care = u[0] < params.array("needs.care_prevalence_by_age")[band]
    shares = care_levels(params) if levels_by_band is None else levels_by_band
    cumulative = np.cumsum(shares, axis=1)[band]  # (residents, levels)
    levels = 1 + (u[1][:, None] >= cumulative).sum(axis=1)
    levels = np.minimum(levels, cumulative.shape[1]).astype(np.int8)
    citizens.start_need(CARE, idx[has_care], levels[has_care], week)
    citizens.start_need(ISOLATION, idx[isolated], 1, week)
    work = work_need_prevalence(citizens, idx)
    citizens.start_need(WORK, idx[work], 1, week)


_LEVELS_CACHE: dict[str, np.ndarray] = {}


def care_levels(params: Parameters) -> np.ndarray:
    """(bands, levels): each age band's stationary shares of care levels among residents with a
    care need (:func:`willsim.mechanisms.needs.stationary_care`), computed once per set of the
    parameters it depends on."""
    from willsim.mechanisms.needs import CARE_CHAIN_KEYS, stationary_care

    key = repr([params[k] for k in CARE_CHAIN_KEYS])
    if key not in _LEVELS_CACHE:
        if len(_LEVELS_CACHE) > 64:
            _LEVELS_CACHE.clear()
        _LEVELS_CACHE[key] = stationary_care(params)[0]
    return _LEVELS_CACHE[key]


def replace_residents(
    citizens: Citizens,
    params: Parameters,
    idx: np.ndarray,
    rng: np.random.Generator,
    week: int,
    levels_by_band: np.ndarray | None = None,
) -> None:
    """Replace residents ``idx`` by newcomers of the same age band who take over their ties
    (care levels from ``levels_by_band``, as :func:`initial_needs`).

    A newcomer stands for someone who has just aged into the band: their care need is drawn
    from the band below (:func:`entry_band`), so the rise of care with age within a band comes
    from the band's onset, as it does for residents moved up by the ageing transition."""
    if idx.size == 0:
        return
    citizens.new_people(idx)
    traits = draw_traits(params, citizens.age_band[idx], rng)
    for name, values in traits.items():
        getattr(citizens, name)[idx] = values
    citizens.residential[idx] = False
    citizens.crises[idx] = 0
    for domain in range(citizens.need_level.shape[0]):
        citizens.end_need(domain, idx)
    citizens.status[:, idx] = Status.NONE
    isolated = rng.random(idx.size) < isolation_prevalence(
        params, citizens.age_band[idx], citizens.living_alone[idx]
    )
    initial_needs(
        citizens,
        params,
        isolated,
        rng,
        idx=idx,
        week=week,
        levels_by_band=levels_by_band,
        care_band=entry_band(citizens.age_band[idx]),
    )


def entry_band(band: np.ndarray) -> np.ndarray:
    """The band a newcomer's care need is drawn from: the band below theirs (the first band's
    own). A death is replaced by someone entering the band from below (ODD 7.1)."""
    return np.maximum(np.asarray(band) - 1, 0)


def build_network(
    params: Parameters, district: np.ndarray, isolated: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An undirected random network with district homophily, as CSR arrays.

    Degrees are Poisson (fewer ties for isolated people); stubs are paired at random, inside the
    district for a share ``network.same_district_share`` of them, across the city otherwise.
    Self-ties are dropped; duplicate ties are kept (a tie of double strength).
    """
    n = district.size
    mean = params["network.mean_ties"] * np.where(
        isolated, params["network.isolated_ties_multiplier"], 1.0
    )
    stubs_per = rng.poisson(mean)
    owner = np.repeat(np.arange(n, dtype=np.int32), stubs_per)
    local = rng.random(owner.size) < params["network.same_district_share"]
    pairs = [
        _pair_stubs(owner[local], district[owner[local]], rng),
        _pair_stubs(owner[~local], np.zeros((~local).sum(), dtype=np.int16), rng),
    ]
    a = np.concatenate([p[0] for p in pairs])
    b = np.concatenate([p[1] for p in pairs])
    keep = a != b
    a, b = a[keep], b[keep]
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.argsort(src, kind="stable")
    degree = np.bincount(src, minlength=n).astype(np.int32)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=ptr[1:])
    return degree, ptr, dst[order].astype(np.int32)


def _pair_stubs(
    owner: np.ndarray, group: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pair stubs at random within groups; an odd stub left over in a group is dropped."""
    order = np.lexsort((rng.random(owner.size), group))
    owner, group = owner[order], group[order]
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(owner.size) - np.repeat(first, np.diff(np.r_[first, owner.size]))
    left = np.flatnonzero(rank % 2 == 0)
    left = left[left + 1 < owner.size]
    left = left[group[left] == group[left + 1]]
    return owner[left], owner[left + 1]


def _draw_isolation(
    params: Parameters, age_band: np.ndarray, living_alone: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    return rng.random(age_band.size) < isolation_prevalence(params, age_band, living_alone)


def _distance_km(params: Parameters, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Distance to the central office: outer districts further away, with spread inside each."""
    radius = params["city.radius_km"]
    ring = (district + 0.5) / max(int(params["city.districts"]), 1)
    return (radius * ring * (0.5 + rng.random(district.size))).astype(np.float32)


def _normalised(shares) -> np.ndarray:
    arr = np.asarray(shares, dtype=float)
    return arr / arr.sum()
