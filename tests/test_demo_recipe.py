"""The `recipe` demo (lecture 0): both plain nets train, but diagnose() calls the deeper one "not
well trained" (it stays worse on the training set, as in He et al.'s figure) and the net trained on
a few hundred images "overfitting"."""

from pathlib import Path

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("recipe", tmp_path_factory.mktemp("out"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    assert {Path(f).name for f in result.figures} == {"train_vs_validation.png", "train_vs_validation.svg"}
    for f in result.figures:
        assert Path(f).stat().st_size > 1000


def test_deeper_net_is_worse_on_the_training_set(result) -> None:
    c = result.checks
    assert c["shallow_train_acc"] > 0.95
    assert c["deep_train_acc"] < c["shallow_train_acc"] - 0.08
    assert c["deep_val_acc"] < c["shallow_val_acc"] - 0.02  # and on validation, as in He et al.'s figure


def test_deeper_net_does_train(result) -> None:
    # He et al.'s deep net is not stuck: it learns, just less well (chance is 10%)
    assert result.checks["deep_train_acc"] > 0.5
    assert result.checks["deep_val_acc"] > 0.5


def test_diagnose_names_the_deep_net_not_well_trained(result) -> None:
    assert result.checks["deep_not_well_trained"] == 1.0


def test_small_training_set_overfits_and_diagnose_says_so(result) -> None:
    c = result.checks
    assert c["overfit_train_acc"] > 0.95
    assert c["overfit_train_acc"] - c["overfit_val_acc"] > 0.08
    assert c["overfit_is_overfitting"] == 1.0


def test_same_seed_same_numbers(result, tmp_path: Path) -> None:
    again = run_demo("recipe", tmp_path, quick=True, seed=0)
    assert again.checks == result.checks
