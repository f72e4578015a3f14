"""Every op of the NumPy backend as math: the forward on arrays, then right below it the local
derivative, a vector–Jacobian product (VJP), entered in the table of local derivatives.

Lecture 0 (backpropagation). For y = f(x₁, …, xₙ) and g = ∂root/∂y the chain rule gives each input

    ∂root/∂xᵢ = (∂y/∂xᵢ)ᵀ · g        — one NumPy expression per input.

A VJP receives the op's output node `out` (``out.data`` = y, ``out._prev`` = the inputs,
``out._ctx`` = what the forward saved) and g, and returns one array per input (None for an input
that needs no gradient). A forward returns y, or ``(y, ctx)`` when its VJP needs saved values.
`engine.Tensor`'s methods call these forwards and record the result as a node; `define_op` is the
public way in, for new ops too (the NumPy mirror of the scalar engine's `define_unary`).

Broadcasting: an input that NumPy broadcast in the forward receives its gradient summed back to
its own shape (`unbroadcast`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, overload

import numpy as np

from .._checks import check_callable, check_str, fail

__all__ = ["Grads", "Node", "VJP", "define_op", "unbroadcast", "vjp_of", "winners"]

Grads = tuple[np.ndarray | None, ...]


class Node(Protocol):
    """What a VJP may read from an op's output node (a `Tensor`)."""

    @property
    def data(self) -> np.ndarray: ...
    @property
    def requires_grad(self) -> bool: ...
    @property
    def _prev(self) -> tuple[Node, ...]: ...
    @property
    def _op(self) -> str: ...
    @property
    def _ctx(self) -> Any: ...


VJP = Callable[[Node, np.ndarray], Grads]

_VJPS: dict[str, VJP] = {}  # op name → its local derivative; filled by `define_op` only


@overload
def define_op(name: str, vjp: None = None, *, replace: bool = False) -> Callable[[VJP], VJP]: ...
@overload
def define_op(name: str, vjp: VJP, *, replace: bool = False) -> VJP: ...
def define_op(name: str, vjp: VJP | None = None, *, replace: bool = False) -> Any:
    """Enter the local derivative (VJP) of op `name` in the table; as a decorator, right below
    the op's forward. Lecture 0: backprop then chains it into ∇L like any built-in op::

        def softplus(x):                   # y = ln(1 + eˣ)
            return np.logaddexp(0.0, x)

        @define_op("softplus")
        def _softplus_vjp(out, g):          # dy/dx = σ(x)
            (x,) = out._prev
            return (g / (1.0 + np.exp(-x.data)),)

        y = record("softplus", (t,), softplus(t.data))     # record: micrograd_tips.tensor

    A node keeps the VJP its op had when it was built. A name already in the table raises
    ValueError unless ``replace=True``; the built-in ops cannot be replaced.
    """
    check_str("define_op(name)", name)
    if not name:
        fail("define_op(name)", name, "a non-empty str", ValueError)
    if name in _VJPS and (not replace or name in _BUILT_IN):
        why = "a built-in op" if name in _BUILT_IN else "an op already defined (pass replace=True)"
        fail("define_op(name)", name, f"a new op name; {name!r} is {why}", ValueError)

    def enter(fn: VJP) -> VJP:
        _VJPS[name] = check_callable(f"define_op({name!r}) vjp", fn)
        return fn

    return enter if vjp is None else enter(vjp)


def vjp_of(name: str) -> VJP:
    """The local derivative entered for op `name` (a clear error if there is none)."""
    vjp = _VJPS.get(name)
    if vjp is None:
        fail("op", name, "an op with a local derivative: enter one with define_op(name)(vjp)", ValueError)
    return vjp


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient back to an input's `shape`: the adjoint of NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along its size-1 axes, so the
    gradients of the copies add up:  ∂L/∂x = Σ over the broadcast axes of ∂L/∂y.
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if ones:
        g = g.sum(axis=ones, keepdims=True)
    return g


_BUILT_IN: frozenset[str] = frozenset()  # set at the bottom of this file


# -- arithmetic (a, b = the inputs' arrays; NumPy broadcasting) ------------------------------------


def add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # IEEE results (inf + (−inf) = nan), no warnings
        return np.add(a, b)


@define_op("+")
def _add_vjp(out: Node, g: np.ndarray) -> Grads:  # y = a + b:  ∂y/∂a = 1, ∂y/∂b = 1
    a, b = out._prev
    return (
        unbroadcast(g, a.data.shape) if a.requires_grad else None,
        unbroadcast(g, b.data.shape) if b.requires_grad else None,
    )


