"""The dropout demo (lecture B3) in quick mode: a smaller train–test gap, the ensemble identity."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("dropout", tmp_path_factory.mktemp("demos"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    stems = {f.stem for f in result.figures}
    assert stems == {"dropout_accuracy", "dropout_ensemble", "thinned_network", "network_dropout"}
    assert len(result.figures) == 7  # each as PNG and SVG, the network drawing as SVG
    for f in result.figures:
        assert f.is_file() and f.stat().st_size > 1000


def test_thinned_network_drawing_greys_out_the_dropped_units(result) -> None:
    svg = next(f for f in result.figures if f.name == "thinned_network.svg").read_text()
    assert "dropped" in svg
    assert "dashed" in svg or "stroke-dasharray" in svg


def test_dropout_shrinks_the_train_test_gap(result) -> None:
    c = result.checks
    assert c["gap_none"] > 0.05  # the regime overfits
    assert c["gap_lecture"] < c["gap_none"]
    assert c["gap_inverted"] < c["gap_none"]


def test_dropout_is_worse_on_the_training_batches(result) -> None:
    # the thinned networks fit the training data less well (lecture: dropout is for test results)
    c = result.checks
    assert c["during_training_lecture"] < c["during_training_none"]
    assert c["during_training_inverted"] < c["during_training_none"]


def test_lecture_form_needs_the_test_time_scaling(result) -> None:
    # without ×(1 − p) at test time, z is about 2× what training saw: the loss blows up
    assert result.checks["unscaled_test_loss"] > 2 * result.checks["scaled_test_loss"]


def test_two_input_example_matches_the_slide(result) -> None:
    # w = (2, −1), x = (3, 1): sub-networks 5, −1, 6, 0 average to ½(w1x1 + w2x2) = 2.5
    assert result.checks["two_input_average"] == pytest.approx(2.5, abs=1e-12)
    assert result.checks["two_input_halved"] == pytest.approx(2.5, abs=1e-12)


def test_ensemble_identity_exact_for_linear_approximate_for_sigmoid(result) -> None:
    c = result.checks
    assert c["linear_ensemble_error"] <= 1e-12
    assert c["inverted_linear_ensemble_error"] <= 1e-12
    assert c["sigmoid_ensemble_error"] > 1e-6
