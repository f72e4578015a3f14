"""The core engine stays pure Python: it imports and trains with NumPy made unimportable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import micrograd_tips

CORE = [
    "engine",
    "nn",
    "activations",
    "maxout",
    "dropout",
    "losses",
    "optim",
    "regularization",
    "early_stopping",
    "recipe",
    "training",
    "checkpoint",
    "data",
    "viz",
    "testing",
    "report",
    "cli",
]


def test_core_modules_work_without_numpy() -> None:
    script = f"""
import sys
sys.modules["numpy"] = None  # any `import numpy` now raises ImportError
import importlib
for name in {CORE!r}:
    importlib.import_module("micrograd_tips." + name)
from micrograd_tips.nn import MLP
from micrograd_tips.optim import Adam
from micrograd_tips.losses import hinge
from micrograd_tips.data import moons
from micrograd_tips.training import fit
X, y = moons(40, seed=1)
y = [1 if t == 1 else -1 for t in y]
model = MLP(2, [8, 1], seed=0)
opt = Adam(model.parameters(), lr=0.05)
history = fit(model, opt, X, y, loss=hinge, epochs=5, batch_size=10, progress=False)
assert history.train_loss[-1] < history.train_loss[0], history.train_loss
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_package_ships_its_type_marker() -> None:
    assert (Path(micrograd_tips.__file__).parent / "py.typed").is_file()


@pytest.mark.slow
def test_a_wheel_install_draws_the_graph_and_says_where_the_demos_are(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a folder, use the command from there."""
    root = Path(__file__).resolve().parent.parent
    source = tmp_path / "source"  # build from a clean copy: no stale build/ of the checkout
    shutil.copytree(
        root / "micrograd_tips", source / "micrograd_tips", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copyfile(root / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed: {built.stderr[-2000:]}")
    (wheel,) = (tmp_path / "dist").glob("micrograd_tips-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "micrograd_tips/py.typed" in names
    assert not [n for n in names if n.startswith(("demos/", "tests/", "tools/"))], names
    site = tmp_path / "site"
    done = subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": str(Path(sys.executable).parent) + os.pathsep + os.defpath, "PYTHONPATH": str(site)}

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "micrograd_tips", *args],
            capture_output=True,
            text=True,
            cwd=work,
            env=env,
            timeout=120,
        )

    drawn = command("graph", "--out", "neuron.svg")
    assert drawn.returncode == 0, drawn.stderr
    assert "<svg" in (work / "neuron.svg").read_text(encoding="utf-8")
    demo = command("demo", "graph")
    assert demo.returncode == 1 and "Traceback" not in demo.stderr, demo.stderr
    (line,) = demo.stderr.strip().splitlines()
    assert "demos/" in line and "pip install -e" in line, line
