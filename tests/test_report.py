"""The tour's report: each figure once, captions with the lecture section, results.json, a real browser."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import struct
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

from micrograd_tips import cli
from micrograd_tips.report import (
    DemoResult,
    Row,
    format_table,
    machine_description,
    read_results,
    write_index,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> ModuleType:
    """Import tools/<name>.py (the tools are scripts, not part of the package)."""
    spec = importlib.util.spec_from_file_location(f"_tool_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def png(path: Path, width: int = 3, height: int = 2) -> Path:
    """A valid grey PNG written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def svg(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<svg xmlns='http://www.w3.org/2000/svg' width='3' height='2'/>", encoding="utf-8")
    return path


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.captions: list[str] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(str(values["src"]))
        if tag == "a" and not str(values.get("href", "#")).startswith("#"):
            self.links.append(str(values["href"]))
        if tag == "figcaption":
            self._in_caption = True
            self.captions.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.captions[-1] += data


def two_demos(folder: Path) -> list[DemoResult]:
    a = DemoResult(
        "vanishing",
        "A <b>title</b> to escape",
        "A1",
        rows=[Row("acc", "0.9", "0.945")],
        figures=[
            png(folder / "vanishing/depth.png"),
            svg(folder / "vanishing/depth.svg"),
            svg(folder / "vanishing/only.svg"),
        ],
        conclusion="ok",
        seed=0,
        quick=True,
    )
    b = DemoResult(
        "dropout", "Dropout", "B3", figures=[svg(folder / "dropout/gap.svg"), png(folder / "dropout/gap.png")]
    )
    return [a, b]


def test_each_figure_appears_once_png_inline_svg_linked(tmp_path: Path) -> None:
    results = two_demos(tmp_path)
    page = _Page()
    page.feed(write_index(results, tmp_path).read_text(encoding="utf-8"))
    assert sorted(page.images) == ["dropout/gap.png", "vanishing/depth.png", "vanishing/only.svg"]
    assert sorted(page.links) == ["dropout/gap.svg", "vanishing/depth.svg"]
    for src in page.images + page.links:
        assert (tmp_path / src).is_file(), src
    assert len(page.captions) == 3
    assert all("lecture A1" in c for c in page.captions[:2]) and "lecture B3" in page.captions[2]


def test_index_escapes_and_shows_the_table(tmp_path: Path) -> None:
    page = write_index(two_demos(tmp_path), tmp_path).read_text(encoding="utf-8")
    assert "A &lt;b&gt;title&lt;/b&gt; to escape" in page
    assert "<td>acc</td><td>0.9</td><td>0.945</td>" in page
    assert "seed 0" in page


def test_index_refuses_a_missing_figure(tmp_path: Path) -> None:
    broken = DemoResult("x", "x", "A1", figures=[tmp_path / "missing.png"])
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        write_index([broken], tmp_path)
    assert not (tmp_path / "index.html").exists()


def test_format_table_aligns_columns() -> None:
    text = format_table([Row("accuracy", "0.9", "0.945"), Row("n", "10")])
    lines = text.splitlines()
    assert lines[0].split() == ["quantity", "ours", "lecture"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].index("0.9") == lines[0].index("ours")


def test_results_json_round_trips_with_relative_figures(tmp_path: Path) -> None:
    results = two_demos(tmp_path)
    results[0].checks = {"gap": 0.125}
    results[0].seconds = 12.345
    path = write_results(results, tmp_path, quick=True, seed=0, seconds=20.0)
    data = read_results(path)
    assert (data["quick"], data["seed"], data["seconds"]) == (True, 0, 20.0)
    assert data["machine"]["cores"] >= 1 and data["machine"]["summary"]
    first = data["demos"][0]
    assert first["figures"] == ["vanishing/depth.png", "vanishing/depth.svg", "vanishing/only.svg"]
    assert first["rows"] == [{"quantity": "acc", "ours": "0.9", "lecture": "0.945"}]
    again = DemoResult.from_dict(first, base=tmp_path)
    assert again.rows == results[0].rows and again.checks == {"gap": 0.125}
    assert [f.resolve() for f in again.figures] == [f.resolve() for f in results[0].figures]
    # the copy of the folder elsewhere still finds its figures
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    shutil.copytree(tmp_path, moved)
    assert all(f.is_file() for f in DemoResult.from_dict(first, base=moved).figures)


def test_read_results_refuses_another_json(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"demos": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a micrograd-tips results file"):
        read_results(other)


def test_machine_description_counts_the_usable_cores() -> None:
    machine = machine_description()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert machine["cores"] == usable
    assert f"{usable} cores" in machine["summary"]


# ---------------------------------------------------------------------------------------------
# The report in a real browser (Debian's chromium; `.ci/run` installs it)
# ---------------------------------------------------------------------------------------------

check_report = tool("check_report")
needs_browser = pytest.mark.skipif(
    check_report.find_browser() is None, reason="no chromium on PATH (`.ci/run` installs Debian's chromium)"
)


@needs_browser
def test_the_browser_check_catches_a_broken_image(tmp_path: Path) -> None:
    results = two_demos(tmp_path)
    index = write_index(results, tmp_path)
    assert check_report.check_report(index).problems == []
    (tmp_path / "dropout/gap.png").write_bytes(b"not a png")
    problems = check_report.check_report(index).problems
    assert any("dropout/gap.png" in p and "does not decode" in p for p in problems), problems


@needs_browser
@pytest.mark.slow
def test_the_tour_report_loads_cleanly_in_chromium(tmp_path: Path) -> None:
    """The real report of a quick tour: no console errors, every image decodes; screenshot kept."""
    index, data = cli.run_tour(tmp_path, quick=True, seed=0)
    results = read_results(data)
    assert [d["name"] for d in results["demos"]] == list(cli.DEMOS)
    screenshot = ROOT / "out" / "report-screenshot.png"
    seen = check_report.check_report(index, screenshot)
    assert seen.problems == []
    figures = {Path(f).with_suffix("") for d in results["demos"] for f in d["figures"]}
    assert len(seen.images) == len(figures)  # each figure once
    assert seen.screenshot is not None and seen.screenshot.stat().st_size > 10_000


def test_save_figure_never_lets_a_label_run_into_the_next_panel(tmp_path: Path) -> None:
    """The optimizers_surface bug: an annotation of the left panel drawn over the right panel."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(ROOT / "demos"))
    try:
        common = importlib.import_module("_common")
    finally:
        sys.path.remove(str(ROOT / "demos"))
    plt = common.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    for ax in (left, right):
        ax.plot([0, 1], [0, 1])
        ax.set_ylabel("y")
    left.annotate("a long label that leaves its panel", (1, 0.5), (8, 0), textcoords="offset points")
    assert common.overlapping_axes(fig), "the set-up should overlap"
    png_path, svg_path = common.save_figure(fig, tmp_path, "clash")
    assert common.overlapping_axes(fig) == []
    assert png_path.stat().st_size > 0 and svg_path.stat().st_size > 0
