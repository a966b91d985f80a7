"""`flexpolicy doc`: the one-page summary, in words and on paper.

The word checks run on every shipped policy for both audiences: the sections are there, the
real windows from the params are quoted, no placeholder is left unfilled, and the customer's
page shows no rule id, tier, flag, internal field or role jargon.  The paper check prints the
HTML with headless Chromium on A4 and on Letter and counts the pages: exactly one, for every
shipped policy and for an oversized synthetic one that the page budget has to trim.
Without Chromium the paper check is skipped locally and fails on CI (`CI` set).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import flexpolicy
from flexpolicy._analysis.wording import check_customer_text
from flexpolicy._authoring.doc import Audience, PolicySummary, summarize, to_html, to_markdown
from flexpolicy._ir import PolicyIR
from flexpolicy._lang import checked as c
from flexpolicy._lang.catalog import RECORDS
from tests.support.paths import POLICY_FILES, ROOT

AUDIENCES: tuple[Audience, ...] = ("staff", "customer")
SECTIONS = {
    "staff": [
        "What we do as standard",
        "When we say no",
        "Where we can be flexible",
        "Who can approve what",
        "Small gestures",
    ],
    "customer": [
        "What we do as standard",
        "When we say no",
        "Where we can be flexible",
        "Small gestures",
    ],
}
INTERNAL_NOUNS = sorted(
    {spec.noun for fields in RECORDS.values() for spec in fields.values() if spec.internal}
)
CASES = [(path, audience) for path in POLICY_FILES for audience in AUDIENCES]
CASE_IDS = [f"{path.stem}-{audience}" for path, audience in CASES]


def _ir(path: Path) -> PolicyIR:
    return flexpolicy.load_policy(path)._core.ir


def _markdown(path: Path, audience: Audience) -> str:
    return to_markdown(summarize(flexpolicy.load_policy(path), audience=audience))


def _window_params(ir: PolicyIR) -> dict[str, object]:
    """Params named like windows (`*_days`) that some rule's condition reads."""
    used: dict[str, object] = {}
    for rule in ir.rules:
        for condition in rule.conditions:
            for node in c.walk(condition.expr):
                if isinstance(node, c.Const) and node.origin and "days" in node.origin:
                    used[node.origin] = node.value
            for node in c.walk(condition.expr):
                if isinstance(node, c.FactRef) and node.name in ir.facts:
                    for inner in c.walk(ir.facts[node.name].expr):
                        if isinstance(inner, c.Const) and inner.origin and "days" in inner.origin:
                            used[inner.origin] = inner.value
    return used


# -- words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "audience"), CASES, ids=CASE_IDS)
def test_markdown_has_the_sections_and_the_real_numbers(path: Path, audience: Audience) -> None:
    text = _markdown(path, audience)
    ir = _ir(path)
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == SECTIONS[audience]
    assert text.startswith(f"# {ir.title}\n")
    for name, value in _window_params(ir).items():
        assert re.search(rf"\b{value} days\b", text), f"{name} = {value} not quoted:\n{text}"
    for leftover in ("{", "}", "None", "unknown"):
        assert leftover not in text, text


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_customer_page_keeps_internal_things_internal(path: Path) -> None:
    text = _markdown(path, "customer")
    ir = _ir(path)
    lowered = text.lower()
    for ident in (*(r.id for r in ir.rules), *(lever.id for lever in ir.levers)):
        if "-" in ident or "_" in ident:  # one-word ids are ordinary words
            assert ident not in text, f"rule id {ident!r} on the customer page"
    assert "`" not in text
    assert "tier" not in lowered
    assert "flag" not in lowered
    for noun in INTERNAL_NOUNS:
        assert noun not in lowered, f"internal field {noun!r} on the customer page"
    for role in ir.roles:
        words = role.replace("_", " ")
        if words not in ("supervisor", "manager"):
            assert not re.search(rf"\b{re.escape(words)}\b", lowered), f"role {words!r}"
    for value in {str(cap) for lever in ir.levers for _, _, cap in lever.caps}:
        gestures = lowered.split("## small gestures", 1)[1]
        assert not re.search(rf"\b{re.escape(value)}\b", gestures), "lever caps are for staff"
    issues = check_customer_text(
        text.replace("*", "").replace("#", ""),
        rule_ids=[r.id for r in ir.rules],
        internal_terms=INTERNAL_NOUNS,
        max_grade=99.0,
    )
    assert issues == [], issues


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_staff_page_names_the_roles_rules_and_caps(path: Path) -> None:
    text = _markdown(path, "staff")
    ir = _ir(path)
    for role in ir.roles:
        assert f"**{role.replace('_', ' ').capitalize()}.**" in text
    for rule in ir.flex:
        assert f"`{rule.id}`" in text
    for lever in ir.levers:
        for _, role, cap in lever.caps:
            assert f"{role.replace('_', ' ')} {cap}" in text


