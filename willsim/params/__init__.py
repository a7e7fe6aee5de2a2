"""Parameters: declarations (one per parameter) and the registry that validates them."""

from willsim.params.declarations import AGE_BANDS, ALL_PARAMS, DOMAINS, INCOME_BANDS, PROVIDER_KINDS
from willsim.params.registry import Param, ParameterError, Registry

PARAMETERS = Registry(ALL_PARAMS)
"""The registry of every willsim parameter, keyed by dotted key (``group.name``)."""

__all__ = [
    "AGE_BANDS",
    "DOMAINS",
    "INCOME_BANDS",
    "PARAMETERS",
    "PROVIDER_KINDS",
    "Param",
    "ParameterError",
    "Registry",
]
