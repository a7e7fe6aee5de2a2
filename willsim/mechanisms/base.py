"""The mechanism contract: what a phase of the week declares, so the model is built from it.

A mechanism is a class listed once in :data:`willsim.phases.PHASES`. Its class attributes tell
the model everything it needs to know of it:

* ``name`` — the phase's name: the model attribute (``model.outreach``) and the prefix of the
  quantities it publishes (``outreach.contacts``);
* ``streams`` — the named random streams it draws from (:mod:`willsim.rng`);
* ``levers`` — the parameter groups it re-reads in :meth:`Mechanism.configure` when a policy
  changes them;
* ``spending`` — the public spending items it pays (:class:`SpendingItem`): the municipality's
  ledger and the ``spending_<item>_eur`` indicators are generated from them;
* ``publishes`` — the quantities other mechanisms, the collector or the app may read (attributes
  or methods), and ``reads`` — the quantities of other mechanisms it reads (:class:`Read`), this
  week's or last week's (``lag``);
* ``care_hours_kind`` and ``meets`` — its share of coverage: hours a week towards care needs
  (:meth:`Mechanism.care_hours_for`, ``"formal"`` or ``"informal"``) and the other domains whose
  needs it meets (:meth:`Mechanism.needs_met`); a mechanism that publishes ``family_spending``
  (EUR per resident this week) adds it to families' out-of-pocket spending, and
  :meth:`Mechanism.has_helped` says whom it helped (a need resolved after help counts as resolved);
* ``indicators`` — its own outputs (:class:`willsim.outputs.Indicator`), collected and compared
  like every other indicator, and ``group_quantities`` — per-resident arrays it publishes that
  the collector sums by citizen group, so its indicators can be reported by group too;
* ``policies`` — the policy types that switch it on or set its levers (:class:`PolicyType`);
* ``journey_fields``, ``journey_text``, ``journey_rules`` and :meth:`Mechanism.journey_events`
  — what it contributes to a resident's journey (:mod:`willsim.journal`); :meth:`Mechanism.idle`
  — whether it changed nobody this week.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from willsim.journal import Event
    from willsim.model import WelfareModel
    from willsim.outputs import Indicator


@dataclass(frozen=True)
class SpendingItem:
    """A public spending item: paid from the municipal budget (capped by what is left of it) or
    from another public budget (health service, housing: reported, never rationed)."""

    key: str
    label: str
    label_it: str
    description: str
    municipal: bool = True
    better: int = 0  # direction of its spending indicator (-1: less is better)
    tags: tuple[str, ...] = ()  # tags of its spending indicator


@dataclass(frozen=True)
class Read:
    """A quantity of another mechanism that a phase reads: ``"coverage.met"``.

    ``lag`` 0: this week's value (its publisher runs earlier in the week); 1: last week's (its
    publisher runs later, so the phase sees what it left the week before); ``None``: a method
    through which the phase hands something over (``"office.submit"``: requests for the office
    to assess when its turn comes).
    """

    quantity: str
    lag: int | None = 0

    @property
    def source(self) -> str:
        return self.quantity.partition(".")[0]


@dataclass(frozen=True)
class PolicyType:
    """A kind of policy: the parameter groups it may set and the lever it switches on."""

    name: str
    groups: tuple[str, ...]
    description: str
    description_it: str
    switch: str | None = None  # a boolean parameter set to true while the policy is active


AddEvent = Callable[[Any, "Event"], None]
"""``add(position, event)``: record an event for the followed resident at ``position`` (an
integer, NumPy's included)."""


class Mechanism:
    """A phase of the weekly step. Subclasses declare the class attributes and override
    :meth:`step` (and :meth:`setup`, :meth:`configure`, :meth:`forget` as needed)."""

    name: ClassVar[str] = ""
    label: ClassVar[tuple[str, str]] = ("", "")  # the phase's name in English and Italian
    streams: ClassVar[tuple[str, ...]] = ()
    levers: ClassVar[tuple[str, ...]] = ()
    spending: ClassVar[tuple[SpendingItem, ...]] = ()
    publishes: ClassVar[tuple[str, ...]] = ()
    reads: ClassVar[tuple[Read, ...]] = ()
    care_hours_kind: ClassVar[str | None] = None
    meets: ClassVar[tuple[int, ...]] = ()
    indicators: ClassVar[tuple[Indicator, ...]] = ()
    group_quantities: ClassVar[tuple[str, ...]] = ()
    """Published per-resident arrays (bool or numbers) the collector sums by citizen group each
    week; formulas read them as ``Q("<name>.<array>")`` (so its indicators can be by group)."""
    journey_need_rules: ClassVar[dict[str, str]] = {}
    """The rule behind need changes in this phase: ``need_arose``, ``need_progressed``,
    ``need_receded`` or ``need_ended`` -> a rule key."""
    policies: ClassVar[tuple[PolicyType, ...]] = ()
    journey_fields: ClassVar[dict[str, float]] = {}
    """Per-resident arrays the journal compares phase by phase, with their value while the
    mechanism has never been active (e.g. ``{"user": 0.0}``)."""
    journey_text: ClassVar[dict[str, tuple[str, str]]] = {}
    """Event kinds it records, worded in English and Italian (``{value}``, ``{domain}``)."""
    journey_rules: ClassVar[dict[str, tuple[str, str]]] = {}
    """Rules that fire in its events, worded in English and Italian."""

    # --- lifecycle -----------------------------------------------------------------------------

    def setup(self, model: WelfareModel) -> None:
        """Prepare derived constants once the population exists."""

    def configure(self, model: WelfareModel) -> None:
        """Re-read the levers (parameters a policy may change during a run)."""

    def forget(self, model: WelfareModel, idx: np.ndarray) -> None:
        """Residents ``idx`` died and were replaced: drop any state this mechanism keeps on them."""

    def need_ended(self, model: WelfareModel, domain: int, idx: np.ndarray) -> None:
        """The need episodes of residents ``idx`` in ``domain`` are ending (their status still
        says where they stood): drop what it keeps on them (e.g. an open request)."""

    def step(self, model: WelfareModel, week: int) -> None:
        """Advance this mechanism by one week."""
        raise NotImplementedError

    def end_week(self, model: WelfareModel, week: int) -> None:
        """After every phase has run, before indicators are collected (e.g. tidy a queue)."""

    # --- coverage ------------------------------------------------------------------------------

    def care_hours_for(self, model: WelfareModel, idx: np.ndarray) -> np.ndarray:
        """Hours a week this mechanism gives this week to the care needs of residents ``idx``
        (declared by ``care_hours_kind``)."""
        raise NotImplementedError(f"{self.name} declares no care hours")

    def needs_met(self, model: WelfareModel, domain: int) -> np.ndarray:
        """(n,) bool: residents whose need in ``domain`` (one of ``meets``) it meets this week."""
        raise NotImplementedError(f"{self.name} meets no need in domain {domain}")

    def has_helped(self, model: WelfareModel, domain: int, idx: np.ndarray) -> np.ndarray | None:
        """Whether residents ``idx`` were helped by it in their current episode of a need in
        ``domain`` (a resolved need counts as resolved with help), or None if it cannot help."""
        return None

    # --- journey -------------------------------------------------------------------------------

    def has_run(self) -> bool:
        """Whether it has ever run (its ``journey_fields`` hold data)."""
        return True

    def idle(self, model: WelfareModel) -> bool:
        """Whether it changed nobody this week (the journal then skips the phase)."""
        return False

    def journey_events(
        self,
        model: WelfareModel,
        week: int,
        who: np.ndarray,
        old: dict[str, np.ndarray],
        new: dict[str, np.ndarray],
        add: AddEvent,
    ) -> None:
        """Record this phase's events for the followed residents ``who`` (positions index
        ``who``, ``old`` and ``new``: the journal's views before and after the phase)."""

    # --- reading published quantities ------------------------------------------------------------

    def published(self, name: str) -> Any:
        """A quantity this mechanism publishes (an attribute or a method)."""
        if name not in self.publishes:
            raise KeyError(
                f"{self.name} does not publish {name!r}; it publishes: {', '.join(self.publishes)}"
            )
        return getattr(self, name)
