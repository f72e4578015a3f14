"""The `maxout` demo (lecture A3) in quick mode: the shapes the lecture predicts, and its helpers."""

from __future__ import annotations

import math

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import load_demo, run_demo  # noqa: E402
from micrograd_tips.tensor import nn  # noqa: E402


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("maxout", tmp_path_factory.mktemp("out"), quick=True, seed=0)


@pytest.fixture(scope="module")
def demo():
    return load_demo("maxout")


def test_writes_every_figure_as_png_and_svg(result) -> None:
    names = {p.name for p in result.figures}
    for stem in ("maxout_activations", "thin_network_a", "thin_network_b"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    for path in result.figures:
        assert path.is_file() and path.stat().st_size > 1000, path
    assert result.rows and result.conclusion


def test_learned_activations_are_convex_with_at_most_k_pieces(result) -> None:
    for k in (2, 3):
        assert result.checks[f"k{k}_min_second_difference"] >= -1e-12
        assert result.checks[f"k{k}_max_pieces"] <= k
        assert result.checks[f"k{k}_units_with_k_pieces"] >= 1  # the pieces really are used
        assert result.checks[f"k{k}_model_vs_formula"] < 1e-4  # float32 forward vs float64 formula


def test_maxout_is_as_accurate_as_relu_on_mnist(result) -> None:
    assert result.checks["maxout2_minus_relu_test_acc"] > -0.03
    assert result.checks["maxout3_minus_relu_test_acc"] > -0.03


def test_relu_is_maxout_with_a_zero_piece_exactly(result) -> None:
    assert result.checks["relu_special_case_gap"] == 0.0


def test_each_example_trains_only_its_thin_network(result) -> None:
    for tag in ("a", "b"):
        assert result.checks[f"example_{tag}_max_loser_grad"] == 0.0
        assert result.checks[f"example_{tag}_winner_grads_nonzero"] > 0.9
    assert result.checks["examples_ab_differ"] == 1.0
    assert result.checks["distinct_thin_networks"] >= 2


def test_over_the_data_every_piece_gets_trained(result) -> None:
    for k in (2, 3):
        assert result.checks[f"k{k}_pieces_trained"] == 1.0
        assert result.checks[f"k{k}_pieces_winning_after"] >= 0.95


# ---- the helpers, against closed forms -----------------------------------------------------


def test_activation_shapes_match_the_max_of_the_lines(demo) -> None:
    # one unit, 3 pieces along x(t) = t·e₀ (x_a = 0, x_b = e₀): z = (−1)·t, 0.5·t + 0.2, 2·t − 1
    layer = nn.Maxout(4, 1, 3, seed=0, dtype="float32")
    w = np.zeros((1, 3, 4), np.float32)
    w[0, :, 0] = [-1.0, 0.5, 2.0]
    layer.load_state_dict({"weight": w, "bias": np.array([[0.0, 0.2, -1.0]], np.float32)})
    t = np.linspace(-2, 3, 501)
    e0 = np.eye(4, dtype=np.float32)[0]
    shape = demo.activation_shapes(layer, np.zeros(4, np.float32), e0, t)
    expected = np.maximum.reduce([-t, 0.5 * t + 0.2, 2 * t - 1])
    np.testing.assert_allclose(shape["a"][0], expected, atol=1e-6)
    assert shape["runs"][0] == 3  # the kinks are at t = −2/15 and t = 0.8
    assert shape["min_second_diff"] >= -1e-12


def test_piece_runs_counts_segments(demo) -> None:
    assert demo.piece_runs(np.array([[0, 0, 1, 1, 2], [1, 1, 1, 1, 1]])).tolist() == [3, 1]


def test_losing_nodes_are_the_non_winners_and_their_parameters(demo) -> None:
    net = demo.TinyMaxoutNet(seed=0)
    _, maxes, pattern = net([0.3, -0.7])
    dim = demo.losing_nodes(maxes)
    groups = [m for layer in maxes for m in layer]
    assert len([n for n in dim if n._op == "dot"]) == len(groups)  # one loser per 2-piece group
    for m, w in zip(groups, pattern):
        winner = m._prev[w]
        assert all(winner is not n for n in dim)
        assert winner.data == m.data
        assert math.isfinite(winner.data)
