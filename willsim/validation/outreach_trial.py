"""The outreach trial (C1 in shared/research/domain.md), re-run inside the model.

Finkelstein & Notowidigdo (QJE 2019) randomised 30,000 likely-eligible non-enrolled older people
into a control group, an information group and an information-plus-assistance group; enrolment
within nine months was 6%, 11% and 18%. Here the trial population is the residents who, at the
end of a one-year burn-in, have had an eligible work/income need for at least six months without
ever expressing it (persistent eligible non-claimers, like the trial's). They are randomised
into the three arms. The information arm is contacted by outreach workers who inform them only;
the assistance arm is contacted with taking in charge (the worker helps with the application).
Enrolment is the share whose need was expressed (asked, or taken in charge) within 39 weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from willsim.citizens import LATENT, WORK
from willsim.model import WelfareModel

TRIAL_WEEKS = 39
BURN_IN_WEEKS = 52
MIN_NEED_WEEKS = 26
PUBLISHED = {"control": 0.06, "information": 0.11, "assistance": 0.18}
ARMS = tuple(PUBLISHED)


@dataclass(frozen=True)
class TrialResult:
    """Enrolment by arm, the number randomised, and ratios to control."""

    enrolment: dict[str, float]
    size: dict[str, int]

    @property
    def ratios(self) -> dict[str, float]:
        base = self.enrolment["control"]
        return {arm: (v / base if base else float("nan")) for arm, v in self.enrolment.items()}


def run_trial(
    seed: int = 1, population: int = 60_000, scenario: str = "baseline", **overrides
) -> TrialResult:
    """Randomise eligible non-claimers into three arms and measure 39-week enrolment."""
    model = WelfareModel(
        scenario,
        seed=seed,
        city__population=population,
        run__weeks=BURN_IN_WEEKS + TRIAL_WEEKS,
        run__mesa_citizens=False,
        **overrides,
    )
    for _ in range(BURN_IN_WEEKS):
        model.step()
    c = model.citizens
    eligible = c.isee <= model.office.isee_max[WORK]
    persistent = c.need_since[WORK] <= model.week - MIN_NEED_WEEKS
    trial = np.flatnonzero((c.status[WORK] == LATENT) & ~c.requested[WORK] & eligible & persistent)
    arm = np.random.default_rng(seed).integers(0, len(ARMS), trial.size)
    rng, outreach = model.streams["outreach"], model.outreach
    for k in (1, 2):
        outreach.inform(model, trial[arm == k], rng)
    outreach.assist(model, trial[arm == 2], model.week, rng)
    enrolled = c.requested[WORK, trial].copy()
    while model.running:
        model.step()
        enrolled |= c.requested[WORK, trial]  # the flag resets when a need ends
    result = TrialResult(
        enrolment={name: float(enrolled[arm == k].mean()) for k, name in enumerate(ARMS)},
        size={name: int((arm == k).sum()) for k, name in enumerate(ARMS)},
    )
    model.release()
    return result