def sub(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.subtract(a, b)


@define_op("-")
def _sub_vjp(out: Node, g: np.ndarray) -> Grads:  # y = a − b:  ∂y/∂a = 1, ∂y/∂b = −1
    a, b = out._prev
    return (
        unbroadcast(g, a.data.shape) if a.requires_grad else None,
        unbroadcast(-g, b.data.shape) if b.requires_grad else None,
    )


def mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # 0·inf = nan
        return np.multiply(a, b)


@define_op("*")
def _mul_vjp(out: Node, g: np.ndarray) -> Grads:  # y = a·b:  ∂y/∂a = b, ∂y/∂b = a
    a, b = out._prev
    with np.errstate(all="ignore"):
        return (
            unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None,
        )


def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):  # 1/0 = inf, 0/0 = nan
        return np.divide(a, b)


@define_op("/")
def _div_vjp(out: Node, g: np.ndarray) -> Grads:  # y = a/b:  ∂y/∂a = 1/b, ∂y/∂b = −y/b
    a, b = out._prev
    with np.errstate(all="ignore"):
        return (
            unbroadcast(g / b.data, a.data.shape) if a.requires_grad else None,
            unbroadcast(-g * out.data / b.data, b.data.shape) if b.requires_grad else None,
        )


def power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.power(a, b)


@define_op("**")
def _power_vjp(out: Node, g: np.ndarray) -> Grads:  # y = aᵇ:  ∂y/∂a = b·aᵇ⁻¹,  ∂y/∂b = y·ln a
    a, b = out._prev
    ga = gb = None
    with np.errstate(all="ignore"):
        if a.requires_grad:  # b = 0: y = 1 for every a, so ∂y/∂a = 0 (also at a = 0, nan, inf)
            da = np.where(b.data == 0, 0.0, b.data * np.power(a.data, b.data - 1))
            ga = unbroadcast(g * da, a.data.shape)
        if b.requires_grad:  # a = 0, b ≥ 0: 0, the limit of y·ln a (PyTorch's convention)
            db = np.where((a.data == 0) & (b.data >= 0), 0.0, out.data * np.log(a.data))
            gb = unbroadcast(g * db, b.data.shape)
    return ga, gb


def neg(x: np.ndarray) -> np.ndarray:
    return np.negative(x)


@define_op("neg")
def _neg_vjp(out: Node, g: np.ndarray) -> Grads:  # y = −x:  dy/dx = −1
    return (-g,)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """y = a @ b for 1-D or 2-D operands."""
    return a @ b


@define_op("@")
def _matmul_vjp(out: Node, g: np.ndarray) -> Grads:  # y = AB:  ∂/∂A = g Bᵀ,  ∂/∂B = Aᵀ g
    a, b = out._prev
    a2 = a.data if a.data.ndim == 2 else a.data[None, :]
    b2 = b.data if b.data.ndim == 2 else b.data[:, None]
    g2 = g.reshape(a2.shape[0], b2.shape[1])
    ga = (g2 @ b2.T).reshape(a.data.shape) if a.requires_grad else None
    gb = (a2.T @ g2).reshape(b.data.shape) if b.requires_grad else None
    return ga, gb


