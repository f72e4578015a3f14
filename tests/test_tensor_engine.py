"""The NumPy backend's Tensor: gradients vs finite differences and PyTorch, dtype rules, errors."""

from __future__ import annotations

import gc
import re
import weakref

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from micrograd_tips import detect_anomaly  # noqa: E402
from micrograd_tips.tensor import Tensor, linear, no_grad  # noqa: E402

RNG = np.random.default_rng(1234)


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f at x (float64)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def check_grad(op, *arrays: np.ndarray, tol: float = 1e-6) -> None:
    """∂/∂(each input) of Σ w·op(inputs), w random, vs central differences."""
    out_shape = op(*[Tensor(a) for a in arrays]).shape
    w = RNG.normal(size=out_shape)
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    (op(*tensors) * w).sum().backward()
    for k, t in enumerate(tensors):

        def f(xk: np.ndarray, k: int = k) -> float:
            args = [Tensor(xk if j == k else a) for j, a in enumerate(arrays)]
            return float((op(*args).data * w).sum())

        expected = numeric_grad(f, arrays[k].copy())
        np.testing.assert_allclose(t.grad, expected, rtol=tol, atol=tol, err_msg=f"input {k}")


def away_from_kinks(shape: tuple[int, ...]) -> np.ndarray:
    """Values with |x| ≥ 0.1, so piecewise ops are differentiable under ±1e-6 steps."""
    x = RNG.uniform(0.1, 2.0, size=shape)
    return x * RNG.choice([-1.0, 1.0], size=shape)


