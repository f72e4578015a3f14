"""The vectorized engine: a `Tensor` graph over NumPy arrays and backpropagation.

The same ideas as the scalar `Value` engine (`micrograd_tips/engine.py`), one array per node:
every op returns a new `Tensor` whose `_prev` holds its inputs and whose `_op` names it; the local
derivative of each op is a small function in the derivative table `_BACKWARD` (bottom of the
file, and in `ops.py`). For ``y = f(x1, ..., xn)`` the chain rule reads::

    x_i.grad += (∂f/∂x_i)ᵀ · y.grad        (a vector–Jacobian product, one NumPy expression)

Broadcasting: an input that NumPy broadcast in the forward pass receives its gradient **summed
back to its own shape** (`unbroadcast`).

Graph recording: an op records its inputs only when one of them `requires_grad` and grad mode is
on (`no_grad()` turns it off); otherwise the result is a plain data leaf. Saved arrays live in
`_ctx`; no node refers to itself, so a graph is freed by reference counting as soon as its root
is dropped.

Numerics are IEEE like PyTorch (exp(1000) = inf, log(0) = −inf, no warnings). The anomaly mode
is the scalar engine's: inside ``micrograd_tips.detect_anomaly()`` the first op (forward or
backward) that yields nan/inf raises FloatingPointError naming the op.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..engine import is_anomaly_enabled
from ._convert import operand_array, resolve_dtype, to_array

__all__ = ["Tensor", "no_grad", "is_grad_enabled", "unbroadcast"]

Grads = tuple[np.ndarray | None, ...]
Backward = Callable[["Tensor", np.ndarray], Grads]

# op name → its backward (vector–Jacobian product); filled below and by ops.py
_BACKWARD: dict[str, Backward] = {}
_grad_enabled = True


@contextmanager
def no_grad() -> Iterator[None]:
    """Within this block ops record no graph (evaluation, parameter updates), like torch.no_grad."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """False inside a `no_grad()` block."""
    return _grad_enabled


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient back to an input's `shape`: the adjoint of NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along its size-1 axes, so the
    gradient of each copy is added up: sum over the leading axes, then (keepdims) over the axes
    where the input had size 1:  ∂L/∂x = Σ over the broadcast axes of ∂L/∂y.
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


def _summary(a: np.ndarray) -> str:
    """min/max of an array and how many entries are not finite."""
    finite = a[np.isfinite(a)]
    bad = a.size - finite.size
    text = f"min {finite.min():.4g}, max {finite.max():.4g}" if finite.size else "no finite entries"
    return text + (f", {bad} non-finite" if bad else "")


def _describe(t: Tensor) -> str:
    name = t.label or t._op or "leaf"
    return f"{name} {t.data.dtype}{list(t.data.shape)}"


class Tensor:
    """A node of a vectorized computation graph: an ndarray, its gradient and its inputs.

    Lecture 0, step 1 (define a set of functions): the network is a graph of Tensor ops, and
    backprop computes ∇L for gradient descent θ ← θ − η∇L.

    ``Tensor(data, requires_grad=False, label="", dtype=None)``.

    dtype rule: a float32 or float64 ndarray keeps its dtype; Python numbers, nested lists and
    integer arrays become float64 unless ``dtype="float32"``/``"float64"`` is given. Both operands
    of an op must have the same dtype: mixing a float32 and a float64 Tensor raises TypeError
    (no silent upcast); a scalar, list or integer array operand adopts the Tensor's dtype.
    Bools, complex numbers, strings, None, object arrays and ragged lists are rejected. The data
    are always copied, so a Tensor never aliases the array you passed.

    Attributes:
        data:  the ndarray (float32 or float64).
        grad:  ∂(root)/∂(this node) as an ndarray of `data`'s shape; None until a backward
               reaches this node (like PyTorch). `backward()` accumulates into it.
        requires_grad: whether gradients flow to this node (a leaf you ask it for, a parameter,
               or any result of an op with such an input).
        label: an optional name, shown by `draw_dot`.
        _prev: the input Tensors in operand order (empty for a leaf).
        _op:   the op that made this node; leaves say their role: "" data, "param" a learnable
               parameter, "const" a number an operator wrapped.
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "_prev", "_op", "_ctx", "_spare", "__weakref__")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    label: str
    _prev: tuple[Tensor, ...]
    _op: str
    _ctx: Any
    _spare: np.ndarray | None  # a parameter's last grad array, reused once nothing else holds it

    def __init__(self, data: Any, requires_grad: bool = False, label: str = "", dtype: Any = None):
        if isinstance(data, Tensor):
            raise TypeError("Tensor(data): got a Tensor; use t.detach() (shares data) or Tensor(t.data)")
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Tensor(requires_grad=...): got {requires_grad!r}; expected True or False")
        if not isinstance(label, str):
            raise TypeError(f"Tensor(label=...): got {type(label).__name__}; expected a str")
        self.data = to_array(data, resolve_dtype(dtype))
        self.grad = None
        self.requires_grad = requires_grad
        self.label = label
        self._prev = ()
        self._op = ""
        self._ctx = None
        self._spare = None

    @classmethod
    def parameter(cls, data: Any, label: str = "", dtype: Any = None) -> Tensor:
        """A learnable leaf (weights, biases, PReLU's α): requires_grad, marked ``_op = "param"``."""
        t = cls(data, requires_grad=True, label=label, dtype=dtype)
        t._op = "param"
        return t

    # -- array-like properties ----------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of `data`."""
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """float32 or float64."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes of `data`."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements of `data`."""
        return int(self.data.size)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    def item(self) -> float:
        """The value of a one-element Tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item(): the Tensor has shape {self.shape}; only one-element Tensors convert")
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A data leaf sharing this node's array, cut from the graph."""
        return _leaf(self.data)

    def summary(self, which: str = "data") -> str:
        """A short text for `draw_dot`: shape, dtype and min/max of `data` or `grad`."""
        if which not in ("data", "grad"):
            raise ValueError(f"summary(which=...): got {which!r}; expected 'data' or 'grad'")
        arr = self.data if which == "data" else self.grad
        if arr is None:
            return "None"
        if arr.size <= 4:
            return np.array2string(arr, precision=4, separator=", ")
        return _summary(arr)

    def __repr__(self) -> str:
        name = f"{self.label!r}, " if self.label else ""
        rg = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({name}shape={self.shape}, dtype={self.dtype}{rg}, data={self.summary()})"

    # -- backpropagation -------------------------------------------------------------------------

    def backward(self, grad: Any = None) -> None:
        """Backpropagate from this node: ``self.grad += grad``, then the chain rule to every input.

        `grad` defaults to 1 for a one-element root (a loss); other roots need an explicit array of
        their shape. Gradients **accumulate** into `.grad` of every node reached (set them to None
        with `zero_grad()` between steps); each call propagates only its own contribution.

        Nodes are visited in reverse topological order (Kahn's algorithm: a node is processed once
        all its consumers have sent their gradient) with an explicit stack, no recursion.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward(): this Tensor does not require grad (no input had requires_grad=True, "
                "or it was computed under no_grad())"
            )
        seed = self._seed(grad)
        # Pass 1: count the consumers of every node that needs a gradient.
        pending: dict[Tensor, int] = {self: 0}
        stack = [self]
        while stack:
            for child in stack.pop()._prev:
                if child.requires_grad:
                    if child in pending:
                        pending[child] += 1
                    else:
                        pending[child] = 1
                        stack.append(child)
        # Pass 2: process a node once every consumer has sent its gradient.
        incoming: dict[Tensor, np.ndarray] = {self: seed}
        assigned: set[int] = set()  # memory already stored as some node's .grad in this call
        anomaly = is_anomaly_enabled()
        ready = [self]
        while ready:
            node = ready.pop()
            g = incoming.pop(node, None)
            if g is None:
                g = np.zeros_like(node.data)
            _store_grad(node, g, assigned)
            prev = node._prev
            if not prev:
                continue
            grads = _BACKWARD[node._op](node, g)
            if anomaly:
                _check_backward(node, g, grads)
            for child, cg in zip(prev, grads):
                if not child.requires_grad:
                    continue
                if cg is not None:
                    old = incoming.get(child)
                    incoming[child] = cg if old is None else old + cg
                left = pending[child] - 1
                pending[child] = left
                if left == 0:
                    ready.append(child)

    def _seed(self, grad: Any) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward(): the root has shape {self.shape}; give grad= an array of that shape "
                    "(an implicit gradient of 1 exists only for one-element roots)"
                )
            return np.ones_like(self.data)
        seed = grad.data if isinstance(grad, Tensor) else grad
        arr = operand_array(seed, self.data.dtype, "backward")
        if isinstance(grad, Tensor) and grad.dtype != self.dtype:
            raise TypeError(f"backward(grad=...): got dtype {grad.dtype}; the root is {self.dtype}")
        if arr.shape != self.shape and not (arr.ndim == 0 and self.data.size == 1):
            raise ValueError(f"backward(grad=...): got shape {arr.shape}; the root has shape {self.shape}")
        return arr.reshape(self.shape)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph to None (iteratively)."""
        seen = {self}
        stack = [self]
        while stack:
            node = stack.pop()
            node.grad = None
            for child in node._prev:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)

    # -- arithmetic (forward here; derivatives in the table at the bottom) -----------------------

    def _other(self, other: Any, op: str) -> Tensor:
        if isinstance(other, Tensor):
            if other.data.dtype != self.data.dtype:
                raise TypeError(
                    f"{op!r}: dtype mismatch, {self.data.dtype} {_describe(self)} and {other.data.dtype} "
                    f"{_describe(other)}; no silent upcast: convert one with .astype(...)"
                )
            return other
        t = _leaf(operand_array(other, self.data.dtype, op))
        t._op = "const"
        return t

    def _binary(self, other: Any, op: str, ufunc: Callable, reflected: bool = False) -> Tensor:
        b = self._other(other, op)
        a, b = (b, self) if reflected else (self, b)
        try:
            with np.errstate(all="ignore"):
                out = ufunc(a.data, b.data)
        except ValueError:
            raise ValueError(f"{op!r}: shapes {a.shape} and {b.shape} do not broadcast") from None
        return _make(out, (a, b), op)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(other, "+", np.add)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(other, "+", np.add, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", np.subtract)

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", np.subtract, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", np.multiply)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", np.multiply, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", np.divide)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", np.divide, reflected=True)

    def __pow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", np.power)

    def __rpow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", np.power, reflected=True)

    def __neg__(self) -> Tensor:
        return _make(-self.data, (self,), "neg")

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, self._other(other, "@"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(self._other(other, "@"), self)

    def astype(self, dtype: Any) -> Tensor:
        """The same values as float32 or float64 (the explicit conversion); d/dx = 1, cast back."""
        target = resolve_dtype(dtype, "astype(dtype)")
        assert target is not None
        return _make(self.data.astype(target), (self,), "astype")

    # -- the other ops: thin methods over ops.py, where each forward sits beside its derivative --

    def exp(self) -> Tensor:
        """eˣ elementwise;  d/dx eˣ = eˣ.  Overflows to inf (float64: x > 709.78)."""
        return _ops.exp(self)

    def log(self) -> Tensor:
        """ln x elementwise;  d/dx ln x = 1/x.  ln 0 = −inf, ln(x < 0) = nan."""
        return _ops.log(self)

    def tanh(self) -> Tensor:
        """tanh x;  tanh'(x) = 1 − tanh²(x)  (lecture A1: saturates like the sigmoid)."""
        return _ops.tanh(self)

    def sigmoid(self) -> Tensor:
        """σ(x) = 1/(1 + e⁻ˣ), stable for any |x|;  σ'(x) = σ(x)(1 − σ(x)) ≤ ¼  (lecture A1)."""
        return _ops.sigmoid(self)

    def relu(self) -> Tensor:
        """ReLU a = max(0, z);  a' = 1 for z > 0, 0 for z ≤ 0  (lecture A2). nan stays nan."""
        return _ops.relu(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """Leaky ReLU: a = z (z > 0) or negative_slope·z;  a' = 1 or negative_slope  (lecture A2)."""
        return _ops.leaky_relu(self, negative_slope)

    def prelu(self, alpha: Tensor | float) -> Tensor:
        """Parametric ReLU: a = z (z > 0) or α·z, α learned, broadcast over z  (lecture A2).

        ∂a/∂z = 1 or α;  ∂a/∂α = 0 or z (summed over the positions that share an α).
        """
        return _ops.prelu(self, alpha)

    def elu(self, alpha: float = 1.0) -> Tensor:
        """ELU: a = z (z > 0) or α(eᶻ − 1);  a' = 1 or α·eᶻ  (lecture A2)."""
        return _ops.elu(self, alpha)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Σ over `axis` (all axes if None);  ∂/∂xᵢ = 1 (the gradient is broadcast back)."""
        return _ops.reduce_sum(self, axis, keepdims, "sum")

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """(1/n) Σ over `axis`;  ∂/∂xᵢ = 1/n."""
        return _ops.reduce_sum(self, axis, keepdims, "mean")

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """max over `axis`; the whole gradient goes to one winner, the lowest (C-order) index.

        The same tie rule as the scalar `max_of` (lecture A3); a nan counts as the maximum.
        """
        return _ops.reduce_max(self, axis, keepdims)

    def group_max(self, pieces: int) -> Tensor:
        """Maxout's group max (lecture A3): the last axis, of size k·pieces, is split into k groups
        of `pieces` consecutive entries, and each group outputs its max → last axis of size k.

        Gradient: to the winner of each group only (ties → the lowest index, as `max_of`).
        """
        return _ops.group_max(self, pieces)

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """The same entries in a new shape (one -1 allowed); the gradient is reshaped back."""
        return _ops.reshape(self, shape)

    def transpose(self, *axes: int | tuple[int, ...]) -> Tensor:
        """Permute the axes (reverse them if none given); the gradient is permuted back."""
        return _ops.transpose(self, axes)

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed)."""
        return _ops.transpose(self, ())

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy indexing (slices, ints, integer arrays);  the gradient is scattered back with +=,
        so an entry picked twice receives both contributions."""
        return _ops.getitem(self, index)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log softmax(x)ᵢ = xᵢ − log Σⱼ eˣʲ, computed as (x − m) − log Σ e^(x−m), m = max x
        (stable at ±1000);  ∂/∂xᵢ: gᵢ − softmaxᵢ · Σⱼ gⱼ."""
        return _ops.log_softmax(self, axis)

    def dropout_mask(self, mask: Any, scale: float = 1.0) -> Tensor:
        """Dropout with a given mask (lecture B3): y = x · mask · scale, mask of 0 (dropped) and
        1 (kept), broadcast over x;  ∂y/∂x = mask · scale. scale = 1/(1−p) is inverted dropout."""
        return _ops.dropout_mask(self, mask, scale)


def _leaf(data: np.ndarray) -> Tensor:
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = False
    t.label = ""
    t._prev = ()
    t._op = ""
    t._ctx = None
    t._spare = None
    return t


def _make(data: np.ndarray, prev: tuple[Tensor, ...], op: str, ctx: Any = None) -> Tensor:
    """The output node of an op: records `prev` and `ctx` only if a gradient can flow back."""
    t = _leaf(data)
    if _grad_enabled and any(p.requires_grad for p in prev):
        t.requires_grad = True
        t._prev = prev
        t._op = op
        t._ctx = ctx
        if is_anomaly_enabled() and not np.isfinite(data).all():
            inputs = "; ".join(f"{_describe(p)}: {_summary(p.data)}" for p in prev)
            raise FloatingPointError(f"anomaly: op {op!r} produced {_summary(data)} from inputs [{inputs}]")
    return t


def _memory_id(a: np.ndarray) -> int:
    """The id of the array owning a's memory: a view (reshape, transpose) and its base share it."""
    return id(a if a.base is None else a.base)


def _store_grad(node: Tensor, g: np.ndarray, assigned: set[int]) -> None:
    """node.grad += g, never sharing memory with another node's grad (so a later += is safe)."""
    if node.grad is not None:  # from an earlier call: no child will see it, g is only added
        node.grad += g
        return
    memory = _memory_id(g)
    if memory in assigned or not g.flags.writeable or g.dtype != node.data.dtype:
        g = np.array(g, dtype=node.data.dtype)
        memory = id(g)
    node.grad = g
    if node._op == "param":
        node._spare = g
    assigned.add(memory)


def grad_buffer(t: Tensor) -> np.ndarray | None:
    """An array a backward may write t's new gradient into (``out=``), or None to allocate.

    After `zero_grad()` set a parameter's grad to None, its previous grad array is reused — but
    only if nothing else refers to it any more (its reference count), so an array a user kept
    is never overwritten. This spares the allocator and the page faults of a fresh large array
    on every step (like PyTorch's caching allocator).
    """
    buf = t._spare
    # references: t._spare, the local `buf`, getrefcount's argument → 3 when nobody else holds it
    if buf is None or t.grad is not None or sys.getrefcount(buf) != 3:
        return None
    return buf


def _check_backward(node: Tensor, g: np.ndarray, grads: Grads) -> None:
    for i, (child, cg) in enumerate(zip(node._prev, grads)):
        if child.requires_grad and cg is not None and not np.isfinite(cg).all():
            raise FloatingPointError(
                f"anomaly in backward: op {node._op!r} (output {_summary(node.data)}, upstream grad "
                f"{_summary(g)}) gave input #{i} ({_describe(child)}) the gradient {_summary(cg)}"
            )


# ---------------------------------------------------------------------------------------------
# Derivative table for the ops above.  a, b = inputs, y = output, g = ∂root/∂y.
# ---------------------------------------------------------------------------------------------


def _back_add(out: Tensor, g: np.ndarray) -> Grads:  # y = a + b:  ∂y/∂a = 1, ∂y/∂b = 1
    a, b = out._prev
    ga = unbroadcast(g, a.data.shape) if a.requires_grad else None
    return ga, (unbroadcast(g, b.data.shape) if b.requires_grad else None)


def _back_sub(out: Tensor, g: np.ndarray) -> Grads:  # y = a − b:  ∂y/∂a = 1, ∂y/∂b = −1
    a, b = out._prev
    ga = unbroadcast(g, a.data.shape) if a.requires_grad else None
    return ga, (unbroadcast(-g, b.data.shape) if b.requires_grad else None)


def _back_mul(out: Tensor, g: np.ndarray) -> Grads:  # y = a·b:  ∂y/∂a = b, ∂y/∂b = a
    a, b = out._prev
    ga = unbroadcast(g * b.data, a.data.shape) if a.requires_grad else None
    gb = unbroadcast(g * a.data, b.data.shape) if b.requires_grad else None
    return ga, gb


def _back_div(out: Tensor, g: np.ndarray) -> Grads:  # y = a/b:  ∂y/∂a = 1/b, ∂y/∂b = −y/b
    a, b = out._prev
    with np.errstate(all="ignore"):
        ga = unbroadcast(g / b.data, a.data.shape) if a.requires_grad else None
        gb = unbroadcast(-g * out.data / b.data, b.data.shape) if b.requires_grad else None
    return ga, gb


def _back_pow(out: Tensor, g: np.ndarray) -> Grads:  # y = aᵇ:  ∂y/∂a = b·aᵇ⁻¹,  ∂y/∂b = y·ln a
    a, b = out._prev
    ga = gb = None
    with np.errstate(all="ignore"):
        if a.requires_grad:
            ga = unbroadcast(g * b.data * np.power(a.data, b.data - 1), a.data.shape)
        if b.requires_grad:  # PyTorch's convention: 0 where a == 0 and b ≥ 0 (the limit of y·ln a)
            d = np.where((a.data == 0) & (b.data >= 0), 0, out.data * np.log(a.data))
            gb = unbroadcast(g * d.astype(out.data.dtype, copy=False), b.data.shape)
    return ga, gb


def _back_neg(out: Tensor, g: np.ndarray) -> Grads:  # y = −x:  dy/dx = −1
    return (-g,)


def _back_astype(out: Tensor, g: np.ndarray) -> Grads:  # y = x (other dtype):  dy/dx = 1
    return (g.astype(out._prev[0].data.dtype),)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    """y = a @ b for 1-D or 2-D operands (inner dimensions must agree)."""
    if not (1 <= a.data.ndim <= 2 and 1 <= b.data.ndim <= 2):
        raise ValueError(f"'@': only 1-D and 2-D operands are supported; got shapes {a.shape} and {b.shape}")
    if a.data.shape[-1] != b.data.shape[0]:
        raise ValueError(f"'@': shapes {a.shape} and {b.shape} are not aligned (inner dimensions differ)")
    return _make(a.data @ b.data, (a, b), "@")


def _back_matmul(out: Tensor, g: np.ndarray) -> Grads:  # y = AB:  ∂/∂A = g Bᵀ,  ∂/∂B = Aᵀ g
    a, b = out._prev
    a2 = a.data if a.data.ndim == 2 else a.data[None, :]
    b2 = b.data if b.data.ndim == 2 else b.data[:, None]
    g2 = g.reshape(a2.shape[0], b2.shape[1])
    ga = (g2 @ b2.T).reshape(a.data.shape) if a.requires_grad else None
    gb = (a2.T @ g2).reshape(b.data.shape) if b.requires_grad else None
    return ga, gb


_BACKWARD.update(
    {
        "+": _back_add,
        "-": _back_sub,
        "*": _back_mul,
        "/": _back_div,
        "**": _back_pow,
        "neg": _back_neg,
        "astype": _back_astype,
        "@": _back_matmul,
    }
)


from . import ops as _ops  # noqa: E402  (ops.py needs Tensor, defined above)
