"""The `vanishing` demo (lecture A1): in quick mode (depths 1, 4, 7, 10), sigmoid training accuracy
declines gradually with depth (not a cliff to chance), ReLU holds, and the deep sigmoid net's
gradients shrink towards the input."""

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
        "network_gradient_sigmoid.svg",
        "network_gradient_relu.svg",
    }
    for f in result.figures:
        assert Path(f).stat().st_size > 1000


def test_deep_sigmoid_trains_worse_than_shallow_sigmoid(result) -> None:
    c = result.checks
    assert c["sigmoid_shallow_acc"] > 0.9  # the shallow net does learn
    assert c["sigmoid_deep_acc"] < c["sigmoid_shallow_acc"] - 0.2


def test_sigmoid_accuracy_declines_gradually_with_depth(result) -> None:
    c = result.checks
    # deeper is never better (within noise) ...
    assert c["sigmoid_max_rise"] < 0.03
    # ... and the fall is a slope, as on the slide, not a cliff to chance (10%): 7 layers has
    # started to fall but still trains well, 10 layers is lower still yet clearly above chance
    assert c["sigmoid_acc_7"] < c["sigmoid_acc_1"] - 0.02
    assert c["sigmoid_acc_7"] > 0.7
    assert c["sigmoid_acc_10"] < c["sigmoid_acc_7"] - 0.1
    assert c["sigmoid_acc_10"] > 0.2


def test_relu_holds_where_sigmoid_fails(result) -> None:
    c = result.checks
    assert c["relu_deep_acc"] > c["sigmoid_deep_acc"] + 0.3
    assert c["relu_min_acc"] > 0.85  # every ReLU depth trains


def test_sigmoid_gradients_vanish_towards_the_input(result) -> None:
    # ‖∂L/∂W_1‖ / ‖∂L/∂W_out‖ over 10 layers: every sigmoid layer multiplies by σ' ≤ ¼ (times the
    # weights), so the gradient shrinks on its way to the input; with ReLU it does not
    assert result.checks["sigmoid_grad_ratio"] < 0.1
    assert result.checks["relu_grad_ratio"] > 0.3
    # Xavier's smaller weights (var 1/n) leave only the ¼: a far steeper fall than U(−1, 1)'s
    assert result.checks["xavier_grad_ratio"] < 1e-3 * result.checks["sigmoid_grad_ratio"]


def test_table_puts_the_lecture_values_beside_ours(result) -> None:
    lecture = {row.quantity: row.lecture for row in result.rows}
    assert lecture["train acc, 1 hidden (sigmoid / ReLU)"] == "≈94.5% (sigmoid)"
    assert lecture["train acc, 7 hidden (sigmoid / ReLU)"] == "≈91.5% (sigmoid)"
    assert lecture["train acc, 10 hidden (sigmoid / ReLU)"] == "<57% (sigmoid)"