UNARY = {
    "exp": lambda t: t.exp(),
    "log": lambda t: (t * t + 0.5).log(),
    "tanh": lambda t: t.tanh(),
    "sigmoid": lambda t: t.sigmoid(),
    "relu": lambda t: t.relu(),
    "leaky_relu": lambda t: t.leaky_relu(0.1),
    "elu": lambda t: t.elu(0.7),
    "neg": lambda t: -t,
    "pow_const": lambda t: (t * t + 1.0) ** 1.5,
    "rpow": lambda t: 2.0**t,
    "rdiv": lambda t: 1.0 / t,
    "rsub": lambda t: 3.0 - t,
    "sum_axis": lambda t: t.sum(axis=1),
    "sum_keep": lambda t: t.sum(axis=(0, 2), keepdims=True),
    "mean": lambda t: t.mean(axis=-1),
    "max_axis": lambda t: t.max(axis=1),
    "max_all": lambda t: t.max(),
    "reshape": lambda t: t.reshape(4, -1),
    "transpose": lambda t: t.transpose(2, 0, 1),
    "T": lambda t: t.T,
    "getitem_basic": lambda t: t[1:, ::2, 0],
    "getitem_fancy": lambda t: t[[0, 1, 0], :, [2, 2, 1]],
    "log_softmax": lambda t: t.log_softmax(axis=1),
    "group_max": lambda t: t.group_max(2),
    "dropout_mask": lambda t: t.dropout_mask(np.array([1, 0, 1, 1]), 2.0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_and_shape_op_gradients_match_finite_differences(name: str) -> None:
    x = (
        away_from_kinks((3, 2, 4))
        if name not in ("max_axis", "max_all", "group_max")
        else RNG.permutation(24)
    )
    x = np.asarray(x, dtype=np.float64).reshape(3, 2, 4)
    check_grad(UNARY[name], x)


def test_astype_is_the_explicit_conversion_and_casts_the_gradient_back() -> None:
    x = Tensor([0.1, 0.2], requires_grad=True)
    y = x.astype("float32")
    assert y.dtype == np.float32
    y.backward(np.array([1.5, -2.0], np.float32))
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [1.5, -2.0])


BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: (a * a + 0.5) ** b,
    "@": lambda a, b: a @ b.T,
    "prelu": lambda a, b: a.prelu(b[0]),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_gradients_match_finite_differences(name: str) -> None:
    check_grad(
        BINARY[name],
        away_from_kinks((3, 4)),
        away_from_kinks((2, 4)) if name == "@" else away_from_kinks((1, 4)),
    )


def test_fused_linear_and_linear_relu_gradients() -> None:
    x, w, b = away_from_kinks((5, 3)), away_from_kinks((4, 3)), away_from_kinks((4,))
    check_grad(lambda x, w, b: linear(x, w, b), x, w, b)
    check_grad(lambda x, w, b: linear(x, w, b, relu=True), x, w, b)
    check_grad(lambda x, w: linear(x, w), x[0], w)


# -- broadcasting vs PyTorch ----------------------------------------------------------------------

FLOATS = st.floats(-3, 3, allow_nan=False, width=64)


@settings(max_examples=40, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3), data=st.data()
)
def test_broadcast_gradients_match_torch(shapes, data) -> None:
    torch = pytest.importorskip("torch")
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=FLOATS))
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=st.floats(0.5, 3, width=64)))
    op = data.draw(st.sampled_from(["+", "-", "*", "/", "prelu_like"]))
    fns = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
        "prelu_like": lambda x, y: (x * y - y) * x,
    }
    w = RNG.normal(size=shapes.result_shape)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (fns[op](ta, tb) * w).sum().backward()
    pa = torch.tensor(a, requires_grad=True)
    pb = torch.tensor(b, requires_grad=True)
    (fns[op](pa, pb) * torch.tensor(w)).sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    np.testing.assert_allclose(ta.grad, pa.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad, pb.grad.numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=FLOATS),
    data=st.data(),
)
def test_reductions_and_activations_match_torch(x, data) -> None:
    torch = pytest.importorskip("torch")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    cases = {
        "sum": (lambda t: t.sum(axis=axis), lambda p: p.sum(dim=axis)),
        "mean": (lambda t: t.mean(axis=axis, keepdims=True), lambda p: p.mean(dim=axis, keepdim=True)),
        "log_softmax": (lambda t: t.log_softmax(axis), lambda p: torch.log_softmax(p, dim=axis)),
        "sigmoid": (lambda t: t.sigmoid(), torch.sigmoid),
        "tanh": (lambda t: t.tanh(), torch.tanh),
        "elu": (lambda t: t.elu(), torch.nn.functional.elu),
        "leaky": (lambda t: t.leaky_relu(), torch.nn.functional.leaky_relu),
        "relu": (lambda t: t.relu(), torch.relu),
    }
    name = data.draw(st.sampled_from(sorted(cases)))
    ours, theirs = cases[name]
    t = Tensor(x, requires_grad=True)
    out = ours(t)
    w = RNG.normal(size=out.shape)
    (out * w).sum().backward()
    p = torch.tensor(x, requires_grad=True)
    pout = theirs(p)
    (pout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.data, pout.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(t.grad, p.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- numerics --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_softmax_is_stable_at_plus_minus_1000(dtype: str) -> None:
    x = Tensor([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0]], requires_grad=True, dtype=dtype)
    y = x.log_softmax()
    assert np.isfinite(y.data).all()
    np.testing.assert_allclose(y.data[0], [0.0, -2000.0, -1000.0])
    np.testing.assert_allclose(y.data[1], np.full(3, -np.log(3.0)), rtol=1e-6)
    y[:, 0].sum().backward()  # ∂/∂x_j of log p_0 = [j = 0] − p_j
    np.testing.assert_allclose(x.grad, [[0.0, 0.0, 0.0], [2 / 3, -1 / 3, -1 / 3]], atol=1e-6)


def test_sigmoid_is_stable_and_ieee_edge_values() -> None:
    x = Tensor([-1000.0, -40.0, 0.0, 1000.0])
    np.testing.assert_allclose(x.sigmoid().data, [0.0, 1 / (1 + np.exp(40.0)), 0.5, 1.0], rtol=1e-15)
    assert Tensor([1000.0]).exp().data[0] == np.inf
    assert Tensor([0.0]).log().data[0] == -np.inf
    assert np.isnan(Tensor([-1.0]).log().data[0])


def test_max_and_group_max_send_the_gradient_to_the_lowest_tied_index() -> None:
    x = Tensor([[2.0, 5.0, 5.0, 1.0], [3.0, 3.0, 0.0, 3.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0, 0], [1, 0, 0, 0]])
    z = Tensor([[4.0, 4.0, 1.0, 7.0, 7.0, 7.0]], requires_grad=True)
    z.group_max(3).sum().backward()
    np.testing.assert_array_equal(z.grad, [[1, 0, 0, 1, 0, 0]])


# -- graph semantics ---------------------------------------------------------------------------


def test_backward_accumulates_only_its_own_contribution() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0) * 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    y.sum().backward()  # a second backward over the same graph adds 3 again, not 6
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_reused_node_gets_the_sum_of_its_contributions() -> None:
    x = Tensor([[1.0, -2.0]], requires_grad=True)
    y = x + x  # the same array flows to both operands
    (y * x).sum().backward()  # d/dx (2x·x) = 4x
    np.testing.assert_array_equal(x.grad, [[4.0, -8.0]])


