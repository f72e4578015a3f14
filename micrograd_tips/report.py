"""Demo results: the summary table each demo prints and the tour's HTML report.

Every demo returns a `DemoResult`: its numbers next to the lecture's, the figures it saved, a
one-line conclusion and the `checks` the test suite asserts on (the *shape* the lecture predicts).
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DemoResult", "Row", "format_table", "write_index", "atomic_write_text"]


@dataclass(frozen=True)
class Row:
    """One line of a demo's table: what was measured, our number, the lecture's (if it gives one)."""

    quantity: str
    ours: str
    lecture: str = ""


@dataclass
class DemoResult:
    """What a demo produced. `checks` holds the numbers the tests compare (not shown to readers)."""

    name: str
    title: str
    section: str
    rows: list[Row] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    conclusion: str = ""
    checks: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, quantity: str, ours: object, lecture: str = "") -> None:
        """Append a table row; floats are shown with 4 significant digits."""
        text = f"{ours:.4g}" if isinstance(ours, float) else str(ours)
        self.rows.append(Row(quantity, text, lecture))

    def summary(self) -> str:
        """The plain-text summary printed at the end of the demo."""
        head = f"== {self.title}  [lecture {self.section}]  ({self.seconds:.1f} s)"
        lines = [head, format_table(self.rows)]
        if self.figures:
            lines.append("figures: " + ", ".join(str(f) for f in self.figures))
        lines.append(f"=> {self.conclusion}")
        return "\n".join(lines)


def format_table(rows: Sequence[Row]) -> str:
    """Rows as an aligned three-column text table."""
    table = [("quantity", "ours", "lecture")] + [(r.quantity, r.ours, r.lecture) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(3)]
    out = []
    for k, line in enumerate(table):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def atomic_write_text(path: Path, text: str) -> Path:
    """Write text to `path` via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; border: 1px solid #eee; margin: .3rem 0; }
.conclusion { font-weight: 600; }
nav a { margin-right: .8rem; }
"""


def write_index(results: Sequence[DemoResult], out_dir: Path, title: str = "Tips for Training DNN") -> Path:
    """Write `out_dir/index.html`: per demo its table (ours vs lecture), figures and conclusion.

    Figure paths are written relative to `out_dir`; a figure that does not exist raises
    FileNotFoundError rather than producing a broken page.
    """
    out_dir = Path(out_dir)
    esc = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
        f"<style>{_CSS}</style></head><body><h1>{esc(title)} — reproduced with micrograd_tips</h1>",
        "<nav>" + "".join(f"<a href='#{esc(r.name)}'>{esc(r.name)}</a>" for r in results) + "</nav>",
    ]
    for r in results:
        parts.append(f"<section id='{esc(r.name)}'><h2>{esc(r.title)}</h2>")
        parts.append(f"<p>Lecture section {esc(r.section)} · {r.seconds:.1f} s</p>")
        parts.append("<table><tr><th>quantity</th><th>ours</th><th>lecture</th></tr>")
        for row in r.rows:
            parts.append(
                f"<tr><td>{esc(row.quantity)}</td><td>{esc(row.ours)}</td><td>{esc(row.lecture)}</td></tr>"
            )
        parts.append("</table>")
        for fig in r.figures:
            fig = Path(fig)
            if not fig.is_file():
                raise FileNotFoundError(f"demo {r.name!r} lists a figure that does not exist: {fig}")
            rel = os.path.relpath(fig.resolve(), out_dir.resolve())
            parts.append(f"<div><img src='{esc(rel)}' alt='{esc(fig.stem)}'></div>")
        parts.append(f"<p class='conclusion'>{esc(r.conclusion)}</p></section>")
    parts.append("</body></html>")
    return atomic_write_text(out_dir / "index.html", "\n".join(parts))
