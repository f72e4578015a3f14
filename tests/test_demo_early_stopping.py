"""The early-stopping demo (lecture B1) in quick mode: the shape the lecture predicts."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("early-stopping", tmp_path_factory.mktemp("demos"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    suffixes = sorted(f.suffix for f in result.figures)
    assert suffixes == [".png", ".svg"]
    for f in result.figures:
        assert f.is_file() and f.stat().st_size > 1000


def test_restored_epoch_has_the_lowest_validation_loss(result) -> None:
    c = result.checks
    assert c["restored_epoch"] >= 0
    assert c["restored_epoch"] == c["argmin_val_epoch"]
    # the weights really are that epoch's: re-evaluated, they give the recorded validation loss
    assert c["restored_val_loss_error"] < 1e-5


def test_training_stopped_before_the_budget(result) -> None:
    c = result.checks
    assert c["restored_epoch"] + 1 < c["stopped_epochs"] < c["budget_epochs"]


def test_validation_loss_rises_after_the_best_epoch_while_training_loss_falls(result) -> None:
    c = result.checks
    assert c["final_val_loss"] > 1.05 * c["best_val_loss"]
    assert c["final_train_loss"] < c["train_loss_at_best"]


def test_the_stopped_run_follows_the_unlimited_run(result) -> None:
    # same seed → the early-stopped history is a prefix of the unlimited one (float32 arithmetic)
    assert result.checks["prefix_val_loss_diff"] < 1e-6


def test_restored_weights_have_a_lower_test_loss(result) -> None:
    c = result.checks
    assert c["test_loss_restored"] < c["test_loss_last"]
    assert 0.5 < c["test_accuracy_restored"] <= 1.0
