"""Every diagnostic code flexpolicy gives, declared once with its stage and what it means.

A code is a promise to the tools that filter on it (an editor, CI, a POS that
answers a 422), so it is stable across releases, and this registry is the one
list of them.  `tests/diagnostics/test_codes.py` reads the source for every code
a `Problem`, `PolicyError`, `InputError`, `ExprError`, finding or log problem is
given and fails on one not declared here, on one declared and never given, and on
one the docs do not explain on its stage's page (`STAGE_DOCS`).

The stage says where in the pipeline a code is found; a code that means the
same at two stages (`duplicate-key` in a policy file and in a situation file)
is declared once, at the first, with the others in `also`.

Kept free of z3 and of every other layer (it imports nothing of flexpolicy), so
the policy builder can validate `allow:` lists without the `verify` extra
installed, and any stage can name a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ALLOWABLE", "CODES", "FINDING_CODES", "STAGE_DOCS", "Code", "Stage"]

Stage = Literal[
    "load",  # reading a policy file or a directory of them
    "spec",  # the shape of the file: keys and values
    "build",  # what the rules, levers and names mean together
    "expression",  # conditions, facts, amounts and placeholders
    "template",  # `explain` sentences
    "engine",  # choosing, compiling and running an engine
    "input",  # the facts handed to a decision
    "check",  # the findings of `flexpolicy check`
    "verify",  # proving properties with `flexpolicy verify`
    "cases",  # the case book
    "audit",  # writing and verifying the decision log
    "dask",  # deciding on Dask
    "cli",  # the command line
    "errors",  # the base class of every error
]

# The page whose tables explain each stage's codes.
STAGE_DOCS: dict[Stage, str] = {
    "load": "policy-language.md",
    "spec": "policy-language.md",
    "build": "policy-language.md",
    "expression": "policy-language.md",
    "template": "policy-language.md",
    "engine": "policy-language.md",
    "input": "decision-semantics.md",
    "check": "analysis.md",
    "verify": "analysis.md",
    "cases": "cases.md",
    "audit": "audit.md",
    "dask": "dask.md",
    "cli": "cli.md",
    "errors": "integration.md",
}


@dataclass(frozen=True, slots=True)
class Code:
    """One stable code: its name, the stage that finds it, and one line on what it means."""

    name: str
    stage: Stage
    summary: str
    also: tuple[Stage, ...] = ()


def _declare(*codes: Code) -> dict[str, Code]:
    """The registry by name; a code declared twice is a mistake in this file."""
    registry: dict[str, Code] = {}
    for code in codes:
        if code.name in registry:
            raise ValueError(f"code `{code.name}` is declared twice")
        registry[code.name] = code
    return registry


CODES: dict[str, Code] = _declare(
    # -- reading a policy file --------------------------------------------------------
    Code("unreadable", "load", "the file or directory cannot be read", also=("audit",)),
    Code("no-policies", "load", "a directory holds no policy file"),
    Code("too-large", "load", "the file is over the size limit"),
    Code("encoding", "load", "the file is not UTF-8 text"),
    Code("yaml-syntax", "load", "the file is not valid YAML"),
    Code("too-deep", "load", "nesting too deep, in YAML or in an expression", also=("expression",)),
    Code("too-many-nodes", "load", "the document expands to too many values (YAML aliases)"),
    Code("duplicate-key", "load", "a key appears twice in one mapping", also=("input",)),
    Code("merge-key", "load", "a YAML merge key (`<<`)"),
    Code("python-tag", "load", "a `!!python/...` tag"),
    Code("unsupported-tag", "load", "a non-standard YAML tag"),
    Code("bad-key", "load", "a mapping key that is not a name"),
    Code("bad-number", "load", "a number out of range or not finite", also=("expression",)),
    Code("bad-scalar", "load", "a value YAML cannot read, such as an impossible date"),
    Code("not-a-mapping", "load", "the top level is empty or not a mapping"),
    Code("kind-conflict", "load", "two policies of one directory claim a request kind"),
    Code("changed-while-loading", "load", "a policy file changed while a store read it"),
    Code("internal-error", "load", "loading failed with a bug in flexpolicy"),
    # -- the shape of the file ----------------------------------------------------------
    Code("unknown-key", "spec", "a key that does not exist here"),
    Code("missing-key", "spec", "a required key is missing"),
    Code("bad-value", "spec", "a value of the wrong shape or over its limit"),
    Code("too-many-rules", "spec", "more rules or levers than one file may hold"),
    # -- what the rules, levers and names mean --------------------------------------------
    Code("duplicate-id", "build", "an id, role or request kind used twice"),
    Code("unknown-kind", "build", "a rule kind other than guard, standard and flex"),
    Code("bad-outcome", "build", "an outcome that does not exist or fits not the rule's kind"),
    Code("bad-remedy", "build", "an unknown remedy, or a remedy on a non-approval"),
    Code("unknown-role", "build", "a role not on the authority ladder", also=("input",)),
    Code("bad-authority", "build", "`authority` on a denial"),
    Code("bad-bends", "build", "a flex rule that bends nothing it may bend"),
    Code("bad-amount", "build", "`amount` on a denial or a referral (its money is a `fee`)"),
    Code("bad-fee", "build", "`fee` on a referral"),
    Code("bad-unknown", "build", "`unknown` on a rule that is no guard, or not apply/skip"),
    Code("unknown-bends", "build", "`bends` names a rule that does not exist"),
    Code("escalations-file", "build", "an escalations file loaded as a decision policy"),
    Code("unknown-finding", "build", "`allow` names no finding of `flexpolicy check`"),
    Code("bad-map-param", "build", "a map param that is empty, nested or mixes value types"),
    Code("bad-caps", "build", "a lever with no caps, or a higher role with a smaller cap"),
    Code("bad-condition", "build", "a `when` that is no condition"),
    Code("name-conflict", "build", "a param or fact named like a built-in or a param"),
    Code("fact-cycle", "build", "facts that refer to each other in a cycle"),
    Code("bad-attribute", "build", "an `attributes:` declaration with no such record or type"),
    # -- expressions --------------------------------------------------------------------
    Code("expression-syntax", "expression", "an expression that does not parse"),
    Code("expression-too-long", "expression", "an expression over the length limit"),
    Code("forbidden-name", "expression", "a name starting with `_`"),
    Code("forbidden-call", "expression", "a call of something that is no function name"),
    Code("unknown-name", "expression", "a name that is no record, built-in, fact or param"),
    Code("unknown-field", "expression", "a field the record does not have", also=("input",)),
    Code("unknown-param", "expression", "`params.NAME` with no such param"),
    Code("hidden-field", "expression", "a field kept from decisions (`customer.name`)"),
    Code("undeclared-attribute", "expression", "a store attribute `attributes:` does not declare"),
    Code("unknown-function", "expression", "a function that does not exist"),
    Code("bad-arguments", "expression", "arguments a function cannot take"),
    Code("bad-month-day", "expression", 'a day of the year that is not `"MM-DD"` (`"02-30"`)'),
    Code("type-mismatch", "expression", "types that do not fit together"),
    Code("null-comparison", "expression", "a comparison with `null`"),
    Code("invalid-value", "expression", "a literal a fixed-value field never takes"),
    Code("division-by-zero", "expression", "a division by a literal zero"),
    # -- templates ----------------------------------------------------------------------
    Code("bad-placeholder", "template", "a brace that opens or closes no placeholder"),
    Code("empty-sentence", "template", "an `explain` sentence that is empty"),
    Code("internal-in-customer-text", "template", "customer text shows an internal field"),
    # -- engines ------------------------------------------------------------------------
    Code("unknown-engine", "engine", "an engine that is neither native nor durable"),
    Code("engine-unavailable", "engine", "the durable engine is not installed"),
    Code("durable-unsupported", "engine", "a construct durable-rules cannot match"),
    Code("durable-compile", "engine", "durable-rules refused the compiled ruleset"),
    Code("too-complex", "engine", "the policy compiles to more code than allowed"),
    Code("engine-error", "engine", "a back end failed while deciding"),
    # -- the facts of a decision --------------------------------------------------------
    Code("bad-input", "input", "bad input with no more specific code"),
    Code("invalid-facts", "input", "a fact that does not fit its model", also=("cases",)),
    Code("contradictory-facts", "input", "facts that contradict each other"),
    Code("invalid-attribute", "input", "a store attribute that does not fit its declared type"),
    Code("ambiguous-item", "input", "the sku is on several lines and no line is given"),
    Code("wrong-policy", "input", "the request kind is not one the policy decides"),
    Code("no-policy", "input", "no policy of the set decides the request kind"),
    Code("bad-file", "input", "a situation file that cannot be read as situations"),
    Code("durable-precision", "input", "a number the durable engine cannot compare exactly"),
    # -- `flexpolicy check` (the findings a policy may `allow`) ------------------------------
    Code("contradictory-conditions", "check", "a rule's conditions can never all hold"),
    Code("shadowed-rule", "check", "earlier rules always decide first, so the rule never decides"),
    Code("flex-never-applies", "check", "where the flex rule matches, what it bends never denies"),
    Code("flex-never-chosen", "check", "another flex rule is always preferred"),
    Code("guard-overlap", "check", "two guards match the same request and decide differently"),
    Code("lever-never-offered", "check", "no request can ever be offered the lever"),
    Code("lever-offers-nothing", "check", "every cap of the lever is zero"),
    Code("unused-param", "check", "a param no expression or template reads"),
    Code("unused-fact", "check", "a fact no rule, lever or template reads"),
    Code("customer-text-leak", "check", "customer text names a rule id or an internal score"),
    Code("coercive-wording", "check", "customer text reads as coercive"),
    Code("hard-to-read", "check", "customer text reads above plain-language grade level"),
    Code("amount-over-price", "check", "an approval's own amount can exceed the item's total"),
    Code(
        "missing-skips-denial", "check", "a missing fact skips a denial and a later rule approves"
    ),
    Code("analysis-incomplete", "check", "the solver could not settle a question in time"),
    # -- `flexpolicy verify` --------------------------------------------------------------
    Code("bad-property", "verify", "a property names no field it can be proved over"),
    Code("analysis-unavailable", "verify", "the exact analysis needs z3-solver"),
    # -- the case book ------------------------------------------------------------------
    Code("unknown-case", "cases", "no case has the id"),
    Code("case-exists", "cases", "a case with the id already exists"),
    Code("out-of-order", "cases", "an event before the case was opened or its last event"),
    Code("case-resolved", "cases", "an event logged on a resolved case"),
    Code(
        "bad-promise",
        "cases",
        "a promise due before it was made, or a rule's `promise` that cannot be kept",
        also=("cli", "build"),
    ),
    Code("unknown-promise", "cases", "no promise of the case has the id"),
    Code("promise-kept", "cases", "the promise is already kept"),
    Code("bad-url", "cases", "a case book URL that cannot be opened"),
    Code("unwritable", "cases", "a case book or log that cannot be created", also=("audit",)),
    Code("schema-too-new", "cases", "a case book newer than this flexpolicy"),
    # -- the decision log ---------------------------------------------------------------
    Code("audit-error", "audit", "the decision log refused, with no more specific code"),
    Code("closed", "audit", "a record written to a closed log"),
    Code("naive-time", "audit", "a record time without a timezone"),
    Code("wrong-situation", "audit", "the situation is not the one the decision was made on"),
    Code("unmaskable-field", "audit", "a masked field that cannot be masked"),
    Code("torn-line", "audit", "a last line cut short by a crash"),
    Code("bad-record", "audit", "a line that is not an audit record"),
    Code("chain-missing", "audit", "a record outside the hash chain"),
    Code("chain-broken", "audit", "a record's hash does not follow the record before"),
    Code("seq-gap", "audit", "a record's `seq` does not follow, though its hash does"),
    Code("unknown-digest", "audit", "a record's policy is not among the given policies"),
    Code("unreplayable", "audit", "a record cannot be decided again"),
    Code("differs", "audit", "a record's decision differs from the policy's now"),
    # -- elsewhere ----------------------------------------------------------------------
    Code("dask-unavailable", "dask", "`flexpolicy.dask` needs Dask, which is not installed"),
    Code("bad-time", "cli", "an option that is not a date or a time"),
    Code("flexpolicy-error", "errors", "an error of flexpolicy with no more specific code"),
)

FINDING_CODES: dict[str, str] = {c.name: c.summary for c in CODES.values() if c.stage == "check"}
"""The codes of `flexpolicy check` findings, with what each means."""

ALLOWABLE = frozenset(FINDING_CODES) - {"analysis-incomplete"}
"""The findings a policy may accept with `allow:` (an unsettled question is not one)."""
