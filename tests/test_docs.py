"""Every ```python block in the docs runs as written, from the repository root.

The examples in `docs/*.md` and `README.md` are part of the contract: each block is
executed in a fresh namespace with the working directory at the repository root, so
paths such as `rules/returns.yaml` resolve as a reader would type them, and the
`assert` lines in the examples double as tests.  A block whose first line is
`# no-test` is collected but skipped (for fragments that need a server, a database
or other setup a reader supplies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SKIP_MARKER = "# no-test"

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*python[ \t]*$")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int  # 1-based line of the opening fence
    code: str

    @property
    def label(self) -> str:
        # `integration.md:42`; the two READMEs are told apart by their folder.
        if self.file.name == "README.md" and self.file.parent == DOCS:
            return f"docs/README.md:{self.line}"
        return f"{self.file.name}:{self.line}"

    @property
    def skipped(self) -> bool:
        first = next((line.strip() for line in self.code.splitlines() if line.strip()), "")
        return first.startswith(SKIP_MARKER)


def doc_files() -> list[Path]:
    files = sorted(DOCS.glob("*.md")) if DOCS.is_dir() else []
    readme = ROOT / "README.md"
    if readme.is_file():
        files.append(readme)
    return files


def python_blocks(path: Path) -> list[Block]:
    """The ```python blocks of a Markdown file, dedented to their fence."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        start = i + 1
        body: list[str] = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence) and set(lines[i].strip()) == {fence[0]}
        ):
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        if i >= len(lines):
            raise AssertionError(f"{path.name}:{start}: ```python block is never closed")
        blocks.append(Block(path, start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def _params() -> list[object]:
    params: list[object] = []
    for path in doc_files():
        for block in python_blocks(path):
            marks = (
                [pytest.mark.skip(reason=f"{block.label} starts with `{SKIP_MARKER}`")]
                if block.skipped
                else []
            )
            params.append(pytest.param(block, id=block.label, marks=marks))
    return params


@pytest.mark.parametrize("block", _params())
def test_doc_example_runs(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = compile(block.code, f"{block.file.relative_to(ROOT)}:{block.line}", "exec")
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(code, namespace)


def test_docs_have_examples() -> None:
    """Guard against a fence change that silently collects nothing."""
    labels = [block.label for path in doc_files() for block in python_blocks(path)]
    assert labels, "no ```python blocks found in docs/*.md or README.md"
    assert len(labels) == len(set(labels))


def test_block_extraction(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text\n\n```python\nx = 1\n```\n\n```yaml\na: 1\n```\n\n"
        "1. A list item:\n\n   ```python\n   # no-test\n   y = 2\n   ```\n",
        encoding="utf-8",
    )
    blocks = python_blocks(page)
    assert [(b.line, b.code, b.skipped) for b in blocks] == [
        (3, "x = 1\n", False),
        (13, "# no-test\ny = 2\n", True),
    ]
