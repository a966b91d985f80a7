"""How long `flexpolicy check` and `flexpolicy verify` take, on the shipped rules and on
generated policies of 100 to 1,000 rules.

Run with `make bench` (or `python benchmarks/analysis.py [SIZES...]`).  The large
policies look like a real store's: a few guards, many standard rules over windows, tiers,
prices, conditions and reasons (some shadowed by earlier ones, as in real rule sets that
grew by accretion), flex rules bending the denials, and levers.  Wall-clock seconds of one
run each; the solver is single-threaded.  Results also go to
`benchmarks/results/analysis.json`; `curve.py` reuses `generated_policy` for its curve.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _results
import yaml

import flexpolicy
from flexpolicy.analysis import check, verify_invariant, verify_monotone

ROOT = Path(__file__).resolve().parents[1]
CONDITIONS = ["unused", "opened", "used", "damaged", "defective"]
REASONS = ["changed_mind", "defective", "wrong_item_sold", "late_delivery", "damaged_in_transit"]


def generated_policy(n_rules: int, seed: int = 11) -> dict[str, Any]:
    """A policy with `n_rules` rules: 2% guards, 88% standard, 10% flex, plus 5 levers."""
    rng = random.Random(seed)
    n_guards = max(1, n_rules // 50)
    n_flex = max(1, n_rules // 10)
    n_standard = n_rules - n_guards - n_flex
    rules: list[dict[str, Any]] = []
    flags = ["abusive", "fraud_watch", "chargeback", "reseller", "staff"]
    for i in range(n_guards):
        outcome = rng.choice(["deny", "refer"])
        guard: dict[str, Any] = {
            "id": f"guard-{i}",
            "kind": "guard",
            "when": [
                f'"{flags[i % len(flags)]}" in customer.flags',
                f"customer.tier <= {1 + i % 5}",
            ],
            "outcome": outcome,
            "allow": ["guard-overlap"],
        }
        if outcome == "refer":
            guard["authority"] = rng.choice(["supervisor", "store_manager"])
        rules.append(guard)
    denials = []
    for i in range(n_standard):
        # Real rule sets of this size are per department: rules of one category compete.
        when = [
            f'item.category == "department-{i % max(1, n_standard // 4)}"',
            f"days_since_purchase <= {rng.choice([7, 14, 30, 45, 60, 90, 120, 180])}",
        ]
        if rng.random() < 0.6:
            when.append(f"customer.tier >= {rng.randint(1, 5)}")
        if rng.random() < 0.5:
            when.append(f'request.item_condition == "{rng.choice(CONDITIONS)}"')
        if rng.random() < 0.4:
            when.append(f"item_price <= {rng.choice([25, 50, 100, 250, 500, 1000])}")
        if rng.random() < 0.3:
            when.append(f'request.reason == "{rng.choice(REASONS)}"')
        if rng.random() < 0.2:
            when.append("coalesce(request.has_receipt, false)")
        if rng.random() < 0.1:
            when.append(f"customer.exceptions_90d < {rng.randint(1, 4)}")
        outcome = "deny" if rng.random() < 0.3 else "approve"
        rule: dict[str, Any] = {"id": f"rule-{i}", "when": when, "outcome": outcome}
        if outcome == "approve":
            rule["remedy"] = rng.choice(["refund", "store_credit", "exchange"])
            if rng.random() < 0.3:
                rule["authority"] = rng.choice(["supervisor", "store_manager"])
        else:
            denials.append(rule["id"])
        rules.append(rule)
    targets = [*denials, "default"]
    for i in range(n_flex):
        rules.append(
            {
                "id": f"flex-{i}",
                "kind": "flex",
                "bends": rng.sample(targets, k=min(len(targets), rng.randint(1, 2))),
                "when": [
                    f"customer.tier >= {rng.randint(3, 5)}",
                    f"days_since_purchase <= {rng.choice([60, 120, 365])}",
                    "request.store_at_fault" if rng.random() < 0.5 else "unused",
                ],
                "outcome": "approve",
                "remedy": "store_credit",
                "authority": rng.choice(["associate", "supervisor", "store_manager"]),
            }
        )
    levers = [
        {
            "id": f"lever-{i}",
            "when": f"customer.tier >= {1 + i}",
            "caps": {"associate": 5 * (i + 1), "supervisor": 10 * (i + 1)},
        }
        for i in range(5)
    ]
    return {
        "policy": f"generated-{n_rules}",
        "version": "1",
        "applies_to": ["return"],
        "roles": ["associate", "supervisor", "store_manager"],
        "facts": {"unused": 'request.item_condition == "unused" and request.packaging_intact'},
        "rules": rules,
        "levers": levers,
    }


def _timed(label: str, action: Any, record: dict[str, Any], key: str) -> Any:
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    record[key] = round(elapsed, 4)
    print(f"  {label:<38} {elapsed:8.2f} s")
    return result


def main(sizes: list[int]) -> None:
    print(f"Python {sys.version.split()[0]}, flexpolicy {flexpolicy.__version__}")
    print("shipped rules/:")
    shipped: list[dict[str, Any]] = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        row: dict[str, Any] = {"file": f"rules/{path.name}"}
        findings = _timed(f"check {path.name}", lambda p=path: check(p), row, "check_s")
        row["findings"] = len(findings)
        shipped.append(row)
        assert findings == [], findings
    returns = flexpolicy.load_policy(ROOT / "rules" / "returns.yaml")
    verify_returns: dict[str, Any] = {"file": "rules/returns.yaml"}
    _timed(
        "verify returns monotone:customer.tier",
        lambda: verify_monotone(returns, "customer.tier"),
        verify_returns,
        "monotone_s",
    )
    generated: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"generated-{n}.yaml"
            path.write_text(yaml.safe_dump(generated_policy(n), sort_keys=False), encoding="utf-8")
            print(f"generated policy, {n} rules:")
            row = {"rules": n}
            policy = _timed(
                "load and compile", lambda p=path: flexpolicy.load_policy(p), row, "load_s"
            )
            findings = _timed("check (every finding)", lambda p=policy: check(p), row, "check_s")
            counts: dict[str, int] = {}
            for finding in findings:
                counts[finding.code] = counts.get(finding.code, 0) + 1
            print(f"  findings: {dict(sorted(counts.items()))}")
            monotone = _timed(
                "verify monotone:customer.tier",
                lambda p=policy: verify_monotone(p, "customer.tier"),
                row,
                "monotone_s",
            )
            invariant = _timed(
                "verify invariant:transaction.channel",
                lambda p=policy: verify_invariant(p, "transaction.channel"),
                row,
                "invariant_s",
            )
            print(f"  monotone: {monotone.status}, invariant: {invariant.status}")
            row.update(
                findings=dict(sorted(counts.items())),
                monotone=monotone.status,
                invariant=invariant.status,
            )
            generated.append(row)
    _results.write(
        "analysis",
        {"shipped": shipped, "verify_returns": verify_returns, "generated": generated},
    )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 500, 1000])
