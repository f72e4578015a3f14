"""The regularization demo (lecture B2) in quick mode: L1 sparse, L2 uniformly small."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import run_demo


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("regularization", tmp_path_factory.mktemp("demos"), quick=True, seed=0)


def test_figures_are_written(result) -> None:
    assert len(result.figures) == 4
    assert {f.suffix for f in result.figures} == {".png", ".svg"}
    for f in result.figures:
        assert f.is_file() and f.stat().st_size > 1000


def test_l1_leaves_more_near_zero_weights_than_l2_and_none(result) -> None:
    c = result.checks
    assert c["near_zero_L1"] > 3 * c["near_zero_L2"]
    assert c["near_zero_L1"] > 3 * c["near_zero_none"]
    assert c["near_zero_L1"] > 0.2


def test_l2_shrinks_the_largest_weights(result) -> None:
    c = result.checks
    assert c["max_abs_L2"] < 0.9 * c["max_abs_none"]
    assert c["p99_abs_L2"] < c["p99_abs_none"]


def test_l1_keeps_some_large_weights(result) -> None:
    # "many near 0, some large": L1's largest weight beats L2's, though most of its weights are 0
    c = result.checks
    assert c["max_abs_L1"] > c["max_abs_L2"]


def test_blank_pixel_weights_follow_the_closed_forms(result) -> None:
    # pixels blank in every training image give no data gradient: only the rule moves their weights
    c = result.checks
    assert c["blank_pixels"] > 20
    assert c["none_max_change"] == 0.0
    assert 0.0 < c["l2_decay_closed_form"] < 1.0
    assert c["l2_decay_max_rel_error"] < 1e-9  # w_T = w_0·(1 − ηλ)^T
    assert c["l1_linear_max_error"] < 1e-9  # |w_T| = |w_0| − T·ηλ while on the way to 0
    assert c["l1_at_zero_max_abs"] <= c["l1_step"] * (1 + 1e-9)  # then it hovers within ηλ of 0


def test_all_three_networks_learned(result) -> None:
    for name in ("none", "L1", "L2"):
        assert result.checks[f"test_accuracy_{name}"] > 0.7
