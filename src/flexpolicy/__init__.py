"""flexpolicy: customer-service policies that bend for the right customers, and say why.

    >>> import flexpolicy
    >>> policy = flexpolicy.load_policy("rules/returns.yaml")      # doctest: +SKIP
    >>> decision = policy.decide(request, customer=customer)       # doctest: +SKIP
    >>> decision.outcome, decision.rationale.staff                 # doctest: +SKIP

Everything public is importable from here; modules whose names start with `_`
are internal and may change in any release.
"""

from __future__ import annotations

from importlib import metadata

from .decision import (
    Alternative,
    ConditionTrace,
    Decision,
    DecisionRecord,
    Lever,
    Outcome,
    PromiseTerm,
    Rationale,
    Requirement,
    RuleTrace,
)
from .errors import EngineError, FlexPolicyError, InputError, PolicyError, Problem
from .models import Actor, CaseFacts, Customer, LineItem, Request, Situation, Transaction
from .policy import Policy, PolicySet, load_policies, load_policy
from .situations import read_situations
from .store import PolicyStore, StoreStatus

try:  # pyproject.toml holds the version; an installed package carries it in its metadata
    __version__ = metadata.version("flexpolicy")
except metadata.PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "Actor",
    "Alternative",
    "CaseFacts",
    "ConditionTrace",
    "Customer",
    "Decision",
    "DecisionRecord",
    "EngineError",
    "FlexPolicyError",
    "InputError",
    "Lever",
    "LineItem",
    "Outcome",
    "Policy",
    "PolicyError",
    "PolicySet",
    "PolicyStore",
    "Problem",
    "PromiseTerm",
    "Rationale",
    "Request",
    "Requirement",
    "RuleTrace",
    "Situation",
    "StoreStatus",
    "Transaction",
    "__version__",
    "load_policies",
    "load_policy",
    "read_situations",
]