def astype(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return x.astype(dtype)


@define_op("astype")
def _astype_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x in another dtype:  dy/dx = 1, cast back
    return (g.astype(out._prev[0].data.dtype),)


# -- elementwise functions (x = the input's array) ---------------------------------------------------


def exp(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # e^1000 = inf
        return np.exp(x)


@define_op("exp")
def _exp_vjp(out: Node, g: np.ndarray) -> Grads:  # y = eˣ:  dy/dx = eˣ = y
    return (g * out.data,)


def log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # ln 0 = −inf, ln(−1) = nan
        return np.log(x)


@define_op("log")
def _log_vjp(out: Node, g: np.ndarray) -> Grads:  # y = ln x:  dy/dx = 1/x
    with np.errstate(divide="ignore", invalid="ignore"):
        return (g / out._prev[0].data,)


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


@define_op("tanh")
def _tanh_vjp(out: Node, g: np.ndarray) -> Grads:  # y = tanh x:  dy/dx = 1 − y²  (A1)
    y = out.data
    return (g * (1 - y * y),)


def sigmoid(x: np.ndarray) -> np.ndarray:
    # e = e^(−|x|) ∈ (0, 1] never overflows: σ = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@define_op("sigmoid")
def _sigmoid_vjp(out: Node, g: np.ndarray) -> Grads:  # y = σ(x):  dy/dx = y(1 − y) ≤ ¼  (A1)
    y = out.data
    return (g * y * (1 - y),)


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0)


@define_op("relu")
def _relu_vjp(out: Node, g: np.ndarray) -> Grads:  # y = max(0, x):  dy/dx = 1 (x > 0), 0 (x ≤ 0)
    return (g * (out._prev[0].data > 0),)


def leaky_relu(x: np.ndarray, slope: float) -> tuple[np.ndarray, float]:
    return np.where(x > 0, x, x * slope), slope


@define_op("leaky_relu")
def _leaky_relu_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x or s·x:  dy/dx = 1 (x > 0), s
    return (np.where(out._prev[0].data > 0, g, g * out._ctx),)


def prelu(x: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, alpha * x)


@define_op("prelu")
def _prelu_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x or α·x:  ∂y/∂x = 1 or α;  ∂y/∂α = 0 or x
    x, a = out._prev
    pos = x.data > 0
    gx = np.where(pos, g, g * a.data) if x.requires_grad else None
    ga = unbroadcast(np.where(pos, 0, g * x.data), a.data.shape) if a.requires_grad else None
    return gx, ga


def elu(x: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), alpha


@define_op("elu")
def _elu_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x or α(eˣ − 1):  dy/dx = 1 (x > 0), α·eˣ
    x = out._prev[0].data  # α·eˣ itself, not y + α: exact far left (α·e⁻⁴⁰ ≈ 4.25e-18·α)
    return (np.where(x > 0, g, g * out._ctx * np.exp(np.minimum(x, 0))),)


# -- reductions (axes: sorted, non-negative) --------------------------------------------------------


def reduce_sum(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> tuple[np.ndarray, Any]:
    with np.errstate(invalid="ignore"):  # inf + (−inf) = nan
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims)), (axes, keepdims)


@define_op("sum")
def _sum_vjp(out: Node, g: np.ndarray) -> Grads:  # y = Σ xᵢ:  ∂y/∂xᵢ = 1, g broadcast back
    axes, keepdims = out._ctx
    return (np.broadcast_to(g if keepdims else np.expand_dims(g, axes), out._prev[0].data.shape),)


