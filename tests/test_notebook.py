"""The tutorial as a Jupyter notebook: in sync with docs/tutorial.md, and run by a real kernel.

`docs/tutorial.ipynb` is generated from `docs/tutorial.md` by `tools/make_notebook.py`. Here it is
executed with nbclient and ipykernel (the `test` extra) with no system Graphviz on PATH, and every
graph a cell displays must arrive inline as SVG (drawn by graphviz-pure).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_tool_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


make_notebook = tool("make_notebook")


def test_the_notebook_is_generated_from_the_tutorial() -> None:
    markdown = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert NOTEBOOK.read_text(encoding="utf-8") == make_notebook.notebook_text(markdown), (
        "docs/tutorial.ipynb is out of date: run `python tools/make_notebook.py`"
    )


def test_every_python_block_is_a_code_cell_in_order() -> None:
    markdown = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    blocks = markdown.split("```python\n")[1:]
    assert len(code) == len(blocks)
    for cell, block in zip(code, blocks):
        assert block.split("\n```")[0].strip("\n") == cell
    prose = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    outside_code = re.sub(r"```python\n.*?\n```", "", markdown, flags=re.S)
    for heading in re.findall(r"^#{1,4} .*$", outside_code, re.M):
        assert heading in prose


def test_the_generator_keeps_other_fences_as_prose() -> None:
    cells = make_notebook.split_cells("Intro\n\n```bash\nls\n```\n\n```python\nx = 1\n```\nEnd\n")
    assert cells == [("markdown", "Intro\n\n```bash\nls\n```"), ("code", "x = 1"), ("markdown", "End")]
    with pytest.raises(ValueError, match="unclosed"):
        make_notebook.split_cells("```python\nx = 1\n")


def _path_without_dot() -> str:
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "dot").exists())


@pytest.mark.slow
def test_the_notebook_runs_in_a_kernel_and_shows_graphs_inline_as_svg(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    tutorial_cells = len(notebook.cells)
    # Two extra cells, only in this test: the kernel has no system Graphviz, and a graph at the end
    # of a cell is displayed inline (as a reader of the notebook would do with any graph).
    notebook.cells.insert(
        0, nbformat.v4.new_code_cell("import shutil\nassert shutil.which('dot') is None, shutil.which('dot')")
    )
    notebook.cells.append(nbformat.v4.new_code_cell("from micrograd_tips import draw_dot\ndraw_dot(a)"))
    env = dict(os.environ, PATH=_path_without_dot())
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute(env=env)
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"a notebook cell failed:\n{str(error)[-3000:]}")
    assert shutil.which("dot", path=env["PATH"]) is None
    svgs = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            data = output.get("data", {})
            if "image/svg+xml" in data:
                svgs.append(data["image/svg+xml"])
            assert "image/png" not in data or "image/svg+xml" in data  # graphs come as SVG
    assert svgs, "no graph was displayed inline"
    assert all("<svg" in svg for svg in svgs)
    assert "w1" in svgs[-1] and "tanh" in svgs[-1]
    assert len(notebook.cells) == tutorial_cells + 2
    assert (tmp_path / "neuron.svg").is_file()  # the tutorial's own render() wrote into the notebook's folder