def test_returns_reads_like_the_policy() -> None:
    staff = _markdown(ROOT / "rules" / "returns.yaml", "staff")
    customer = _markdown(ROOT / "rules" / "returns.yaml", "customer")
    standard = "Within 30 days of purchase, unused or opened, with a receipt: a refund."
    assert f"- {standard} `standard-window`" in staff
    assert f"- {standard}\n" in customer
    assert "For customer tier 4 or above, unused and with the original packaging" in staff
    assert "For valued customers, unused and with the original packaging" in customer
    assert "the mistake was ours, within 120 days of purchase: store credit" in customer
    assert "fewer than 2 exceptions granted in the last 90 days" in staff
    assert "(conditions apply)" in customer  # the exception count is left out, not dropped
    assert "Needs a supervisor." in staff
    assert "A supervisor can approve this." in customer
    assert "Account flagged abusive: a store manager reviews it." in staff
    assert "abusive" not in customer


def _oversized_policy() -> flexpolicy.Policy:
    """A policy far too big for a page: every section must say "and N more"."""
    long = "This summary must still fit on one page however much the authors write. " * 20
    rules: list[str] = []
    for i in range(14):
        rules.append(
            f"""
  - id: standard-{i}
    title: A rather long title for standard rule number {i} of this oversized policy
    when: [days_since_purchase <= window_days, 'request.item_condition in ["unused", "opened"]',
           'coalesce(request.has_receipt, true)', item_price * 2 > {i}, not request.store_at_fault,
           'request.reason in ["changed_mind", "wrong_item_sold"]', item_price < 1000]
    outcome: approve
    remedy: refund"""
        )
    for i in range(10):
        rules.append(
            f"""
  - id: guard-{i}
    kind: guard
    when: ['"watch_{i}" in customer.flags', item_price * 3 > {i}]
    outcome: refer
    authority: store_manager"""
        )
        rules.append(
            f"""
  - id: deny-{i}
    when: [days_since_purchase > window_days, item_price + {i} > 10, item_price - {i} < 900]
    outcome: deny"""
        )
        rules.append(
            f"""
  - id: flex-{i}
    kind: flex
    title: An exception with a long and winding title, number {i}
    bends: [deny-{i}]
    when: [customer.tier >= 4, customer.exceptions_90d < 2, item_price * 2 < 500,
           days_since_purchase <= long_window_days, 'coalesce(request.packaging_intact, false)']
    outcome: approve
    remedy: store_credit
    authority: supervisor"""
        )
    levers = [
        f"""
  - id: lever-{i}
    title: A gesture with a long title, number {i}
    when: [customer.tier >= 3, item_price * 2 > {i}]
    caps: {{associate: 10, supervisor: 25, store_manager: 50}}"""
        for i in range(9)
    ]
    text = f"""
policy: oversized
version: "1"
title: A policy with far too much in it
description: {long}
applies_to: [return]
roles: [associate, supervisor, store_manager]
params: {{window_days: 30, long_window_days: 120}}
rules:{"".join(rules)}
levers:{"".join(levers)}
"""
    return flexpolicy.Policy.from_yaml(text, file="oversized.yaml")


def test_an_oversized_policy_is_trimmed_with_and_n_more() -> None:
    policy = _oversized_policy()
    for audience in AUDIENCES:
        summary = summarize(policy, audience=audience)
        more = {section.key: section.more for section in summary.sections}
        for key in ("standard", "flexible", "gestures", *(["no"] if audience == "staff" else [])):
            assert more[key] > 0, more  # customers never see these nos: nothing to cut
        assert more.get("approvals", 0) == 0  # the ladder is never cut
        assert to_markdown(summary).count("more.") >= 3
        assert len(summary.intro) <= 480