def test_grads_never_alias_each_other_so_in_place_updates_are_safe() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    c = a + b
    c.sum().backward()
    assert a.grad is not b.grad and a.grad is not c.grad
    a.grad += 100.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_a_kept_gradient_is_never_reused_as_a_buffer() -> None:
    w = Tensor.parameter(RNG.normal(size=(3, 2)))
    x = Tensor(RNG.normal(size=(4, 2)))
    linear(x, w).sum().backward()
    kept = w.grad
    snapshot = kept.copy()
    w.grad = None
    linear(x * 2.0, w).sum().backward()
    np.testing.assert_array_equal(kept, snapshot)  # the user's array was left alone
    np.testing.assert_allclose(w.grad, 2 * snapshot)


def test_no_grad_records_no_graph() -> None:
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2.0
    assert not y.requires_grad and y._prev == ()
    with pytest.raises(ValueError, match="does not require grad"):
        y.backward()


def test_graph_is_freed_without_the_cycle_collector() -> None:
    gc.disable()
    try:
        x = Tensor(RNG.normal(size=(3, 3)), requires_grad=True)
        y = ((x @ x).relu().log_softmax() * 2.0).sum()
        inner = weakref.ref(y._prev[0])
        y.backward()
        del y
        assert inner() is None
    finally:
        gc.enable()


def test_anomaly_mode_is_the_scalar_engines_and_names_the_op() -> None:
    x = Tensor([0.0, 1.0], requires_grad=True)
    x.log()  # off by default: −inf is a legitimate IEEE result
    with detect_anomaly(), pytest.raises(FloatingPointError, match="'log'"):
        x.log()
    y = Tensor([0.0], requires_grad=True)
    out = (y * 1.0) ** 0.5  # forward finite (0), backward 0.5·0^(−0.5) = inf
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward: op '\\*\\*'"):
        out.backward(np.ones(1))


# -- dtype rules and bad input -------------------------------------------------------------------


def test_dtype_rules() -> None:
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor([1.0], dtype="float32").dtype == np.float32
    t32 = Tensor(np.ones(2, np.float32), requires_grad=True)
    assert (t32 * 2.5 + np.float64(1.0)).dtype == np.float32  # scalars adopt the Tensor's dtype
    assert (t32 * [1.0, 2.0]).dtype == np.float32
    with pytest.raises(TypeError, match=r"float32.*float64|dtype mismatch"):
        t32 + Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="float64 array"):
        t32 * np.ones(2)
    with pytest.raises(TypeError, match="float32 or float64"):
        Tensor([1.0], dtype="int32")
    arr = np.ones(2)
    Tensor(arr).data[0] = 5.0
    assert arr[0] == 1.0  # the constructor copies


@pytest.mark.parametrize(
    "bad, err, match",
    [
        ([[1.0, 2.0], [3.0]], ValueError, "ragged"),
        (np.array(["a"]), TypeError, "dtype"),
        ("abc", TypeError, "str"),
        (None, TypeError, "NoneType"),
        (True, TypeError, "bool"),
        ([1.0, True], TypeError, "bool"),
        (np.array([True]), TypeError, "bool"),
        ([1j], TypeError, "complex"),
        (np.array([1, "x"], dtype=object), TypeError, "object"),
    ],
)
def test_bad_data_is_rejected_with_a_clear_error(bad, err, match) -> None:
    with pytest.raises(err, match=match):
        Tensor(bad)


def test_shape_errors_name_the_op_and_both_shapes() -> None:
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"'\+'.*\(2, 3\).*\(4, 5\)"):
        a + b
    with pytest.raises(ValueError, match=r"'@'.*\(2, 3\).*\(4, 5\)"):
        a @ b
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\)"):
        a.reshape(4, 2)
    with pytest.raises(ValueError, match=r"sum\(axis\): got int 2.*\[-2, 2\)"):
        a.sum(axis=2)
    with pytest.raises(TypeError, match="axis"):
        a.sum(axis=1.0)
    with pytest.raises(ValueError, match="group_max"):
        a.group_max(2)
    with pytest.raises(ValueError, match="0/1"):
        a.dropout_mask(np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match="shape"):
        Tensor([1.0, 2.0], requires_grad=True).backward()
    with pytest.raises(TypeError, match="leaky_relu"):
        a.leaky_relu("x")


@pytest.mark.parametrize("view", ["reshape", "transpose"])
def test_backward_twice_through_a_view_adds_exactly_twice(view: str) -> None:
    # reshape/transpose pass on a *view* of the upstream gradient; if that view became the
    # input's .grad, the second backward would add into shared memory twice (6 instead of 4).
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    v = x.reshape(4) if view == "reshape" else x.T
    loss = (v * 2.0).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 2), 4.0))


# -- IEEE edge points vs PyTorch float64 (issue: x ** 0 at x = 0, ELU far to the left) -------------

