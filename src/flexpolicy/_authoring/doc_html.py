"""The page of `flexpolicy doc`: the summary's form, fitting it on one sheet, and its HTML.

`doc` decides what to say; this module owns everything about the page it is said on.

Why one page: the summary is pinned by the till or handed to a customer, and a second sheet
is the one that gets lost.  So the summary is fitted before it is rendered: each bullet's
printed lines are estimated (characters per line measured on A4's width at the print font
size, lines per page on Letter's height), and while the estimate is over the page, the
longest section gives up its last bullet to an "and N more" line.  The ladder of roles is
never cut.  `tests/authoring/test_doc.py` prints every shipped policy, and an oversized one, on A4
and on Letter with headless Chromium and checks each is exactly one page.

Why self-contained HTML: the page must open anywhere (no network, no fonts or scripts to
fetch, no JavaScript) and print cleanly.  The CSS sets margins with `@page` but no paper
size, so it prints on whatever the printer holds; the layout is sized for the smaller of A4
and Letter in each direction (A4's 210 mm width, Letter's 279 mm height).  Every piece of
text is HTML-escaped; the only markup a summary carries is backtick `code` spans (rule ids,
for staff), turned into `<code>` after escaping.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from .._explain.words import Audience

__all__ = ["Audience", "Bullet", "PolicySummary", "Section", "fit", "lead_in", "to_html"]

MAX_BULLETS = {"standard": 6, "no": 6, "flexible": 5, "approvals": 4, "gestures": 4}
MAX_INTRO = 480  # characters of the policy's description
# Measured with headless Chromium: characters in a printed line of 9.5pt text on A4's width,
# and the estimated lines that fit on Letter's height (the real page holds about 57).
CHARS_PER_LINE = 92
PAGE_LINES = 54


@dataclass(frozen=True, slots=True)
class Bullet:
    """One short sentence; `label` is a bold lead-in (a rule or lever title).

    Text may contain `code` spans (rule ids, for staff); renderers style them.
    """

    text: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # "standard" | "no" | "flexible" | "approvals" | "gestures"
    heading: str
    bullets: tuple[Bullet, ...]
    lead: str | None = None
    more: int = 0  # bullets left out to keep to one page


@dataclass(frozen=True, slots=True)
class PolicySummary:
    policy_id: str
    version: str
    audience: Audience
    title: str
    intro: str
    sections: tuple[Section, ...]
    footer: str


def section(key: str, heading: str, bullets: list[Bullet], lead: str | None) -> Section:
    """A section of at most `MAX_BULLETS[key]` bullets, the rest counted in `more`."""
    limit = MAX_BULLETS[key]
    if len(bullets) > limit:
        return Section(key, heading, tuple(bullets[: limit - 1]), lead, len(bullets) - limit + 1)
    return Section(key, heading, tuple(bullets), lead)


def intro(text: str | None) -> str:
    """The description on one line, cut at a sentence end if it is too long for the page."""
    text = " ".join((text or "").split())
    if len(text) <= MAX_INTRO:
        return text
    cut = text[:MAX_INTRO]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 0 else cut.rsplit(" ", 1)[0] + "…"


def _lines(text: str | None) -> int:
    return -(-len(text or "") // CHARS_PER_LINE)


def height(intro: str, sections: tuple[Section, ...]) -> float:
    """Estimated printed lines: title and footer, then each heading, lead, bullet and "more"."""
    total = 6.0 + _lines(intro)
    for s in sections:
        total += 2.2 + _lines(s.lead) + (s.more > 0)
        total += sum(_lines(f"{b.label or ''} {b.text}") + 0.15 for b in s.bullets)
    return total


def fit(intro: str, sections: tuple[Section, ...]) -> tuple[Section, ...]:
    """Move bullets into "and N more", longest section first, until the page is full."""
    while height(intro, sections) > PAGE_LINES:
        trimmable = [s for s in sections if s.key != "approvals"]  # the ladder stays whole
        longest = max(trimmable, key=lambda s: sum(_lines(b.text) for b in s.bullets[1:]))
        if len(longest.bullets) < 2:
            break  # one bullet per section always fits; nothing sensible left to cut
        cut = replace(longest, bullets=longest.bullets[:-1], more=longest.more + 1)
        sections = tuple(cut if s is longest else s for s in sections)
    return sections


_CSS = """
@page { margin: 12mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; background: #f4f4f1; color: #1d1d1b;
  font: 10.5pt/1.42 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
    "DejaVu Sans", Arial, sans-serif;
}
main {
  max-width: 180mm; margin: 10mm auto; padding: 12mm 14mm; background: #fff;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .15);
}
header { border-bottom: 2pt solid #2b5c8a; padding-bottom: 2.5mm; margin-bottom: 1mm; }
h1 { font-size: 19pt; line-height: 1.15; margin: 0 0 1.5mm; color: #1f3f5f; }
.audience {
  display: inline-block; font-size: 8pt; letter-spacing: .06em; text-transform: uppercase;
  color: #2b5c8a; border: .6pt solid #2b5c8a; border-radius: 2pt; padding: 0 1.5mm;
  margin-bottom: 1.5mm;
}
.intro { margin: 0; font-size: 10.5pt; }
h2 {
  font-size: 11.5pt; margin: 4mm 0 1.2mm; color: #1f3f5f;
  border-bottom: .5pt solid #c9d3dc; padding-bottom: .5mm; break-after: avoid;
}
.lead { margin: 0 0 1mm; color: #4a4a46; font-size: 9.5pt; }
ul { margin: 0; padding-left: 5mm; }
li { margin: .6mm 0; break-inside: avoid; }
li.more { list-style: none; margin-left: -5mm; color: #5a5a55; font-style: italic; }
code {
  font: .82em ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  color: #5b5b57; background: #f0f0ec; border-radius: 1.5pt; padding: 0 .8mm;
  white-space: nowrap;
}
footer {
  margin-top: 4mm; padding-top: 1.5mm; border-top: .5pt solid #c9d3dc;
  font-size: 8.5pt; color: #5a5a55;
}
@media print {
  body { background: none; font-size: 9.5pt; line-height: 1.3; }
  h1 { font-size: 17pt; }
  h2 { font-size: 11pt; margin-top: 3mm; }
  li { margin: .4mm 0; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
}
"""


def lead_in(label: str) -> str:
    """A bold lead-in ends with a full stop unless the author gave it punctuation."""
    return label if label[-1:] in ".!?:" else label + "."


def _inline(text: str) -> str:
    """Escape `text`, turning balanced backtick spans into `<code>`."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: show them as written
        return escape(text)
    return "".join(
        f"<code>{escape(piece)}</code>" if i % 2 else escape(piece)
        for i, piece in enumerate(pieces)
    )


def to_html(summary: PolicySummary) -> str:
    """The summary as one self-contained, printable HTML page (see the module docstring)."""
    who = "For staff" if summary.audience == "staff" else "For customers"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="flexpolicy doc ({escape(summary.policy_id)})">',
        f"<title>{escape(summary.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f'<div class="audience">{who}</div>',
        f"<h1>{escape(summary.title)}</h1>",
    ]
    if summary.intro:
        out.append(f'<p class="intro">{_inline(summary.intro)}</p>')
    out.append("</header>")
    for section in summary.sections:
        out.append(f'<section class="{escape(section.key)}">')
        out.append(f"<h2>{escape(section.heading)}</h2>")
        if section.lead:
            out.append(f'<p class="lead">{_inline(section.lead)}</p>')
        out.append("<ul>")
        for bullet in section.bullets:
            label = f"<strong>{escape(lead_in(bullet.label))}</strong> " if bullet.label else ""
            out.append(f"<li>{label}{_inline(bullet.text)}</li>")
        if section.more:
            out.append(f'<li class="more">…and {section.more} more.</li>')
        out.append("</ul>")
        out.append("</section>")
    out += [f"<footer>{_inline(summary.footer)}</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
