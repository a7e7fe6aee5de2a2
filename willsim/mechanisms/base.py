"""The common shape of a mechanism."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from willsim.model import WelfareModel


class Mechanism:
    """A phase of the weekly step. Subclasses set ``name`` and override ``step``."""

    name: str = "mechanism"

    def setup(self, model: WelfareModel) -> None:
        """Prepare derived constants once the population exists."""

    def configure(self, model: WelfareModel) -> None:
        """Re-read the levers (parameters a policy may change during a run)."""

    def forget(self, model: WelfareModel, idx) -> None:
        """Residents ``idx`` died and were replaced: drop any state this mechanism keeps on them."""

    def step(self, model: WelfareModel, week: int) -> None:
        """Advance this mechanism by one week."""
        raise NotImplementedError
