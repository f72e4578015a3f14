"""The `vanishing` demo (lecture A1): in quick mode, sigmoid training accuracy falls with depth,
ReLU holds, and the deep sigmoid net's gradients shrink towards the input."""

from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("vanishing", tmp_path_factory.mktemp("out"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    names = {Path(f).name for f in result.figures}
    assert names == {
        "accuracy_vs_depth.png",
        "accuracy_vs_depth.svg",
        "gradient_norms.png",
        "gradient_norms.svg",
    }
    for f in result.figures:
        assert Path(f).stat().st_size > 1000


def test_deep_sigmoid_trains_worse_than_shallow_sigmoid(result) -> None:
    c = result.checks
    assert c["sigmoid_shallow_acc"] > 0.8  # the shallow net does learn
    assert c["sigmoid_deep_acc"] < c["sigmoid_shallow_acc"] - 0.3


def test_relu_holds_where_sigmoid_fails(result) -> None:
    c = result.checks
    assert c["relu_deep_acc"] > c["sigmoid_deep_acc"] + 0.3
    assert c["relu_min_acc"] > 0.75  # every ReLU depth trains


def test_sigmoid_gradients_vanish_towards_the_input(result) -> None:
    # ‖∂L/∂W_1‖ / ‖∂L/∂W_out‖: each sigmoid layer multiplies by σ' ≤ ¼, so 9 layers shrink it a lot
    assert result.checks["sigmoid_grad_ratio"] < 1e-3
    assert result.checks["relu_grad_ratio"] > 0.1


def test_table_puts_the_lecture_values_beside_ours(result) -> None:
    lecture = {row.quantity: row.lecture for row in result.rows}
    assert lecture["train acc, 1 hidden (sigmoid / ReLU)"] == "≈94.5% (sigmoid)"
    assert lecture["train acc, 9 hidden (sigmoid / ReLU)"] == "≈66% (sigmoid)"
