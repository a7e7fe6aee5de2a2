"""The phases of a week: one declared list of mechanism classes, in the order they run.

Everything that depends on which mechanisms exist is derived from this list and from each
mechanism's declarations (:mod:`willsim.mechanisms.base`): the model's attributes, the random
streams, the municipality's spending items, coverage, the indicators, the policy types and the
journal. Adding a mechanism to willsim means writing its module (and its parameter group) and
adding its class here. A mechanism from outside the package is added at run time with
:func:`plug_in` (and taken out again with :func:`unplug`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from willsim.mechanisms.adi import Adi
from willsim.mechanisms.base import Mechanism, PolicyType, SpendingItem
from willsim.mechanisms.cash import Cash
from willsim.mechanisms.community import Community
from willsim.mechanisms.coverage import Coverage
from willsim.mechanisms.crises import Crises
from willsim.mechanisms.helpseeking import HelpSeeking
from willsim.mechanisms.marketplace import Marketplace
from willsim.mechanisms.needs import NeedDynamics
from willsim.mechanisms.office import Office
from willsim.mechanisms.outreach import Outreach
from willsim.mechanisms.residential import Residential
from willsim.mechanisms.services import Services
from willsim.mechanisms.structures import Structures
from willsim.mechanisms.transitions import Transitions

PHASES: list[type[Mechanism]] = [
    Transitions,  # the population ages, digital skills spread (from their start weeks)
    NeedDynamics,  # deaths and newcomers; needs arise, progress and recede
    Outreach,  # proactive welfare: outreach informs residents and takes needs in charge
    HelpSeeking,  # latent needs become requests at the office (welfare on demand)
    Office,  # requests queue for assessment and pass the means test
    Services,  # eligible cases placed with providers within capacity and budget; effects
    Cash,  # cash contributions (care, poverty) granted at assessment, within their budget
    Marketplace,  # the marketplace platform: join, post, match, pay
    Community,  # the community platform: participation, ties, peer help
    Adi,  # the health service's integrated home care (ADI): episodes for 65+ in need
    Structures,  # day-centre places from the structures budget, to older residents in need
    Coverage,  # family, peers, platforms, services and private help: which needs are met
    Crises,  # unmet needs escalate into crises with public costs
    Residential,  # residential care: waiting list, admissions to free places, costs
]
"""The mechanisms of a week, in the order they run."""

MODEL_STREAMS: tuple[str, ...] = ("population", "network", "providers", "policy")
"""Random streams the model itself draws from (who lives in the city, who knows whom, provider
quality and location, policy rules with randomness); mechanisms declare their own."""


def phase_names() -> tuple[str, ...]:
    """The names of the phases, in order."""
    return tuple(m.name for m in PHASES)


def stream_names() -> tuple[str, ...]:
    """Every named random stream: the model's own, then each phase's, in phase order."""
    names = list(MODEL_STREAMS)
    for mech in PHASES:
        names += [s for s in mech.streams if s not in names]
    return tuple(names)


def spending_items() -> tuple[SpendingItem, ...]:
    """Every public spending item, in phase order."""
    return tuple(item for mech in PHASES for item in mech.spending)


def policy_types() -> tuple[PolicyType, ...]:
    """The policy types the phases declare, in phase order."""
    return tuple(p for mech in PHASES for p in mech.policies)


STRATEGY_KEYS: tuple[str, ...] = (
    "municipality.budget_multiplier",
    "transitions.ageing_from_week",
    "transitions.digital_from_week",
)
"""Parameters besides the policy switches that start a strategy or an event at a week: a
scenario's or an override's value applies from reported week 0, never in the burn-in."""


def strategy_keys() -> frozenset[str]:
    """The switches of every policy type (the mechanisms' and the model's: platforms,
    outreach, governance, shocks) and :data:`STRATEGY_KEYS`: the parameters that
    :func:`willsim.model.status_quo_params` keeps at the status quo's value in the burn-in.

    Each is re-read when it changes (:meth:`Mechanism.configure`, the municipality's budget),
    so switching it at reported week 0 takes effect as a policy starting then would."""
    from willsim.policies.registry import POLICY_TYPES

    switches = {p.switch for p in policy_types() if p.switch}
    switches |= {p.switch for p in POLICY_TYPES.values() if p.switch}
    return frozenset(switches | set(STRATEGY_KEYS))


def plug_in(mechanism: type[Mechanism], after: str | None = None) -> None:
    """Add a mechanism class to the week, after the phase named ``after`` (default: last).

    For mechanisms defined outside willsim (a model extension, a test); willsim's own are
    listed in :data:`PHASES`. Its streams, spending items, indicators and policy types take
    effect for models built from now on.
    """
    if not isinstance(mechanism, type) or not issubclass(mechanism, Mechanism):
        raise TypeError(f"expected a Mechanism subclass, got {mechanism!r}")
    names = phase_names()
    if not mechanism.name or mechanism.name in names:
        raise ValueError(f"a mechanism needs a new name; taken: {', '.join(names)}")
    if after is not None and after not in names:
        raise ValueError(f"unknown phase {after!r}; phases: {', '.join(names)}")
    PHASES.insert(names.index(after) + 1 if after else len(PHASES), mechanism)
    _changed()


def unplug(mechanism: type[Mechanism]) -> None:
    """Take a mechanism added with :func:`plug_in` out of the week again."""
    PHASES.remove(mechanism)
    _changed()


@contextmanager
def plugged_in(mechanism: type[Mechanism], after: str | None = None) -> Iterator[None]:
    """``with plugged_in(MyMechanism): ...`` — the mechanism is part of the week inside."""
    plug_in(mechanism, after)
    try:
        yield
    finally:
        unplug(mechanism)


def _changed() -> None:
    from willsim import indicators

    indicators.refresh()
