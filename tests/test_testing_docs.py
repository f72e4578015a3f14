"""The testing guide and every docstring example of the testing helpers run, across the default range.

Both run in a fresh Python process: an op name can be defined once per process
(`define_unary`), and the examples name their ops like a user would ("cube", "softplus").
- `docs/testing_your_op.md`: its ```python blocks run in order in one namespace.
- Docstring examples (the indented block after a line ending in "::") of `micrograd_tips.testing.*`
  and of `micrograd_tips.engine`: each block runs; every Hypothesis test it defines (``test_*``) is
  called; and every op it makes with `define_unary` passes `gradcheck` over the whole default range
  of `floats()` (its kinks avoided) — the softplus examples used to overflow at ±710.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# the suite's Hypothesis settings (tests/conftest.py: no deadline; the machine is shared)
PROFILE = (
    "from hypothesis import settings\n"
    "settings.register_profile('docs', deadline=None)\n"
    "settings.load_profile('docs')\n"
)

RUN_GUIDE = (
    PROFILE
    + r"""
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
namespace = {"__name__": "__guide__"}
i, count = 0, 0
while i < len(lines):
    if lines[i].strip() == "```python":
        j = i + 1
        while lines[j].rstrip() != "```":
            j += 1
        code = "\n" * (i + 1) + "\n".join(lines[i + 1 : j]) + "\n"
        exec(compile(code, "docs/testing_your_op.md", "exec"), namespace)
        count += 1
        i = j
    i += 1
print(f"ran {count} blocks")
"""
)


def examples(doc: str | None) -> list[str]:
    """The literal blocks of a docstring: the indented lines after a line ending in "::"."""
    lines = inspect.cleandoc(doc or "").splitlines()
    found = []
    for i, line in enumerate(lines):
        if not line.rstrip().endswith("::"):
            continue
        base = len(line) - len(line.lstrip())
        block = []
        for nxt in lines[i + 1 :]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= base:
                break
            block.append(nxt)
        if any(b.strip() for b in block):
            found.append(textwrap.dedent("\n".join(block)))
    return found


RUN_DOCSTRINGS = (
    PROFILE
    + "import inspect, textwrap\n"
    + inspect.getsource(examples)
    + r"""
import math
import numpy as np
from hypothesis import given, settings
from micrograd_tips import engine, testing
from micrograd_tips.engine import Value, define_unary, op_kinks
from micrograd_tips.testing import gradcheck, kinks, replay, strategies, tensor_strategies, tensors
from micrograd_tips.testing.strategies import floats


def documented(module):
    yield module.__name__, module.__doc__, module
    for name, obj in vars(module).items():
        mine = getattr(obj, "__module__", None) == module.__name__
        if mine and (inspect.isfunction(obj) or inspect.isclass(obj)):
            yield f"{module.__name__}.{name}", obj.__doc__, module


# the testing modules (every "::" block is code) and the engine's define_unary (its others are formulas)
SOURCES = [("micrograd_tips.engine.define_unary", engine.define_unary.__doc__, engine)]
for module in [testing, strategies, kinks, replay, tensors, tensor_strategies]:
    SOURCES += list(documented(module))


PREAMBLE = {"math": math, "np": np, "Value": Value, "define_unary": define_unary, "gradcheck": gradcheck}
ran, ops_checked = [], []
for where, doc, module in SOURCES:
    if True:
        for code in examples(doc):
            namespace = {**vars(module), **PREAMBLE}  # a function's example sees its module's names
            try:
                exec(compile(code, where, "exec"), namespace)
                for name, obj in list(namespace.items()):
                    if name.startswith("test_") and callable(obj) and name not in vars(module):
                        obj()
                for obj in list(namespace.values()):
                    name = getattr(obj, "__name__", None)
                    if not callable(obj) or name in vars(module) or not isinstance(name, str):
                        continue
                    try:
                        op_kinks_ = op_kinks(name)  # an op made by define_unary
                    except ValueError:
                        continue

                    def across_the_default_range(op, kinks_):
                        @settings(max_examples=300, database=None, deadline=None)
                        @given(floats(avoid=kinks_))
                        def check(x):
                            gradcheck(op, [x])

                        check()

                    across_the_default_range(obj, op_kinks_)
                    ops_checked.append(obj.__name__)
            except BaseException as error:
                raise AssertionError(f"the example in {where} failed:\n{code}") from error
            ran.append(where)
print("ran:", ", ".join(ran))
print("ops checked over floats():", ", ".join(ops_checked))
"""
)


def _run(script: str, *args: str, tmp_path: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    return proc.stdout


@pytest.mark.slow
def test_the_testing_guide_runs(tmp_path: Path) -> None:
    out = _run(RUN_GUIDE, str(ROOT / "docs" / "testing_your_op.md"), tmp_path=tmp_path)
    assert "ran 7 blocks" in out


@pytest.mark.slow
def test_docstring_examples_run_across_the_default_range(tmp_path: Path) -> None:
    out = _run(RUN_DOCSTRINGS, tmp_path=tmp_path)
    for where in (
        "micrograd_tips.testing.strategies",  # the softplus example
        "micrograd_tips.testing.replay",
        "micrograd_tips.testing.tensor_strategies",
        "micrograd_tips.testing.gradcheck",
        "micrograd_tips.testing.kinks.check_kinks",
        "micrograd_tips.testing.tensors.tensor_gradcheck",
        "micrograd_tips.engine.define_unary",
    ):
        assert where in out.split("ran: ")[1].split("\n")[0].split(", "), out
    checked = out.split("ops checked over floats(): ")[1].strip().split(", ")
    assert {"cube", "softplus", "my_softplus", "relu6"} <= set(checked), out


def test_examples_extractor_sees_literal_blocks() -> None:
    doc = "Title.\n\n    Example::\n\n        x = 1\n        y = x + 1\n\n    After.\n"
    assert [block.strip() for block in examples(doc)] == ["x = 1\ny = x + 1"]
    assert examples("No example: here.") == []
