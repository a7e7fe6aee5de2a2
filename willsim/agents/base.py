"""What willsim's Mesa agents share: ids counted by the model, so a finished model can be freed.

Mesa 3.3 counts agents' ``unique_id`` in a class-level dictionary keyed by the model
(``mesa.Agent._ids``, mesa issue #3179), which keeps every model alive until
:meth:`~willsim.model.WelfareModel.release` is called; ``mesa.batch_run`` never calls it. willsim's
agents count their ids with a counter the model itself holds, so nothing outside a model refers
to it and the garbage collector frees it when it is no longer used.
"""

from __future__ import annotations

import itertools
from typing import Any

import mesa


class _ModelCounters:
    """``counters[model]``: the model's own agent-id counter (created on first use)."""

    def __getitem__(self, model: Any) -> itertools.count:
        counter = model.__dict__.get("_agent_ids")
        if counter is None:
            counter = model.__dict__["_agent_ids"] = itertools.count(1)
        return counter


class WillsimAgent(mesa.Agent):
    """A Mesa agent whose ids come from its model's own counter (see the module docstring)."""

    _ids = _ModelCounters()
