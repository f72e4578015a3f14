"""The command line, the demo registry and the tour's HTML report."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from micrograd_tips import cli
from micrograd_tips.report import DemoResult, Row, format_table, write_index


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.extend(v for k, v in attrs if k == "src" and v)


def test_every_registered_demo_has_its_script_with_a_run_function() -> None:
    folder = cli.demos_dir()
    for name, (filename, about) in cli.DEMOS.items():
        source = (folder / filename).read_text(encoding="utf-8")
        assert "def run(" in source, f"demos/{filename} has no run()"
        assert about, name


def test_list_prints_every_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    printed = capsys.readouterr().out
    for name in cli.DEMOS:
        assert re.search(rf"^{re.escape(name)}\s", printed, re.M), name


def test_unknown_demo_names_the_valid_ones() -> None:
    with pytest.raises(SystemExit, match="choose one of: recipe, vanishing"):
        cli.main(["demo", "no-such-demo", "--out", "unused"])


def test_python_m_draws_the_example_graph(tmp_path: Path) -> None:
    out = tmp_path / "neuron.svg"
    done = subprocess.run(
        [sys.executable, "-m", "micrograd_tips", "graph", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for label in ("x1", "w1", "tanh"):
        assert label in svg


def test_graph_demo_backprop_matches_the_closed_form(tmp_path: Path) -> None:
    result = cli.run_demo("graph", tmp_path, quick=True)
    assert result.checks["neuron_w1_grad_error"] < 1e-12
    # MLP(2, [3, 1]): 3·(2 + 1) + (3 + 1) = 13 parameters; with input (1, −2) and fresh weights
    # at least the output layer's bias must have received a gradient.
    assert result.checks["mlp_grad_nonzero"] >= 1
    for fig in result.figures:
        assert fig.is_file() and fig.stat().st_size > 0


def test_index_html_references_only_existing_files(tmp_path: Path) -> None:
    graph = cli.run_demo("graph", tmp_path, quick=True)
    other = DemoResult("other", "A <b>title</b> to escape", "B3", rows=[Row("q", "1", "2")], conclusion="ok")
    index = write_index([graph, other], tmp_path)
    page = index.read_text(encoding="utf-8")
    parser = _Sources()
    parser.feed(page)
    assert len(parser.images) == len(graph.figures)
    for src in parser.images:
        assert (tmp_path / src).is_file(), src
    assert "A &lt;b&gt;title&lt;/b&gt; to escape" in page
    assert "<td>q</td><td>1</td><td>2</td>" in page


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
