"""The `activations` demo (lecture A2): the ReLU family beats sigmoid at 5 hidden layers (each with
the initialisation that suits it), PReLU learns its α, and the plotted derivatives (by backward)
match the closed forms."""

import math
from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import load_demo, run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("activations", tmp_path_factory.mktemp("out"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    names = {Path(f).name for f in result.figures}
    assert names == {
        "training.png",
        "training.svg",
        "functions.png",
        "functions.svg",
        "network_relu_thin.svg",
    }
    for f in result.figures:
        assert Path(f).stat().st_size > 1000


def test_relu_family_beats_sigmoid(result) -> None:
    c = result.checks
    assert c["relu_family_min_acc"] > c["sigmoid_acc"] + 0.3
    assert c["sigmoid_acc"] > 0.25  # with U(−1, 1) sigmoid does train (chance: 10%), it only lags


def test_xavier_sigmoid_stays_at_chance(result) -> None:
    # Xavier's small weights leave the gradient only σ' ≤ ¼ per layer: 5 layers do not train
    c = result.checks
    assert c["xavier_sigmoid_acc"] < 0.2
    assert c["xavier_sigmoid_acc"] < c["sigmoid_acc"] - 0.15


def test_prelu_alpha_was_learned(result) -> None:
    assert result.checks["prelu_alpha_max_shift"] > 0.02
    assert result.checks["prelu_alpha_mean_shift"] > 1e-3


def closed_form(name: str, z: float, alpha: float) -> tuple[float, float]:
    s = 1 / (1 + math.exp(-z))
    forms = {
        "sigmoid": (s, s * (1 - s)),
        "tanh": (math.tanh(z), 1 - math.tanh(z) ** 2),
        "relu": (max(0.0, z), 1.0 if z > 0 else 0.0),
        "leaky_relu": (z if z > 0 else 0.01 * z, 1.0 if z > 0 else 0.01),
        "prelu": (z if z > 0 else alpha * z, 1.0 if z > 0 else alpha),
        "elu": (z if z > 0 else math.exp(z) - 1, 1.0 if z > 0 else math.exp(z)),
    }
    return forms[name]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"])
def test_plotted_derivatives_match_closed_forms(name: str) -> None:
    import numpy as np

    demo = load_demo("activations")
    zs = np.array([-3.0, -0.7, -1e-3, 1e-3, 0.4, 2.5])
    alpha = 0.3
    values, slopes = demo.value_and_derivative(demo.scalar_activation(name, alpha), zs)
    for z, v, d in zip(zs, values, slopes):
        f, df = closed_form(name, float(z), alpha)
        assert v == pytest.approx(f, rel=1e-12, abs=1e-15)
        assert d == pytest.approx(df, rel=1e-12, abs=1e-15)
