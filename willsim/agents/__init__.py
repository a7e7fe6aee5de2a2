"""Mesa agents: the identity and inspection layer over the vectorised state."""

from willsim.agents.citizen import Citizen
from willsim.agents.municipality import Municipality
from willsim.agents.provider import Provider

__all__ = ["Citizen", "Municipality", "Provider"]
