"""Parameters: declarations (one per parameter) and the registry that validates them.

The core groups are declared in :mod:`willsim.params.declarations` (with the group modules it
lists, in order). A mechanism's own group may instead live in a module of this package that
defines ``PARAMS`` (a list of :class:`Param`): every such module is found and registered after
the declared groups, in file-name order, so adding a mechanism's group means adding its file.
"""

import importlib
import pkgutil

from willsim.params.declarations import AGE_BANDS, ALL_PARAMS, DOMAINS, INCOME_BANDS, PROVIDER_KINDS
from willsim.params.registry import Param, ParameterError, Registry


def _group_modules() -> list[Param]:
    """The ``PARAMS`` of every module of this package that defines one (file-name order)."""
    found: list[Param] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += getattr(module, "PARAMS", [])
    return found


PARAMETERS = Registry([*ALL_PARAMS, *_group_modules()])
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