EDGE_BASES = [0.0, -0.0, 5e-324, -5e-324, 1e-310, np.nan, np.inf, -np.inf, 2.0, -3.0]


def test_pow_zero_exponent_gradient_is_zero_for_every_base_like_torch() -> None:
    torch = pytest.importorskip("torch")
    bases = np.array(EDGE_BASES)
    for exponent in ("const", "tensor"):
        x = Tensor(bases, requires_grad=True)
        e = Tensor(np.zeros_like(bases), requires_grad=True)
        (x ** (0.0 if exponent == "const" else e)).sum().backward()
        px = torch.tensor(bases, requires_grad=True)
        pe = torch.zeros(len(bases), dtype=torch.float64, requires_grad=True)
        (px ** (0.0 if exponent == "const" else pe)).sum().backward()
        np.testing.assert_array_equal(x.grad, np.zeros_like(bases))  # y = x⁰ = 1 is constant in x
        np.testing.assert_array_equal(x.grad, px.grad.numpy())
        if exponent == "tensor":  # ∂y/∂e = y·ln x: nan/inf where ln x is, 0 at x = 0 (the limit)
            np.testing.assert_array_equal(e.grad, pe.grad.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elu_gradient_is_alpha_exp_z_exactly_far_to_the_left(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    z = np.array([-800.0, -100.0, -40.0, -36.7, -20.0, -1e-300, -0.0, 0.0, 1e-300, 3.0])
    for alpha in (1.0, 0.7):
        t = Tensor(z, requires_grad=True, dtype=dtype)
        t.elu(alpha).sum().backward()
        zd = z.astype(dtype).astype(np.float64)  # the points as the Tensor holds them
        closed = np.where(zd > 0, 1.0, alpha * np.exp(np.minimum(zd, 0.0)))  # α·eᶻ for z ≤ 0
        np.testing.assert_allclose(t.grad, closed.astype(dtype), rtol=1e-6 if dtype == "float32" else 1e-15)
        p = torch.tensor(z.astype(dtype), requires_grad=True)
        torch.nn.functional.elu(p, alpha).sum().backward()
        np.testing.assert_allclose(t.grad, p.grad.numpy(), rtol=1e-6 if dtype == "float32" else 1e-15)
    t = Tensor([-40.0], requires_grad=True)
    t.elu().backward(np.ones(1))
    assert t.grad[0] == pytest.approx(4.248354255291589e-18, rel=1e-15)  # e⁻⁴⁰, not 0


# -- smaller PyTorch-like behaviours and clear errors -----------------------------------------------


def test_bool_of_a_one_element_tensor_is_its_truth_and_otherwise_an_error() -> None:
    torch = pytest.importorskip("torch")
    for value in ([0.0], [2.0], 0.0, [[-0.0]], [np.nan]):
        assert bool(Tensor(value)) is bool(torch.tensor(value))
    for shape in ((2,), (0,), (2, 2)):
        with pytest.raises(ValueError, match=rf"bool\(Tensor\).*{re.escape(str(shape))}"):
            bool(Tensor(np.zeros(shape)))


def test_masked_arrays_are_rejected_instead_of_losing_their_mask() -> None:
    m = np.ma.array([1.0, 2.0], mask=[False, True])
    for make in (lambda: Tensor(m), lambda: Tensor([1.0, 2.0]) + m, lambda: Tensor([[1.0], m])):
        with pytest.raises(TypeError, match=r"(?s)MaskedArray.*mask.*filled"):
            make()


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
@pytest.mark.parametrize("bad", ["yes", 1, None, np.bool_(True)])
def test_keepdims_must_be_a_bool(reduce: str, bad) -> None:
    with pytest.raises(TypeError, match=rf"{reduce}\(keepdims\)"):
        getattr(Tensor([1.0, 2.0]), reduce)(keepdims=bad)


def test_group_max_names_the_shape_problem() -> None:
    with pytest.raises(ValueError, match=r"group_max\(pieces=1\).*shape.*\(\)"):
        Tensor(1.0).group_max(1)
    with pytest.raises(ValueError, match=r"group_max\(pieces=2\).*\(1, 3\).*divisible by 2"):
        Tensor([[1.0, 2.0, 3.0]]).group_max(2)
    with pytest.raises(ValueError, match=r"group_max\(pieces\)"):
        Tensor([1.0]).group_max(0)
    with pytest.raises(TypeError, match=r"group_max\(pieces\)"):
        Tensor([1.0]).group_max(1.0)


# -- graph semantics (PyTorch's): leaves accumulate, an op result's grad belongs to its pass ---------


def test_an_intermediate_grad_belongs_to_the_last_pass_and_leaves_accumulate() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    h = x * 3.0
    loss = (h * h).sum()  # ∂/∂h = 2h, ∂/∂x = 18x
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(h.grad, 2 * h.data)  # not 4h
    np.testing.assert_array_equal(x.grad, 2 * 18 * x.data)
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad, 18 * x.data)


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, (2, 3), elements=FLOATS), repeats=st.integers(1, 4))
def test_repeated_backward_adds_exactly_the_same_contribution(x, repeats: int) -> None:
    # the property: k backward calls on one graph give k times one call's leaf gradient, bit for bit
    # when k·g is exact (k a power of two) and to rounding otherwise
    t = Tensor(x, requires_grad=True)
    w = Tensor.parameter(RNG.normal(size=(2, 3)))
    loss = (linear(t.tanh(), w, relu=True) * t[:, :2]).sum() + (t**2.0).mean()
    loss.backward()
    once_t, once_w = t.grad.copy(), w.grad.copy()
    for _ in range(repeats - 1):
        loss.backward()
    np.testing.assert_allclose(t.grad, repeats * once_t, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(w.grad, repeats * once_w, rtol=1e-13, atol=1e-300)


def test_leaves_of_a_graph_never_share_gradient_memory_even_through_views() -> None:
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones(4), requires_grad=True)
    y = a.reshape(4) + b  # '+' passes g on unchanged to both inputs; reshape passes a view of it
    y.sum().backward()
    grads = [a.grad, b.grad]
    assert not np.shares_memory(grads[0], grads[1])
    a.grad += 1.0
    np.testing.assert_array_equal(b.grad, np.ones(4))


