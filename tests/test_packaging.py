"""The core engine stays pure Python: it imports and trains with NumPy made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
