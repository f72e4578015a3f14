"""The NumPy backend's testing helpers: Tensor gradcheck, Tensor/shape/axes strategies, replay."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips.tensor import Tensor
from micrograd_tips.testing.replay import assert_matches
from micrograd_tips.testing.strategies import Expression, expressions
from micrograd_tips.testing.tensor_strategies import (
    arrays,
    broadcastable_arrays,
    broadcastable_shapes,
    reduction_axes,
    shapes,
    tensors,
)
from micrograd_tips.testing.tensors import tensor_backend, tensor_gradcheck

TENSOR = tensor_backend()


def test_tensor_gradcheck_checks_the_full_jacobian_against_a_closed_form() -> None:
    a = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    b = np.array([0.3, -0.2, 0.9])
    result = tensor_gradcheck(lambda x, y: (x * y).sum(axis=0), [a, b])
    assert result.ok
    # out_j = Σ_i a_ij b_j:  ∂out_j/∂a_ij = b_j,  ∂out_j/∂b_j = Σ_i a_ij  (closed forms)
    expected_a = np.zeros((3, 6))
    for j in range(3):
        for i in range(2):
            expected_a[j, i * 3 + j] = b[j]
    np.testing.assert_allclose(result.analytic[0], expected_a, rtol=1e-15)
    np.testing.assert_allclose(result.analytic[1], np.diag(a.sum(axis=0)), rtol=1e-15)
    np.testing.assert_allclose(result.numeric[1], np.diag(a.sum(axis=0)), rtol=1e-8)


def test_tensor_gradcheck_finds_a_wrong_gradient_and_non_finite_numbers() -> None:
    # x.data-based "stop gradient": backprop sees 0 for the second factor
    result = tensor_gradcheck(lambda x: x * Tensor(x.data), [np.array([1.0, 2.0])], raise_exception=False)
    assert not result.ok and "mismatch" in result.report()
    assert result.analytic[0][1, 1] == 2.0 and result.numeric[0][1, 1] == pytest.approx(4.0, rel=1e-8)
    edge = np.array([709.782712893384])  # exp finite here, inf one step to the right
    result = tensor_gradcheck(lambda x: x.exp(), [edge], raise_exception=False)
    assert not result.ok and result.rows[result.worst].status == "numeric not finite"
    with pytest.raises(AssertionError, match="FAILED"):
        tensor_gradcheck(lambda x: x.log(), [np.array([0.0, 1.0])])  # log 0 = -inf


def test_tensor_gradcheck_arguments() -> None:
    with pytest.raises(ValueError, match="at least one input"):
        tensor_gradcheck(lambda: Tensor(1.0), [])
    with pytest.raises(TypeError, match="list/tuple"):
        tensor_gradcheck(lambda x: x, np.ones(3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        tensor_gradcheck(lambda x: x, [np.array([math.nan])])
    with pytest.raises(TypeError, match="Tensor"):
        tensor_gradcheck(lambda x: 1.0, [np.ones(2)])  # type: ignore[arg-type,return-value]


@settings(max_examples=60, deadline=None)
@given(broadcastable_arrays(2))
def test_broadcasting_binary_ops_pass_the_tensor_gradcheck(ab: tuple[np.ndarray, ...]) -> None:
    a, b = ab
    tensor_gradcheck(lambda x, y: (x * y + x - y).tanh(), [a, b])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_reductions_pass_the_tensor_gradcheck(data: st.DataObject) -> None:
    x = data.draw(arrays(min_gap=1e-2))  # distinct entries: max has no tie
    axis = data.draw(reduction_axes(x.ndim))
    tensor_gradcheck(lambda t: t.max(axis=axis) + t.sum(axis=axis) * 0.5, [x])


@settings(max_examples=60, deadline=None)
@given(arrays(avoid=[0.0]))
def test_relu_family_away_from_kinks(x: np.ndarray) -> None:
    assert np.all(np.abs(x) >= 1e-3)
    tensor_gradcheck(lambda t: t.relu() + t.leaky_relu(0.1) + t.elu(0.7), [x])


@given(broadcastable_shapes(3), shapes(min_dims=1))
def test_shape_strategies(bs: object, shape: tuple[int, ...]) -> None:
    arrs = [np.zeros(s) for s in bs.input_shapes]  # type: ignore[attr-defined]
    assert np.broadcast_shapes(*(a.shape for a in arrs)) == bs.result_shape  # type: ignore[attr-defined]
    assert 1 <= len(shape) <= 3 and all(1 <= n <= 4 for n in shape)


@given(st.data())
def test_reduction_axes_are_valid(data: st.DataObject) -> None:
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(reduction_axes(x.ndim))
    assert Tensor(x).sum(axis=axis).data == pytest.approx(x.sum(axis=axis))


@given(
    tensors((2, 3), requires_grad=True, min_value=0.5, max_value=1.0), arrays((4,), min_gap=0.5, avoid=[0.0])
)
def test_tensors_and_gapped_arrays(t: Tensor, a: np.ndarray) -> None:
    assert t.requires_grad and t.shape == (2, 3) and t.dtype == np.float64
    assert np.all((0.5 <= t.data) & (t.data <= 1.0))
    diffs = np.abs(a[:, None] - a[None, :])[~np.eye(4, dtype=bool)]
    assert np.all(diffs >= 0.5 - 1e-12) and np.all(np.abs(a) >= 1e-3)


def test_tensor_strategy_arguments() -> None:
    with pytest.raises(TypeError, match="shape"):
        arrays([2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_gap"):
        arrays(min_gap=1e-9)
    with pytest.raises(ValueError, match="reduction_axes"):
        reduction_axes(0, allow_none=False)
    with pytest.raises(ValueError, match="max_dims"):
        shapes(min_dims=3, max_dims=2)


@settings(max_examples=200)
@given(expressions(kinks="seek"))
def test_scalar_engine_equals_the_numpy_backend_on_random_graphs(expr: Expression) -> None:
    assert_matches(expr, TENSOR)