# -- the public table of local derivatives -----------------------------------------------------------


def test_a_new_op_through_define_op_and_record_backprops_like_a_built_in() -> None:
    from micrograd_tips.tensor import define_op, record

    name = f"softplus_test_{id(object())}"

    def softplus(x: np.ndarray) -> np.ndarray:  # y = ln(1 + eˣ)
        return np.logaddexp(0.0, x)

    @define_op(name)
    def _softplus_vjp(out, g):  # dy/dx = σ(x)
        (x,) = out._prev
        return (g / (1.0 + np.exp(-x.data)),)

    check_grad(lambda t: record(name, (t,), softplus(t.data)) * t, away_from_kinks((3, 2)))
    with pytest.raises(ValueError, match="replace=True"):
        define_op(name, _softplus_vjp)
    x = Tensor([0.5], requires_grad=True)
    y = record(name, (x,), softplus(x.data))
    define_op(name, lambda out, g: (g * 0.0,), replace=True)  # a node keeps the VJP it was built with
    y.backward()
    np.testing.assert_allclose(x.grad, [1 / (1 + np.exp(-0.5))])


def test_define_op_and_record_reject_bad_use_clearly() -> None:
    from micrograd_tips.tensor import define_op, record

    with pytest.raises(ValueError, match=r"define_op\(name\).*built-in"):
        define_op("+", lambda out, g: (g, g), replace=True)
    with pytest.raises(TypeError, match=r"define_op\(name\)"):
        define_op(3, lambda out, g: (g,))  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="vjp"):
        define_op("needs_a_callable_vjp", 42)  # type: ignore[call-overload]
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"no_such_op.*define_op"):
        record("no_such_op", (x,), x.data * 2)
    name = f"bad_shape_{id(object())}"
    define_op(name, lambda out, g: (g.sum(),))  # forgets the input's shape
    with pytest.raises(ValueError, match=rf"VJP of op '{name}'.*shape"):
        record(name, (Tensor([1.0, 2.0], requires_grad=True),), np.ones(2)).sum().backward()


def test_no_grad_and_is_grad_enabled_are_the_shared_per_thread_modes() -> None:
    import micrograd_tips._modes as modes
    import micrograd_tips.tensor as tensor

    assert tensor.no_grad is modes.no_grad and tensor.is_grad_enabled is modes.is_grad_enabled


def test_the_core_modules_import_no_scalar_backend_module_and_ops_not_the_engine() -> None:
    import ast
    import pathlib

    import micrograd_tips.tensor as tensor

    root = pathlib.Path(tensor.__file__).parent
    for name in ("engine.py", "ops.py", "losses.py", "_convert.py", "__init__.py"):
        source = (root / name).read_text(encoding="utf-8")
        assert "getrefcount" not in source, name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level == 2:  # from ..x import
                assert (node.module or "").startswith("_"), f"{name} imports the scalar {node.module}"
            if name == "ops.py" and isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module not in ("engine", None), "ops.py must not import the engine"
