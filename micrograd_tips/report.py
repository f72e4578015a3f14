"""Demo results: the summary table each demo prints, the tour's HTML report and its numbers.

Every demo returns a `DemoResult`: its numbers next to the lecture's, the figures it saved, a
one-line conclusion and the `checks` the test suite asserts on (the *shape* the lecture predicts).
The tour writes them twice: `index.html` for people (each figure once: the PNG inline, the SVG
as a link, captioned with its lecture section) and `results.json` for programs (every row and
check, the seconds, the seed, the quick flag and the machine), from which the README's results
table is generated (`tools/update_readme.py`).
"""

from __future__ import annotations

import datetime
import html
import json
import os
import platform
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__

__all__ = [
    "DemoResult",
    "Row",
    "atomic_write_text",
    "format_table",
    "machine_description",
    "read_results",
    "write_index",
    "write_results",
]

RESULTS_SCHEMA = 1


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
    seed: int | None = None  # set by the runner (cli.run_timed)
    quick: bool | None = None

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

    def to_dict(self, relative_to: Path | None = None) -> dict[str, Any]:
        """A JSON-ready dict; figure paths relative to `relative_to` (POSIX separators) if given."""

        def path(p: Path) -> str:
            p = Path(p)
            if relative_to is not None:
                p = Path(os.path.relpath(p.resolve(), Path(relative_to).resolve()))
            return p.as_posix()

        return {
            "name": self.name,
            "title": self.title,
            "section": self.section,
            "seconds": round(self.seconds, 2),
            "seed": self.seed,
            "quick": self.quick,
            "rows": [{"quantity": r.quantity, "ours": r.ours, "lecture": r.lecture} for r in self.rows],
            "figures": [path(f) for f in self.figures],
            "conclusion": self.conclusion,
            "checks": {k: float(v) for k, v in self.checks.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Path | None = None) -> DemoResult:
        """The inverse of `to_dict`; relative figure paths are taken relative to `base`."""
        figures = [Path(base) / f if base is not None else Path(f) for f in data.get("figures", [])]
        return cls(
            name=data["name"],
            title=data["title"],
            section=data["section"],
            rows=[Row(r["quantity"], r["ours"], r.get("lecture", "")) for r in data.get("rows", [])],
            figures=figures,
            conclusion=data.get("conclusion", ""),
            checks=dict(data.get("checks", {})),
            seconds=float(data.get("seconds", 0.0)),
            seed=data.get("seed"),
            quick=data.get("quick"),
        )


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


def _cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo; elsewhere platform.processor())."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_description() -> dict[str, Any]:
    """Where a run was measured: OS, CPU model, the cores this process may use, Python, NumPy."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        import numpy

        numpy_version: str | None = numpy.__version__
    except ImportError:
        numpy_version = None
    cpu = _cpu_model()
    python = platform.python_version()
    summary = f"{cores} cores ({cpu}), {platform.system()} {platform.machine()}, Python {python}"
    return {
        "summary": summary,
        "cores": cores,
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": python,
        "numpy": numpy_version,
    }


def write_results(
    results: Sequence[DemoResult], out_dir: Path, *, quick: bool, seed: int, seconds: float
) -> Path:
    """Write `out_dir/results.json`: every demo's rows, checks, figures and seconds, and the machine.

    `seconds` is the tour's wall-clock time (the demos' own times are in each entry). Figure
    paths are relative to `out_dir`, so the file and its figures can be copied together.
    """
    out_dir = Path(out_dir)
    data = {
        "schema": RESULTS_SCHEMA,
        "package_version": __version__,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "micrograd-tips tour"
        + (" --quick" if quick else "")
        + (f" --seed {seed}" if seed else ""),
        "quick": quick,
        "seed": seed,
        "seconds": round(seconds, 1),
        "machine": machine_description(),
        "demos": [r.to_dict(relative_to=out_dir) for r in results],
    }
    return atomic_write_text(out_dir / "results.json", json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def read_results(path: Path) -> dict[str, Any]:
    """Load a results.json, checking its schema version; ``data["demos"]`` lists dicts (see `to_dict`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("schema") != RESULTS_SCHEMA or "demos" not in data:
        raise ValueError(f"{path}: not a micrograd-tips results file (schema {RESULTS_SCHEMA})")
    return data


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: .9rem; }
.conclusion { font-weight: 600; }
.run { color: #555; }
nav a { margin-right: .8rem; }
"""

# The format shown inline, by preference; the others are linked under the picture.
_INLINE_ORDER = (".png", ".svg", ".jpg", ".jpeg")


def _figure_groups(figures: Sequence[Path]) -> list[list[Path]]:
    """Figures grouped by file stem (same picture in PNG and SVG), in first-seen order."""
    groups: dict[Path, list[Path]] = {}
    for fig in figures:
        fig = Path(fig)
        groups.setdefault(fig.with_suffix(""), []).append(fig)
    return list(groups.values())


def _inline_first(group: list[Path]) -> list[Path]:
    """The group with the file to show inline first (PNG, else SVG, …), the others after it."""
    rank = {suffix: k for k, suffix in enumerate(_INLINE_ORDER)}
    return sorted(group, key=lambda p: rank.get(p.suffix.lower(), len(rank)))


def _run_line(results: Sequence[DemoResult]) -> str:
    seeds = sorted({r.seed for r in results if r.seed is not None})
    quick = {r.quick for r in results if r.quick is not None}
    parts = [f"micrograd_tips {__version__}"]
    if seeds:
        parts.append("seed " + ", ".join(map(str, seeds)))
    if quick:
        parts.append(
            "quick mode (small sizes)" if quick == {True} else "full run" if quick == {False} else ""
        )
    parts.append(f"{sum(r.seconds for r in results):.0f} s on {machine_description()['summary']}")
    return " · ".join(p for p in parts if p)


def write_index(results: Sequence[DemoResult], out_dir: Path, title: str = "Tips for Training DNN") -> Path:
    """Write `out_dir/index.html`: per demo its table (ours vs lecture), figures and conclusion.

    Each figure appears once: its PNG inline (else its SVG), the other formats of the same
    picture as links, and a caption naming the demo's lecture section. Figure paths are written
    relative to `out_dir`; a figure that does not exist raises FileNotFoundError rather than
    producing a broken page.
    """
    out_dir = Path(out_dir)
    esc = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)} — reproduced with micrograd_tips</h1>",
        f"<p class='run'>{esc(_run_line(results))}</p>",
        "<nav>" + "".join(f"<a href='#{esc(r.name)}'>{esc(r.name)}</a>" for r in results) + "</nav>",
    ]
    for number, r in enumerate(results, start=1):
        parts.append(f"<section id='{esc(r.name)}'><h2>{number}. {esc(r.title)}</h2>")
        parts.append(f"<p>Lecture section {esc(r.section)} · {r.seconds:.1f} s</p>")
        parts.append("<table><tr><th>quantity</th><th>ours</th><th>lecture</th></tr>")
        for row in r.rows:
            parts.append(
                f"<tr><td>{esc(row.quantity)}</td><td>{esc(row.ours)}</td><td>{esc(row.lecture)}</td></tr>"
            )
        parts.append("</table>")
        for k, group in enumerate(_figure_groups(r.figures), start=1):
            for fig in group:
                if not fig.is_file():
                    raise FileNotFoundError(f"demo {r.name!r} lists a figure that does not exist: {fig}")
            shown, *others = _inline_first(group)
            rel = [
                os.path.relpath(f.resolve(), out_dir.resolve()).replace(os.sep, "/") for f in (shown, *others)
            ]
            links = "".join(
                f" · <a href='{esc(href)}'>{esc(f.suffix[1:].upper())}</a>"
                for f, href in zip(others, rel[1:])
            )
            caption = f"Figure {number}.{k}: {esc(shown.stem)} — lecture {esc(r.section)}{links}"
            parts.append(
                f"<figure><img src='{esc(rel[0])}' alt='{esc(shown.stem)} (lecture {esc(r.section)})' "
                f"loading='eager'><figcaption>{caption}</figcaption></figure>"
            )
        parts.append(f"<p class='conclusion'>{esc(r.conclusion)}</p></section>")
    parts.append("</body></html>")
    return atomic_write_text(out_dir / "index.html", "\n".join(parts))
