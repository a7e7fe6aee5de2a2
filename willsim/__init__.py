"""willsim: agent-based simulation of local welfare ecosystems (Mesa + NumPy).

Try welfare on demand or proactive outreach, centralised delivery or platforms, on a synthetic
Italian city before piloting them.
"""

from willsim.indicators import INDICATORS
from willsim.model import WelfareModel
from willsim.params import PARAMETERS
from willsim.scenario import Scenario, ScenarioError, load_scenario

__version__ = "0.1.0"

__all__ = [
    "INDICATORS",
    "PARAMETERS",
    "Scenario",
    "ScenarioError",
    "WelfareModel",
    "__version__",
    "load_scenario",
]