def reduce_mean(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> tuple[np.ndarray, Any]:
    with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is nan
        return np.asarray(np.mean(x, axis=axes, keepdims=keepdims)), (axes, keepdims)


@define_op("mean")
def _mean_vjp(out: Node, g: np.ndarray) -> Grads:  # y = (1/n) Σ xᵢ:  ∂y/∂xᵢ = 1/n
    axes, keepdims = out._ctx
    shape = out._prev[0].data.shape
    n = int(np.prod([shape[i] for i in axes]))
    g = g / n if n else g
    return (np.broadcast_to(g if keepdims else np.expand_dims(g, axes), shape),)


def reduce_max(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> tuple[np.ndarray, Any]:
    """max over `axes`: the kept axes first, the reduced ones flattened last, then argmax."""
    kept = [i for i in range(x.ndim) if i not in axes]
    perm = kept + list(axes)
    flat = x.transpose(perm).reshape(*[x.shape[i] for i in kept], -1)
    idx = flat.argmax(axis=-1)[..., None]  # the first maximum (or the first nan), as argmax
    y = np.take_along_axis(flat, idx, axis=-1)[..., 0]
    if keepdims:
        y = y.reshape([1 if i in axes else n for i, n in enumerate(x.shape)])
    return y, (idx, perm, flat.shape)


@define_op("max")
def _max_vjp(out: Node, g: np.ndarray) -> Grads:  # y = max xᵢ:  ∂y/∂x_k = 1 (first winner k), else 0
    x = out._prev[0].data
    idx, perm, flat_shape = out._ctx
    gflat = np.zeros(flat_shape, dtype=x.dtype)
    np.put_along_axis(gflat, idx, g.reshape(idx.shape), axis=-1)
    return (gflat.reshape([x.shape[i] for i in perm]).transpose(np.argsort(perm)),)


def group_max(x: np.ndarray, pieces: int) -> tuple[np.ndarray, np.ndarray]:
    """Maxout (A3): the last axis in groups of `pieces` consecutive entries, each group's max."""
    z = x.reshape(*x.shape[:-1], x.shape[-1] // pieces, pieces)
    idx = z.argmax(axis=-1)[..., None]  # ties → the lowest index, as the scalar max_of
    return np.take_along_axis(z, idx, axis=-1)[..., 0], idx


@define_op("group_max")
def _group_max_vjp(out: Node, g: np.ndarray) -> Grads:  # yⱼ = max of group j:  1 at its winner
    x = out._prev[0].data
    gz = np.zeros((*g.shape, x.shape[-1] // g.shape[-1]), dtype=x.dtype)
    np.put_along_axis(gz, out._ctx, g[..., None], axis=-1)
    return (gz.reshape(x.shape),)


def winners(out: Node) -> np.ndarray:
    """For a `group_max` output: the index of the winning piece of every group (the thin network)."""
    if out._op != "group_max" or out._ctx is None:
        fail("winners(out)", out, "the output of group_max computed with gradients enabled", ValueError)
    return out._ctx[..., 0]


def log_softmax(x: np.ndarray, axis: int) -> tuple[np.ndarray, int]:
    """log pᵢ = (xᵢ − m) − log Σⱼ e^(xⱼ − m), m = max x: finite at ±1000."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = x - x.max(axis=axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=axis, keepdims=True)), axis


@define_op("log_softmax")
def _log_softmax_vjp(out: Node, g: np.ndarray) -> Grads:  # ∂yᵢ/∂xⱼ = [i = j] − pⱼ:  gⱼ − pⱼ Σᵢ gᵢ
    return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)


# -- shapes and indexing ----------------------------------------------------------------------------


def reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return x.reshape(shape)


@define_op("reshape")
def _reshape_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x in a new shape:  g reshaped back
    return (g.reshape(out._prev[0].data.shape),)


def transpose(x: np.ndarray, perm: tuple[int, ...]) -> tuple[np.ndarray, tuple[int, ...]]:
    return x.transpose(perm), perm


@define_op("transpose")
def _transpose_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x with axes permuted:  g permuted back
    return (g.transpose(np.argsort(out._ctx)),)


def getitem(x: np.ndarray, index: Any) -> tuple[np.ndarray, Any]:
    items = index if isinstance(index, tuple) else (index,)
    basic = (int, np.integer, slice, type(None), type(Ellipsis))
    is_basic = all(isinstance(i, basic) and not isinstance(i, (bool, np.bool_)) for i in items)
    return np.asarray(x[index]), (index, is_basic)


@define_op("getitem")
def _getitem_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x[i]:  ∂y/∂x[i] = 1; repeated picks add
    index, basic = out._ctx
    gx = np.zeros_like(out._prev[0].data)
    if basic:
        gx[index] = g
    else:
        np.add.at(gx, index, g)
    return (gx,)


# -- dropout and the fused linear layer -------------------------------------------------------------


def dropout_mask(x: np.ndarray, mask: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """y = x · mask · scale (B3): mask 0 = dropped, 1 = kept; scale = 1/(1 − p) when inverted."""
    factor = mask.astype(x.dtype) * x.dtype.type(scale)
    return x * factor, factor


@define_op("dropout_mask")
def _dropout_mask_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x·mask·scale:  ∂y/∂x = mask·scale
    return (g * out._ctx,)


def fused_linear(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, relu: bool) -> np.ndarray:
    """y = x·Wᵀ + b, then max(0, y) in place when `relu` (one node: op "linear" / "linear_relu")."""
    y = x @ w.T
    if b is not None:
        y += b
    if relu:
        np.maximum(y, 0, out=y)
    return y


@define_op("linear")
def _linear_vjp(out: Node, g: np.ndarray) -> Grads:  # y = x·Wᵀ + b:  ∂/∂x = g·W, ∂/∂W = gᵀ·x, ∂/∂b = Σₙ gₙ
    x, w = out._prev[:2]
    x2 = x.data if x.data.ndim == 2 else x.data[None, :]
    g2 = g if g.ndim == 2 else g[None, :]
    gx = (g2 @ w.data).reshape(x.data.shape) if x.requires_grad else None
    gw = g2.T @ x2 if w.requires_grad else None
    if len(out._prev) == 2:
        return gx, gw
    return gx, gw, (g2.sum(axis=0) if out._prev[2].requires_grad else None)


@define_op("linear_relu")
def _linear_relu_vjp(out: Node, g: np.ndarray) -> Grads:  # y = max(0, z):  dy/dz = [y > 0], then linear
    return _linear_vjp(out, g * (out.data > 0))


_BUILT_IN = frozenset(_VJPS)
