"""The `claims` demo: five arguments of the notes, each checked against a closed form, an exact
equality or a monotone trend (not against numbers copied from a run)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("matplotlib")

from micrograd_tips.cli import load_demo, run_demo  # noqa: E402
from micrograd_tips.engine import Value  # noqa: E402

SPACINGS = (1.0, 0.5, 0.25, 0.1, 0.05)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return run_demo("claims", tmp_path_factory.mktemp("out"), quick=True, seed=0)


def test_a_figure_per_claim(result) -> None:
    stems = {Path(f).stem for f in result.figures}
    assert stems == {
        "relu_as_sigmoids",
        "linear_regions",
        "regularization_as_fewer_updates",
        "saddles_in_high_dimensions",
        "deeper_net_copies_shallow",
    }
    assert all(Path(f).stat().st_size > 1000 for f in result.figures)


def test_1_sigmoid_sums_approach_relu_with_gap_delta_ln2(result) -> None:
    gaps = [result.checks[f"gap_{s}"] for s in SPACINGS]
    assert gaps == sorted(gaps, reverse=True) and len(set(gaps)) == len(gaps)
    for s in SPACINGS:  # the limit Δ·softplus(z/Δ) is ln 2·Δ above ReLU at z = 0
        assert result.checks[f"gap_{s}"] == pytest.approx(math.log(2) * s, rel=0.05)
    slopes = [result.checks[f"slope_gap_{s}"] for s in SPACINGS]  # the derivative → ReLU's 0/1 step
    assert slopes == sorted(slopes, reverse=True) and slopes[-1] < 1e-3


def test_1_sigmoid_sum_is_the_formula() -> None:
    claims = load_demo("claims")
    for z in (-1.3, 0.0, 0.4, 2.5):
        expected = sum(0.5 / (1 + math.exp(-(z - (i + 0.5) * 0.5) / 0.5)) for i in range(12))
        assert claims.sigmoid_sum(Value(z), 0.5).data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("net", ["relu", "maxout"])
def test_2_linear_inside_a_region_not_across(result, net: str) -> None:
    c = result.checks
    assert c[f"{net}_regions"] >= 2
    assert c[f"{net}_inside"] < 1e-12  # f(x0 + δ) = f(x0) + J·δ to rounding error
    assert c[f"{net}_across"] > 1e-3  # … and not once a neuron switches


def test_3_stronger_l2_caps_the_weights_where_plain_training_stood_earlier(result) -> None:
    c = result.checks
    assert c["plain_norm_end"] > 10 * c["plain_norm_start"]  # start near 0, move away
    norms = [c[f"l2_{i}_final_norm"] for i in range(4)]  # largest λ first
    matched = [c[f"l2_{i}_matched_epoch"] for i in range(4)]
    assert norms == sorted(norms) and len(set(norms)) == 4
    assert matched == sorted(matched) and matched[0] > 0


def test_4_fraction_of_minima_falls_with_dimension(result) -> None:
    f = [result.checks[f"pd_fraction_{n}"] for n in range(1, 8)]
    assert f[0] == pytest.approx(0.5, abs=0.02)  # closed form for n = 1
    assert f[1] == pytest.approx((2 - math.sqrt(2)) / 4, abs=0.01)  # closed form for n = 2 (GOE)
    assert all(a > b for a, b in itertools.pairwise(f[:5]))  # strictly falling while measurable
    assert f[6] < 1e-3


def test_5_the_deeper_copy_is_exactly_the_shallow_net(result) -> None:
    c = result.checks
    assert c["copy_identical"] == 1.0 and c["copy_loss"] == c["shallow_loss"]
    assert c["deep_loss"] > c["shallow_loss"]  # the plainly trained deep net: not well trained


def test_5_deepen_copies_any_relu_net_exactly() -> None:
    claims = load_demo("claims")
    shallow = claims.mnist_mlp([claims.HIDDEN, 10], seed=3)
    deep = claims.deepen(shallow, 5, seed=4)
    X = np.random.default_rng(0).random((20, 784), dtype=np.float32)
    with shallow.no_grad():
        assert np.array_equal(shallow(X).data, deep(X).data)
    assert len(deep.layers) == len(shallow.layers) + 5


def test_4_tiny_net_critical_points_are_found_and_mostly_saddles(result) -> None:
    c = result.checks
    assert c["tiny_net_found"] >= 6
    assert c["tiny_net_minima"] + c["tiny_net_saddles"] + c["tiny_net_flat_no_descent"] == c["tiny_net_found"]
    assert c["tiny_net_saddles"] > c["tiny_net_minima"]


def test_4_hessian_by_differences_at_a_known_critical_point() -> None:
    # All weights 0 and c = ½: every hidden unit outputs 0 and f ≡ ½, the mean target, so ∇L = 0;
    # by hand the Hessian is 0 except ∂²L/∂c² = 2: one direction up, eight flat, none down.
    claims = load_demo("claims")
    theta = np.zeros(9)
    theta[8] = 0.5
    loss, gradient = claims.xor_loss_and_gradient(theta)
    assert loss == 0.25 and np.all(gradient == 0.0)
    H = claims.hessian(theta)
    expected = np.zeros((9, 9))
    expected[8, 8] = 2.0
    assert np.allclose(H, expected, atol=1e-8)
    assert claims.curvature(H) == (0, 8)
    assert claims.curvature(np.diag([1.0, -1.0])) == (1, 0)  # x² − y²: a saddle
