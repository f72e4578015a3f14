"""The README's numbers and pictures are the committed run's: docs/results.json → README, docs/images.

`python tools/update_readme.py` writes them; these tests fail when someone edits a number by
hand, when the results file changes without regenerating the README, or when the README's first
example and its picture stop describing the same graph.
"""

from __future__ import annotations

import copy
import difflib
import html
import importlib.util
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from micrograd_tips.cli import example_neuron
from micrograd_tips.viz import draw_dot

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_tool_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


update = tool("update_readme")


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    return update.load()


def test_readme_numbers_are_those_of_docs_results_json(results: dict[str, object]) -> None:
    readme = README.read_text(encoding="utf-8")
    expected = update.generated_readme(readme, results)
    if expected != readme:
        diff = "\n".join(difflib.unified_diff(readme.splitlines(), expected.splitlines(), lineterm="", n=0))
        pytest.fail(
            f"README.md differs from docs/results.json; run `python tools/update_readme.py`:\n{diff[:3000]}"
        )


def test_a_number_edited_by_hand_is_caught(results: dict[str, object]) -> None:
    """The check above can fail: change one digit of a measured number and it does."""
    readme = update.generated_readme(README.read_text(encoding="utf-8"), results)
    start = readme.index(update.BEGIN)
    match = re.compile(r"\d").search(readme, readme.index("| demo |", start))
    assert match is not None
    digit = match.group()
    edited = readme[: match.start()] + str((int(digit) + 1) % 10) + readme[match.end() :]
    assert update.generated_readme(edited, results) != edited
    # and a changed result (not the README) is caught too
    changed = copy.deepcopy(results)
    changed["demos"][0]["conclusion"] += " (changed)"  # type: ignore[index]
    assert update.generated_readme(readme, changed) != readme


def test_every_measured_row_is_in_the_readme(results: dict[str, object]) -> None:
    readme = README.read_text(encoding="utf-8")
    for demo in results["demos"]:  # type: ignore[attr-defined]
        assert f"`{demo['name']}`" in readme
        for row in demo["rows"]:
            assert update._cell(row["ours"]) in readme, (demo["name"], row)


def test_the_committed_results_are_a_full_seed_0_run(results: dict[str, object]) -> None:
    assert results["quick"] is False, "docs/results.json must come from a full run (not --quick)"
    assert results["seed"] == 0
    assert results["machine"]["summary"]  # type: ignore[index]
    names = [d["name"] for d in results["demos"]]  # type: ignore[attr-defined]
    from micrograd_tips.cli import DEMOS

    assert names == list(DEMOS), "docs/results.json lacks a demo: rerun the tour"


def test_every_picture_the_readme_shows_exists() -> None:
    readme = README.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert pictures
    for picture in pictures:
        assert (ROOT / picture).is_file(), picture


def _svg_texts(svg: str) -> set[str]:
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return {re.sub(r"\s+", " ", html.unescape(t)).strip() for t in texts}


def test_the_readme_example_draws_its_picture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README's first example, `micrograd-tips graph` and docs/images/neuron.svg: one graph."""
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"## A first example\s+```python\n(.*?)```", readme, re.S)
    assert block, "the README's first example is gone"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__readme__"}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    a, nodes = example_neuron()
    assert draw_dot(namespace["a"]).source == draw_dot(a).source
    labels = {node.label for node in nodes.values() if node.label}
    assert labels >= {"x1", "x2", "w1", "w2", "b"}
    picture = _svg_texts((ROOT / "docs/images/neuron.svg").read_text(encoding="utf-8"))
    drawn = _svg_texts(Path(os.fspath(tmp_path / "neuron.svg")).read_text(encoding="utf-8"))
    assert picture == drawn, sorted(picture ^ drawn)
    assert labels <= picture, labels - picture


def test_the_generated_section_is_built_from_the_rows() -> None:
    demo = {
        "name": "dropout",
        "title": "Dropout",
        "section": "B3 dropout",
        "seconds": 12.3,
        "rows": [{"quantity": "gap a|b", "ours": "11.7%", "lecture": "smaller"}],
        "figures": ["dropout/dropout_accuracy.png"],
        "conclusion": "the gap\nshrinks",
    }
    machine = {"summary": "2 cores (CPU X), Linux x86_64, Python 3.11"}
    data = {"quick": True, "seed": 3, "seconds": 61.7, "machine": machine, "demos": [demo]}
    block = update.results_block(data)
    assert "`--quick` run, seed 3: 62 s on 2 cores (CPU X)" in block
    assert "| `dropout` (B3) |" in block and "| the gap shrinks |" in block
    assert "| gap a\\|b | 11.7% | smaller |" in block  # a | inside a cell is escaped
    assert "**Lecture B3** (`dropout`)" in block and "docs/images/dropout_accuracy.png" in block
    assert "docs/images/weight_histograms.png" not in block  # only the demos in the file
    assert update._section("A1, A2") == "A1, A2" and update._section("0 (recipe)") == "0"
    data["readme"] = {"install_seconds": 52.8, "quick_seconds": 43}
    assert update.tour_timing(data) == (
        "all demos on real MNIST: 62 s after a 53-second install, measured on 2 cores (CPU X), "
        "Linux x86_64, Python 3.11; add `--quick` for a 43-second version"
    )
