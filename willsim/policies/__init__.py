"""Policies as data: a registry of policy types, trigger conditions and the weekly schedule."""

from willsim.policies.conditions import Condition, parse_condition
from willsim.policies.registry import (
    POLICY_TYPES,
    PolicyError,
    PolicySpec,
    PolicyType,
    parse_label,
    parse_policy,
)
from willsim.policies.schedule import PolicyEvent, PolicySchedule

__all__ = [
    "POLICY_TYPES",
    "Condition",
    "PolicyError",
    "PolicyEvent",
    "PolicySchedule",
    "PolicySpec",
    "PolicyType",
    "parse_condition",
    "parse_label",
    "parse_policy",
]