def test_html_is_self_contained_and_escaped() -> None:
    policy = flexpolicy.Policy.from_yaml(
        """
policy: escapes
version: "1"
title: Returns <script>alert(1)</script> & "more"
description: Fish & chips <b>bold</b> 'quoted'.
applies_to: [return]
roles: [associate, supervisor]
rules:
  - id: rule-a
    title: Ours <em>only</em>
    kind: flex
    bends: [default]
    when: request.store_at_fault
    outcome: approve
    remedy: refund
""",
        file="escapes.yaml",
    )
    for audience in AUDIENCES:
        page = to_html(summarize(policy, audience=audience))
        assert page.startswith("<!DOCTYPE html>")
        for tag in ("<script", "<em>", "<b>"):
            assert tag not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;" in page
        assert "Fish &amp; chips &lt;b&gt;bold&lt;/b&gt; &#x27;quoted&#x27;." in page
        for external in ("http://", "https://", "src=", "href=", "@import", "url(", "<link"):
            assert external not in page
        assert "@page" in page
        assert "@media print" in page


# -- paper ------------------------------------------------------------------------------------

SIZES = ("A4", "letter")
INSTALL_HINT = (
    "headless Chromium is needed to check that `flexpolicy doc --format html` prints on one "
    "page: run `sudo scripts/chromium.sh` (Debian: apt-get install chromium), or set "
    "FLEXPOLICY_CHROMIUM to a Chromium or Chrome binary"
)


def _chromium() -> str | None:
    configured = os.environ.get("FLEXPOLICY_CHROMIUM")
    if configured:
        return configured
    names = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
    return next((found for name in names if (found := shutil.which(name))), None)


def _count_pages(pdf: bytes) -> int:
    """Pages of a PDF: `/Type /Page` objects, cross-checked with the page tree's `/Count`."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    if counts:
        assert max(counts) == pages, f"page objects {pages}, /Count {max(counts)}"
    return pages


def _print(browser: str, html: str, size: str, work: Path) -> int:
    page = html.replace("</head>", f"<style>@page {{ size: {size}; }}</style></head>", 1)
    source = work / "summary.html"
    source.write_text(page, encoding="utf-8")
    out = work / "summary.pdf"
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={work / 'profile'}",  # one profile per browser, so they run in parallel
        f"--print-to-pdf={out}",
        "--no-pdf-header-footer",
        source.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, timeout=90, check=False)
    assert out.exists(), f"no PDF from {browser}: {run.stderr.decode(errors='replace')[-800:]}"
    return _count_pages(out.read_bytes())


@pytest.fixture(scope="module")
def printed() -> Iterator[dict[tuple[str, str, str], int]]:
    """Pages per (policy, audience, paper), all printed up front, a few browsers at a time."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium on CI: {INSTALL_HINT}", pytrace=False)
        pytest.skip(f"no Chromium: {INSTALL_HINT}")
    summaries: dict[str, PolicySummary] = {}
    for path in POLICY_FILES:
        policy = flexpolicy.load_policy(path)
        for audience in AUDIENCES:
            summaries[f"{path.stem}-{audience}"] = summarize(policy, audience=audience)
    for audience in AUDIENCES:
        summaries[f"oversized-{audience}"] = summarize(_oversized_policy(), audience=audience)
    with (
        tempfile.TemporaryDirectory(prefix="flexpolicy-doc-") as tmp,
        ThreadPoolExecutor(4) as pool,
    ):
        jobs = {}
        for i, (name, summary) in enumerate(summaries.items()):
            html = to_html(summary)
            for size in SIZES:
                work = Path(tmp) / f"{i}-{size}"
                work.mkdir()
                jobs[(name, summary.audience, size)] = pool.submit(
                    _print, browser, html, size, work
                )
        yield {key: job.result() for key, job in jobs.items()}


PRINTED = [
    *(f"{path.stem}-{audience}" for path in POLICY_FILES for audience in AUDIENCES),
    "oversized-staff",
    "oversized-customer",
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PRINTED)
def test_summary_prints_on_exactly_one_page(
    printed: dict[tuple[str, str, str], int], name: str, size: str
) -> None:
    audience = name.rsplit("-", 1)[1]
    assert printed[(name, audience, size)] == 1


def test_page_counter_counts_pages() -> None:
    one = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >> << /Type /Page /Parent 2 0 R >>"
    two = b"<</Type/Pages/Count 2/Kids[3 0 R 4 0 R]>> <</Type/Page>> <</Type /Page/Parent 2 0 R>>"
    assert _count_pages(one) == 1
    assert _count_pages(two) == 2
