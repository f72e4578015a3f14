"""Write `docs/tutorial.ipynb` from `docs/tutorial.md` (the Markdown file is the source).

    python tools/make_notebook.py            # regenerate the notebook
    python tools/make_notebook.py --check    # exit 1 if the notebook is out of date (CI does this)

Each ```python block becomes a code cell, everything between them a Markdown cell, in order; the
output is deterministic (no outputs, numbered cell ids), so regenerating an unchanged tutorial
gives the same bytes and `tests/test_notebook.py` can tell when the two drift apart. Edit the
Markdown, then rerun this script; do not edit the notebook by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "tutorial.md"
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"

_FENCE = re.compile(r"^```(\S*)\s*$")
NOTE = (
    "*This notebook is generated from [`tutorial.md`](tutorial.md) by `tools/make_notebook.py`; "
    "edit the Markdown file, not this one.*"
)


def split_cells(markdown: str) -> list[tuple[str, str]]:
    """(kind, source) pairs: "code" for each ```python block, "markdown" for the text between."""
    cells: list[tuple[str, str]] = []
    text: list[str] = []
    lines = markdown.splitlines()
    i = 0

    def flush() -> None:
        body = "\n".join(text).strip("\n")
        if body.strip():
            cells.append(("markdown", body))
        text.clear()

    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            text.append(lines[i])
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        if end == len(lines):
            raise ValueError(f"{SOURCE.name}: unclosed code fence opened at line {i + 1}")
        if match.group(1) == "python":
            flush()
            cells.append(("code", "\n".join(lines[i + 1 : end]).strip("\n")))
        else:  # other fences (bash, text) stay part of the prose
            text.extend(lines[i : end + 1])
        i = end + 1
    flush()
    return cells


def _lines(source: str) -> list[str]:
    """Jupyter's on-disk form of a cell's source: a list of lines, each but the last ending in \\n."""
    parts = source.split("\n")
    return [line + "\n" for line in parts[:-1]] + [parts[-1]]


def notebook(markdown: str) -> dict[str, Any]:
    """The nbformat 4.5 notebook (as a dict) for a Markdown tutorial."""
    cells: list[dict[str, Any]] = []
    for k, (kind, source) in enumerate([("markdown", NOTE), *split_cells(markdown)]):
        cell: dict[str, Any] = {"cell_type": kind, "id": f"cell-{k:02d}", "metadata": {}}
        cell["source"] = _lines(source)
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(markdown: str) -> str:
    """The notebook file's exact text (stable key order, one-space indent, final newline)."""
    return json.dumps(notebook(markdown), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Write docs/tutorial.ipynb from docs/tutorial.md.")
    p.add_argument("--check", action="store_true", help="exit 1 if the notebook is out of date")
    args = p.parse_args(argv)
    expected = notebook_text(SOURCE.read_text(encoding="utf-8"))
    if args.check:
        if not NOTEBOOK.is_file() or NOTEBOOK.read_text(encoding="utf-8") != expected:
            stale = NOTEBOOK.relative_to(ROOT)
            print(f"{stale} is out of date: run `python tools/make_notebook.py`", file=sys.stderr)
            return 1
        return 0
    NOTEBOOK.write_text(expected, encoding="utf-8")
    print(f"wrote {NOTEBOOK.relative_to(ROOT)} from {SOURCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
