"""The Tensor ops beyond arithmetic: each forward beside its local derivative (vector–Jacobian
product). x = input, y = output, g = ∂root/∂y; every `_back_*` returns ∂root/∂input per input.

The `Tensor` methods of the same names call these; `linear` (fused x·Wᵀ + b) is used by the layers.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .engine import _BACKWARD, Grads, Tensor, _make, grad_buffer, unbroadcast

__all__ = ["linear"]


def _real(x: Any, what: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what}: got {type(x).__name__} {x!r:.40}; expected a real number")
    return float(x)


def _int(x: Any, what: str) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"{what}: got {type(x).__name__} {x!r:.40}; expected an int")
    return int(x)


def _axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple of ints) as sorted non-negative axes of an ndim-array."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    axes = []
    for a in items:
        a = _int(a, f"{op}(axis=...)")
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}(axis=...): axis {a} is out of range for a {ndim}-d Tensor")
        axes.append(a % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}(axis=...): repeated axis in {axis!r}")
    return tuple(sorted(axes))


# -- elementwise functions ---------------------------------------------------------------------


def exp(x: Tensor) -> Tensor:
    with np.errstate(over="ignore"):
        return _make(np.exp(x.data), (x,), "exp")


def _back_exp(out: Tensor, g: np.ndarray) -> Grads:  # y = eˣ:  dy/dx = eˣ = y
    return (g * out.data,)


def log(x: Tensor) -> Tensor:
    with np.errstate(divide="ignore", invalid="ignore"):
        return _make(np.log(x.data), (x,), "log")


def _back_log(out: Tensor, g: np.ndarray) -> Grads:  # y = ln x:  dy/dx = 1/x
    with np.errstate(divide="ignore", invalid="ignore"):
        return (g / out._prev[0].data,)


def tanh(x: Tensor) -> Tensor:
    return _make(np.tanh(x.data), (x,), "tanh")


def _back_tanh(out: Tensor, g: np.ndarray) -> Grads:  # y = tanh x:  dy/dx = 1 − y²
    y = out.data
    return (g * (1 - y * y),)


def sigmoid(x: Tensor) -> Tensor:
    # e = e^(−|x|) ∈ (0, 1] never overflows: σ = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0.
    d = x.data
    e = np.exp(-np.abs(d))
    return _make(np.where(d >= 0, 1 / (1 + e), e / (1 + e)), (x,), "sigmoid")


def _back_sigmoid(out: Tensor, g: np.ndarray) -> Grads:  # y = σ(x):  dy/dx = y(1 − y) ≤ ¼ (A1)
    y = out.data
    return (g * y * (1 - y),)


def relu(x: Tensor) -> Tensor:
    return _make(np.maximum(x.data, 0), (x,), "relu")


def _back_relu(out: Tensor, g: np.ndarray) -> Grads:  # y = max(0, x):  dy/dx = 1 (x > 0), 0 (x ≤ 0)
    return (g * (out._prev[0].data > 0),)


def leaky_relu(x: Tensor, negative_slope: float) -> Tensor:
    slope = _real(negative_slope, "leaky_relu(negative_slope)")
    d = x.data
    return _make(np.where(d > 0, d, d * slope), (x,), "leaky_relu", slope)


def _back_leaky_relu(out: Tensor, g: np.ndarray) -> Grads:  # y = x or s·x:  dy/dx = 1 (x > 0), s otherwise
    return (np.where(out._prev[0].data > 0, g, g * out._ctx),)


def prelu(x: Tensor, alpha: Tensor | float) -> Tensor:
    a = x._other(alpha, "prelu")
    if np.broadcast_shapes(a.data.shape, x.data.shape) != x.data.shape:
        raise ValueError(f"prelu: alpha of shape {a.shape} does not broadcast to the input's shape {x.shape}")
    d = x.data
    return _make(np.where(d > 0, d, a.data * d), (x, a), "prelu")


def _back_prelu(out: Tensor, g: np.ndarray) -> Grads:  # y = x or α·x:  ∂y/∂x = 1 or α;  ∂y/∂α = 0 or x
    x, a = out._prev
    pos = x.data > 0
    gx = np.where(pos, g, g * a.data) if x.requires_grad else None
    ga = unbroadcast(np.where(pos, 0, g * x.data), a.data.shape) if a.requires_grad else None
    return gx, ga


def elu(x: Tensor, alpha: float) -> Tensor:
    a = _real(alpha, "elu(alpha)")
    d = x.data
    with np.errstate(over="ignore"):
        return _make(np.where(d > 0, d, a * np.expm1(np.minimum(d, 0))), (x,), "elu", a)


def _back_elu(out: Tensor, g: np.ndarray) -> Grads:  # y = x or α(eˣ − 1):  dy/dx = 1 or α·eˣ = y + α
    return (np.where(out._prev[0].data > 0, g, g * (out.data + out._ctx)),)


# -- reductions ------------------------------------------------------------------------------


def reduce_sum(x: Tensor, axis: Any, keepdims: bool, op: str) -> Tensor:
    axes = _axes(axis, x.data.ndim, op)
    fn = np.sum if op == "sum" else np.mean
    with np.errstate(invalid="ignore", divide="ignore"):
        return _make(np.asarray(fn(x.data, axis=axes, keepdims=bool(keepdims))), (x,), op, (axes, keepdims))


def _back_sum(out: Tensor, g: np.ndarray) -> Grads:  # y = Σ xᵢ or (1/n) Σ xᵢ:  ∂y/∂xᵢ = 1 or 1/n
    (x,) = out._prev
    axes, keepdims = out._ctx
    if not keepdims:
        g = np.expand_dims(g, axes)
    if out._op == "mean":
        n = int(np.prod([x.data.shape[i] for i in axes]))
        g = g / n if n else g
    return (np.broadcast_to(g, x.data.shape),)


def reduce_max(x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    axes = _axes(axis, x.data.ndim, "max")
    kept = [i for i in range(x.data.ndim) if i not in axes]
    kept_shape = tuple(x.data.shape[i] for i in kept)
    flat = x.data.transpose(kept + list(axes)).reshape(*kept_shape, -1)
    if flat.shape[-1] == 0:
        raise ValueError(f"max: the reduced axes {axes} of shape {x.shape} are empty")
    idx = flat.argmax(axis=-1)[..., None]  # first maximum (or first nan), like argmax
    out = np.take_along_axis(flat, idx, axis=-1)[..., 0]
    if keepdims:
        out = out.reshape([1 if i in axes else n for i, n in enumerate(x.data.shape)])
    return _make(out, (x,), "max", (idx, kept + list(axes), flat.shape))


def _back_max(out: Tensor, g: np.ndarray) -> Grads:  # y = max xᵢ:  ∂y/∂x_k = 1 (first winner k), else 0
    (x,) = out._prev
    idx, perm, flat_shape = out._ctx
    gflat = np.zeros(flat_shape, dtype=x.data.dtype)
    np.put_along_axis(gflat, idx, g.reshape(idx.shape), axis=-1)
    moved = gflat.reshape([x.data.shape[i] for i in perm])
    return (moved.transpose(np.argsort(perm)),)


def group_max(x: Tensor, pieces: int) -> Tensor:
    k = _int(pieces, "group_max(pieces)")
    n = x.data.shape[-1] if x.data.ndim else 0
    if k < 1 or n % k:
        raise ValueError(
            f"group_max(pieces={pieces!r}): the last axis ({n}) must split into groups of {k} ≥ 1"
        )
    z = x.data.reshape(*x.data.shape[:-1], n // k, k)
    idx = z.argmax(axis=-1)[..., None]  # ties → the lowest index, as the scalar max_of
    return _make(np.take_along_axis(z, idx, axis=-1)[..., 0], (x,), "group_max", idx)


def _back_group_max(out: Tensor, g: np.ndarray) -> Grads:  # yⱼ = max of group j:  ∂yⱼ/∂x = 1 at its winner
    (x,) = out._prev
    idx = out._ctx
    gz = np.zeros((*g.shape, x.data.shape[-1] // g.shape[-1]), dtype=x.data.dtype)
    np.put_along_axis(gz, idx, g[..., None], axis=-1)
    return (gz.reshape(x.data.shape),)


def winners(out: Tensor) -> np.ndarray:
    """For a `group_max` output: the index of the winning piece of every group (the thin network)."""
    if out._op != "group_max" or out._ctx is None:
        raise ValueError("winners(): expected the output of group_max computed with gradients enabled")
    return out._ctx[..., 0]


# -- shapes and indexing ---------------------------------------------------------------------


def _shape_args(args: tuple, op: str) -> tuple[int, ...]:
    items = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    return tuple(_int(n, f"{op}(shape)") for n in items)


def reshape(x: Tensor, shape: tuple) -> Tensor:
    new = _shape_args(shape, "reshape")
    try:
        data = x.data.reshape(new)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape shape {x.shape} (size {x.size}) into {new}") from None
    return _make(data, (x,), "reshape")


def _back_reshape(out: Tensor, g: np.ndarray) -> Grads:  # y = x (new shape):  ∂y/∂x = 1, g reshaped back
    return (g.reshape(out._prev[0].data.shape),)


def transpose(x: Tensor, axes: tuple) -> Tensor:
    ndim = x.data.ndim
    perm = _shape_args(axes, "transpose") if axes else tuple(reversed(range(ndim)))
    if sorted(a % ndim if -ndim <= a < ndim else a + 2 * ndim for a in perm) != list(range(ndim)):
        raise ValueError(
            f"transpose: axes {perm} are not a permutation of the {x.data.ndim} axes of {x.shape}"
        )
    return _make(x.data.transpose(perm), (x,), "transpose", perm)


def _back_transpose(out: Tensor, g: np.ndarray) -> Grads:  # y = x permuted:  ∂y/∂x = 1, g permuted back
    return (g.transpose(np.argsort([a % g.ndim for a in out._ctx])),)


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    basic = (int, np.integer, slice, type(None), type(Ellipsis))
    return all(isinstance(i, basic) and not isinstance(i, (bool, np.bool_)) for i in items)


def getitem(x: Tensor, index: Any) -> Tensor:
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(i, Tensor) for i in items):
        raise TypeError(
            "Tensor[index]: a Tensor is not an index (it holds floats); index with ints or int arrays"
        )
    try:
        data = x.data[index]
    except IndexError as e:
        raise IndexError(f"Tensor[index] with shape {x.shape}: {e}") from None
    return _make(np.asarray(data), (x,), "getitem", (index, _is_basic(index)))


def _back_getitem(out: Tensor, g: np.ndarray) -> Grads:  # y = x[i]:  ∂y/∂x[i] = 1; repeated picks add up
    (x,) = out._prev
    index, basic = out._ctx
    gx = np.zeros_like(x.data)
    if basic:
        gx[index] = g
    else:
        np.add.at(gx, index, g)
    return (gx,)


# -- softmax, dropout, the fused linear layer ----------------------------------------------------


def log_softmax(x: Tensor, axis: int) -> Tensor:
    ax = _axes(_int(axis, "log_softmax(axis)"), x.data.ndim, "log_softmax")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        z = x.data - x.data.max(axis=ax, keepdims=True)
        y = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))
    return _make(y, (x,), "log_softmax", ax)


def _back_log_softmax(out: Tensor, g: np.ndarray) -> Grads:  # ∂yᵢ/∂xⱼ = [i = j] − pⱼ → gⱼ − pⱼ Σᵢ gᵢ
    return (g - np.exp(out.data) * g.sum(axis=out._ctx, keepdims=True),)


def dropout_mask(x: Tensor, mask: Any, scale: float) -> Tensor:
    s = _real(scale, "dropout_mask(scale)")
    if not (np.isfinite(s) and s >= 0):
        raise ValueError(f"dropout_mask(scale): got {scale!r}; expected a finite number ≥ 0")
    m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if m.dtype != np.bool_:
        if m.dtype.kind not in "fiu" or not np.isin(m, (0, 1)).all():
            raise ValueError("dropout_mask(mask): expected bools or 0/1 entries (1 = kept, 0 = dropped)")
    if np.broadcast_shapes(m.shape, x.data.shape) != x.data.shape:
        raise ValueError(f"dropout_mask: mask of shape {m.shape} does not broadcast to the input's {x.shape}")
    factor = m.astype(x.data.dtype) * x.data.dtype.type(s)
    return _make(x.data * factor, (x,), "dropout_mask", factor)


def _back_dropout_mask(out: Tensor, g: np.ndarray) -> Grads:  # y = x·mask·scale:  ∂y/∂x = mask·scale (B3)
    return (g * out._ctx,)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, relu: bool = False) -> Tensor:
    """The fused layer op y = x·Wᵀ + b for x of shape (N, nin) or (nin,), W (nout, nin), b (nout,).

    Lecture 0, step 1 (define a set of functions): every layer of the network is this op.

    One node instead of three (transpose, @, +):  ∂/∂x = g·W,  ∂/∂W = gᵀ·x,  ∂/∂b = Σₙ gₙ.
    ``relu=True`` fuses the ReLU too, y = max(0, x·Wᵀ + b) in place (op "linear_relu"), and
    the backward first masks g with [y > 0] (relu'(0) = 0).
    """
    for name, t in (("x", x), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"linear({name}): got {type(t).__name__}; expected a Tensor")
    w = x._other(weight, "linear")
    if w.data.ndim != 2 or x.data.ndim not in (1, 2) or x.data.shape[-1] != w.data.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} and weight of shape {w.shape} do not fit (N, nin)·(nout, nin)ᵀ"
        )
    y = x.data @ w.data.T
    prev: tuple[Tensor, ...] = (x, w)
    if bias is not None:
        b = x._other(bias, "linear")
        if b.data.shape != (w.data.shape[0],):
            raise ValueError(f"linear: bias of shape {b.shape} does not match weight of shape {w.shape}")
        y += b.data
        prev = (x, w, b)
    if relu:
        np.maximum(y, 0, out=y)
    return _make(y, prev, "linear_relu" if relu else "linear")


def _back_linear(out: Tensor, g: np.ndarray) -> Grads:  # y = x·Wᵀ + b:  ∂/∂x = g·W, ∂/∂W = gᵀ·x, ∂/∂b = Σₙ gₙ
    x, w = out._prev[:2]
    if out._op == "linear_relu":  # y = max(0, z):  dy/dz = [y > 0], applied to g first
        g = g * (out.data > 0)
    x2 = x.data if x.data.ndim == 2 else x.data[None, :]
    g2 = g if g.ndim == 2 else g[None, :]
    gx = (g2 @ w.data).reshape(x.data.shape) if x.requires_grad else None
    gw = np.matmul(g2.T, x2, out=grad_buffer(w)) if w.requires_grad else None
    if len(out._prev) == 2:
        return gx, gw
    b = out._prev[2]
    gb = np.sum(g2, axis=0, out=grad_buffer(b)) if b.requires_grad else None
    return gx, gw, gb


_BACKWARD.update(
    {
        "exp": _back_exp,
        "log": _back_log,
        "tanh": _back_tanh,
        "sigmoid": _back_sigmoid,
        "relu": _back_relu,
        "leaky_relu": _back_leaky_relu,
        "prelu": _back_prelu,
        "elu": _back_elu,
        "sum": _back_sum,
        "mean": _back_sum,
        "max": _back_max,
        "group_max": _back_group_max,
        "reshape": _back_reshape,
        "transpose": _back_transpose,
        "getitem": _back_getitem,
        "log_softmax": _back_log_softmax,
        "dropout_mask": _back_dropout_mask,
        "linear": _back_linear,
        "linear_relu": _back_linear,
    }
)
