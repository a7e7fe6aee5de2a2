"""The outreach trial (C1 in shared/research/domain.md), re-run inside the model.

Finkelstein & Notowidigdo (QJE 2019) randomised 30,000 likely-eligible non-enrolled older people
into a control group, an information group and an information-plus-assistance group; enrolment
within nine months was 6%, 11% and 18%. Here the trial population is the residents who, at the
end of a three-year burn-in (so that the pool of non-claimers is a stock of long-standing ones,
like the trial's, rather than needs all begun at the model's start), have had an eligible
work/income need for at least a year without ever expressing it (persistent eligible
non-claimers). They are randomised into the three arms. The information arm is contacted by
outreach workers who inform them only; the assistance arm is also helped to file a request
(outreach's ``assist``: the request then queues at the office like any other). The arms are
isolated, as in the real trial: word of mouth from the treated reaches other residents but no
participant. Enrolment is the share whose need was expressed (asked, or filed with help) within
39 weeks.

Fitted on absolute enrolment as well as the ratios (issue 12): the control arm identifies the
spread of the propensity to ask among persistent non-claimers (``helpseeking.trust_sd``), the
information arm ``outreach.inform_effect``, the assistance arm ``outreach.accept``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from willsim.citizens import LATENT, WORK
from willsim.model import WelfareModel

TRIAL_WEEKS = 39
BURN_IN_WEEKS = 156
MIN_NEED_WEEKS = 52
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
    seed: int = 1,
    population: int = 60_000,
    scenario: str = "baseline",
    burn_in: int = BURN_IN_WEEKS,
    min_need: int = MIN_NEED_WEEKS,
    **overrides,
) -> TrialResult:
    """Randomise eligible non-claimers into three arms and measure 39-week enrolment."""
    model = WelfareModel(
        scenario,
        seed=seed,
        city__population=population,
        run__weeks=burn_in + TRIAL_WEEKS,
        run__mesa_citizens=False,
        **overrides,
    )
    for _ in range(burn_in):
        model.step()
    c = model.citizens
    eligible = c.isee <= model.office.isee_max[WORK]
    persistent = c.need_since[WORK] <= model.week - min_need
    trial = np.flatnonzero((c.status[WORK] == LATENT) & ~c.requested[WORK] & eligible & persistent)
    arm = np.random.default_rng(seed).integers(0, len(ARMS), trial.size)
    rng, outreach = model.streams["outreach"], model.outreach
    shielded = np.zeros(c.n, dtype=bool)  # the arms are isolated: word of mouth from the
    shielded[trial] = True  # treated reaches no participant (it still reaches other residents)
    for k in (1, 2):
        outreach.inform(model, trial[arm == k], rng, shielded=shielded)
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
