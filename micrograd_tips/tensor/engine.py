"""The vectorized engine: a `Tensor` graph over NumPy arrays, and backpropagation.

The scalar `Value` engine's ideas, one array per node: every op returns a new `Tensor` whose
`_prev` holds its inputs and whose `_op` names it. The math of each op — its forward and, right
below, its local derivative as a vector–Jacobian product (VJP) — is in `ops.py`; this file builds
the graph (`record`) and runs the chain rule over it (`Tensor.backward`)::

    x.grad += (∂y/∂x)ᵀ · y.grad        for every op y = f(…, x, …), the root first

An op records its inputs only when one of them `requires_grad` and grad mode is on (`no_grad()`
turns it off, per thread); otherwise its result is a plain data leaf. No node refers to itself,
so a graph is freed by reference counting as soon as its root is dropped. Numerics are IEEE like
PyTorch (exp(1000) = inf, log(0) = −inf, no warnings); inside ``detect_anomaly()`` the first op
(forward or backward) that yields nan/inf raises FloatingPointError naming the op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import (
    as_real,
    check_bool,
    check_choice,
    check_int,
    check_nonnegative,
    check_positive_int,
    check_str,
    fail,
)
from .._modes import is_anomaly_enabled, is_grad_enabled, no_grad
from . import ops
from ._convert import FLOAT_DTYPES, operand_array, resolve_dtype, to_array
from .ops import VJP, define_op, unbroadcast

__all__ = ["Tensor", "define_op", "is_grad_enabled", "linear", "no_grad", "record", "unbroadcast"]


class Tensor:
    """A node of a vectorized computation graph: an ndarray, its gradient and its inputs.

    Lecture 0, step 1 (define a set of functions): the network is a graph of Tensor ops, and
    backprop computes ∇L for gradient descent θ ← θ − η∇L.

    ``Tensor(data, requires_grad=False, label="", dtype=None)``.

    dtype rule: a float32 or float64 ndarray keeps its dtype; Python numbers, nested lists and
    integer arrays become float64 unless ``dtype="float32"``/``"float64"`` is given. Both operands
    of an op must have the same dtype: mixing a float32 and a float64 Tensor raises TypeError
    (no silent upcast); a scalar, list or integer array operand adopts the Tensor's dtype.
    Bools, complex numbers, strings, None, object and masked arrays and ragged lists are
    rejected. The data are always copied, so a Tensor never aliases the array you passed.

    Attributes:
        data:  the ndarray (float32 or float64).
        grad:  ∂(root)/∂(this node), an ndarray of `data`'s shape; None until a backward reaches
               this node (like PyTorch). Leaves accumulate it over backward calls.
        requires_grad: whether gradients flow to this node (a leaf you ask it for, a parameter,
               or any result of an op with such an input).
        label: an optional name, shown by `draw_dot`.
        _prev: the input Tensors in operand order (empty for a leaf).
        _op:   the op that made this node ("" for a leaf).
        _role: a leaf's role for `draw_dot`: "param" a learnable parameter, "const" a number an
               operator wrapped, "" otherwise (data you fed in, and every op result).
    """

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "label",
        "_prev",
        "_op",
        "_role",
        "_ctx",
        "_vjp",
        "__weakref__",
    )
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop

    data: np.ndarray
    grad: np.ndarray | None
    requires_grad: bool
    label: str
    _prev: tuple[Tensor, ...]
    _op: str
    _role: str
    _ctx: Any  # what the op's forward saved for its VJP
    _vjp: VJP | None  # the op's local derivative, fixed when the node was built

    def __init__(self, data: Any, requires_grad: bool = False, label: str = "", dtype: Any = None):
        if isinstance(data, Tensor):
            fail(
                "Tensor(data)",
                data,
                "an array, list or number (for a Tensor t: t.detach() or Tensor(t.data))",
            )
        self.data = to_array(data, resolve_dtype(dtype))
        self.grad = None
        self.requires_grad = check_bool("Tensor(requires_grad)", requires_grad)
        self.label = check_str("Tensor(label)", label)
        self._prev, self._op, self._role, self._ctx, self._vjp = (), "", "", None, None

    @classmethod
    def parameter(cls, data: Any, label: str = "", dtype: Any = None) -> Tensor:
        """A learnable leaf (weights, biases, PReLU's α): requires_grad, role ``"param"``."""
        t = cls(data, requires_grad=True, label=label, dtype=dtype)
        t._role = "param"
        return t

    # -- array-like properties ------------------------------------------------------------------

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
            fail("item(): the Tensor's shape", self.shape, "a shape with one element", ValueError)
        return float(self.data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        """The truth of a one-element Tensor, as PyTorch: ``bool(Tensor([0.]))`` is False."""
        if self.data.size != 1:
            fail(
                "bool(Tensor): the shape",
                self.shape,
                "one element (for more: t.data.any() or .all())",
                ValueError,
            )
        return bool(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The underlying array (not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """A data leaf sharing this node's array, cut from the graph."""
        return _leaf(self.data)

    def summary(self, which: str = "data") -> str:
        """A short text for `draw_dot`: shape, dtype and min/max of `data` or `grad`."""
        arr = self.data if check_choice("summary(which)", which, ("data", "grad")) == "data" else self.grad
        if arr is None:
            return "None"
        if arr.size <= 4:
            return np.array2string(arr, precision=4, separator=", ")
        return _summary(arr)

    def __repr__(self) -> str:
        name = f"{self.label!r}, " if self.label else ""
        rg = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({name}shape={self.shape}, dtype={self.dtype}{rg}, data={self.summary()})"

    # -- backpropagation ------------------------------------------------------------------------

    def backward(self, grad: Any = None) -> None:
        """Backpropagate from this node (lecture 0): ∂root/∂x into ``x.grad`` for every x below.

        Topological order (the root first, every node before its inputs), then the chain rule:
        each node's VJP adds ∂root/∂input into its inputs' grads, ``x.grad += (∂y/∂x)ᵀ · y.grad``.
        `grad` (∂L/∂root) defaults to 1 for a one-element root (a loss).

        As PyTorch: leaves (parameters, inputs) accumulate over calls — reset them with
        `zero_grad()`; an op result's grad belongs to this call (it is cleared first). Nothing
        else is kept on the nodes, so an interrupted call (Ctrl-C) leaves nothing behind that a
        later ``zero_grad(); backward()`` could trip on.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward(): this Tensor does not require grad (no input had requires_grad=True, "
                "or it was computed under no_grad())"
            )
        seed = self._seed(grad)
        order = _topological_order(self)  # the root first, every node before its inputs
        for node in order:
            if node._prev:
                node.grad = None  # an op result's gradient belongs to this call
        stored: set[int] = set()  # the memory of the grads this call set (see `_accumulate`)
        _accumulate(self, seed, stored)
        for node in order:  # all consumers of a node come before it: its grad is complete
            if node.grad is None:  # reached, but nothing flowed in
                _accumulate(node, np.zeros_like(node.data), stored)
            if node._vjp is not None:  # x.grad += (∂node/∂x)ᵀ · node.grad for each input x
                for x, gx in _input_grads(node):
                    _accumulate(x, gx, stored)

    def _seed(self, grad: Any) -> np.ndarray:
        """∂L/∂root: 1 for a one-element root, else the given array of the root's shape."""
        if grad is None:
            if self.data.size != 1:
                fail(
                    "backward(grad)",
                    grad,
                    f"an array of the root's shape {self.shape} (only a one-element root has the implicit 1)",
                    ValueError,
                )
            return np.ones_like(self.data)
        if isinstance(grad, Tensor) and grad.dtype != self.dtype:
            fail("backward(grad)", grad, f"the root's dtype {self.dtype}")
        arr = operand_array(grad.data if isinstance(grad, Tensor) else grad, self.data.dtype, "backward")
        if arr.shape != self.shape and not (arr.ndim == 0 and self.data.size == 1):
            fail("backward(grad): the shape", arr.shape, f"the root's shape {self.shape}", ValueError)
        return arr.reshape(self.shape)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph to None (iteratively)."""
        seen = {self}
        stack = [self]
        while stack:
            node = stack.pop()
            node.grad = None
            for x in node._prev:
                if x not in seen:
                    seen.add(x)
                    stack.append(x)

    # -- arithmetic: each forward and its VJP are in ops.py --------------------------------------

    def _other(self, other: Any, op: str) -> Tensor:
        """The other operand of `op` as a Tensor of this one's dtype (a number → a "const" leaf)."""
        if isinstance(other, Tensor):
            if other.data.dtype != self.data.dtype:
                raise TypeError(
                    f"{op!r}: dtype mismatch, {self.data.dtype} {_describe(self)} and {other.data.dtype} "
                    f"{_describe(other)}; no silent upcast: convert one with .astype(...)"
                )
            return other
        t = _leaf(operand_array(other, self.data.dtype, op))
        t._role = "const"
        return t

    def _binary(self, other: Any, op: str, forward: Any, reflected: bool = False) -> Tensor:
        b = self._other(other, op)
        a, b = (b, self) if reflected else (self, b)
        try:
            data = forward(a.data, b.data)
        except ValueError:
            raise ValueError(f"{op!r}: shapes {a.shape} and {b.shape} do not broadcast") from None
        return record(op, (a, b), data)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(other, "+", ops.add)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(other, "+", ops.add, reflected=True)

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", ops.sub)

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(other, "-", ops.sub, reflected=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", ops.mul)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(other, "*", ops.mul, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", ops.div)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._binary(other, "/", ops.div, reflected=True)

    def __pow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", ops.power)

    def __rpow__(self, other: Any) -> Tensor:
        return self._binary(other, "**", ops.power, reflected=True)

    def __neg__(self) -> Tensor:
        return record("neg", (self,), ops.neg(self.data))

    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, self._other(other, "@"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(self._other(other, "@"), self)

    def astype(self, dtype: Any) -> Tensor:
        """The same values as float32 or float64 (the explicit conversion); d/dx = 1, cast back."""
        target = resolve_dtype(dtype, "astype(dtype)")
        if target is None:
            fail("astype(dtype)", dtype, "'float32' or 'float64'")
        return record("astype", (self,), ops.astype(self.data, target))

    # -- the other ops: the math is in ops.py, each forward beside its VJP -----------------------

    def exp(self) -> Tensor:
        """eˣ elementwise;  d/dx eˣ = eˣ.  Overflows to inf (float64: x > 709.78)."""
        return record("exp", (self,), ops.exp(self.data))

    def log(self) -> Tensor:
        """ln x elementwise;  d/dx ln x = 1/x.  ln 0 = −inf, ln(x < 0) = nan."""
        return record("log", (self,), ops.log(self.data))

    def tanh(self) -> Tensor:
        """tanh x;  tanh'(x) = 1 − tanh²(x)  (lecture A1: saturates like the sigmoid)."""
        return record("tanh", (self,), ops.tanh(self.data))

    def sigmoid(self) -> Tensor:
        """σ(x) = 1/(1 + e⁻ˣ), stable for any |x|;  σ'(x) = σ(x)(1 − σ(x)) ≤ ¼  (lecture A1)."""
        return record("sigmoid", (self,), ops.sigmoid(self.data))

    def relu(self) -> Tensor:
        """ReLU a = max(0, z);  a' = 1 for z > 0, 0 for z ≤ 0  (lecture A2). nan stays nan."""
        return record("relu", (self,), ops.relu(self.data))

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """Leaky ReLU: a = z (z > 0) or negative_slope·z;  a' = 1 or negative_slope  (lecture A2)."""
        slope = as_real("leaky_relu(negative_slope)", negative_slope)
        return record("leaky_relu", (self,), *ops.leaky_relu(self.data, slope))

    def prelu(self, alpha: Tensor | float) -> Tensor:
        """Parametric ReLU: a = z (z > 0) or α·z, α learned, broadcast over z  (lecture A2).

        ∂a/∂z = 1 or α;  ∂a/∂α = 0 or z (summed over the positions that share an α).
        """
        a = self._other(alpha, "prelu")
        if np.broadcast_shapes(a.data.shape, self.data.shape) != self.data.shape:
            fail(
                "prelu(alpha): the shape",
                a.shape,
                f"one that broadcasts to the input's {self.shape}",
                ValueError,
            )
        return record("prelu", (self, a), ops.prelu(self.data, a.data))

    def elu(self, alpha: float = 1.0) -> Tensor:
        """ELU: a = z (z > 0) or α(eᶻ − 1);  a' = 1 or α·eᶻ  (lecture A2)."""
        return record("elu", (self,), *ops.elu(self.data, as_real("elu(alpha)", alpha)))

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Σ over `axis` (all axes if None);  ∂/∂xᵢ = 1 (the gradient is broadcast back)."""
        axes, keep = _axes(axis, self.data.ndim, "sum"), check_bool("sum(keepdims)", keepdims)
        return record("sum", (self,), *ops.reduce_sum(self.data, axes, keep))

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """(1/n) Σ over `axis`;  ∂/∂xᵢ = 1/n."""
        axes, keep = _axes(axis, self.data.ndim, "mean"), check_bool("mean(keepdims)", keepdims)
        return record("mean", (self,), *ops.reduce_mean(self.data, axes, keep))

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """max over `axis`; the whole gradient goes to one winner, the lowest (C-order) index.

        The same tie rule as the scalar `max_of` (lecture A3); a nan counts as the maximum.
        """
        axes, keep = _axes(axis, self.data.ndim, "max"), check_bool("max(keepdims)", keepdims)
        if any(self.data.shape[i] == 0 for i in axes):
            fail(
                f"max(axis={axis!r}): the Tensor's shape",
                self.shape,
                "no empty axis among the reduced ones",
                ValueError,
            )
        return record("max", (self,), *ops.reduce_max(self.data, axes, keep))

    def group_max(self, pieces: int) -> Tensor:
        """Maxout's group max (lecture A3): the last axis, of size k·pieces, is split into k groups
        of `pieces` consecutive entries, and each group outputs its max → last axis of size k.

        Gradient: to the winner of each group only (ties → the lowest index, as `max_of`).
        """
        k = check_positive_int("group_max(pieces)", pieces)
        if self.data.ndim == 0 or self.data.shape[-1] % k:
            fail(
                f"group_max(pieces={k}): the Tensor's shape",
                self.shape,
                f"at least one axis, the last of a size divisible by {k}",
                ValueError,
            )
        return record("group_max", (self,), *ops.group_max(self.data, k))

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """The same entries in a new shape (one -1 allowed); the gradient is reshaped back."""
        new = _ints(shape, "reshape(shape)")
        try:
            data: np.ndarray | None = ops.reshape(self.data, new)
        except ValueError:  # NumPy's own rule decides; the error below names both shapes
            data = None
        if data is None:
            fail(
                f"reshape{new}: the Tensor's shape",
                self.shape,
                f"one with as many elements as {new}",
                ValueError,
            )
        return record("reshape", (self,), data)

    def transpose(self, *axes: int | tuple[int, ...]) -> Tensor:
        """Permute the axes (reverse them if none given); the gradient is permuted back."""
        n = self.data.ndim
        perm = tuple(a % n if -n <= a < n else a for a in _ints(axes, "transpose(axes)")) if axes else ()
        if axes and sorted(perm) != list(range(n)):
            fail(f"transpose(axes) of shape {self.shape}", axes, f"a permutation of the {n} axes", ValueError)
        return record("transpose", (self,), *ops.transpose(self.data, perm or tuple(reversed(range(n)))))

    @property
    def T(self) -> Tensor:
        """The transpose (axes reversed)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> Tensor:
        """NumPy indexing (slices, ints, integer arrays);  the gradient is scattered back with +=,
        so an entry picked twice receives both contributions."""
        if any(isinstance(i, Tensor) for i in (index if isinstance(index, tuple) else (index,))):
            fail("Tensor[index]", index, "ints, slices or int arrays (a Tensor holds floats)")
        try:
            return record("getitem", (self,), *ops.getitem(self.data, index))
        except IndexError as e:
            raise IndexError(f"Tensor[index] with shape {self.shape}: {e}") from None

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log softmax(x)ᵢ = xᵢ − log Σⱼ eˣʲ, computed as (x − m) − log Σ e^(x−m), m = max x
        (stable at ±1000);  ∂/∂xᵢ: gᵢ − softmaxᵢ · Σⱼ gⱼ."""
        (ax,) = _axes(check_int("log_softmax(axis)", axis), self.data.ndim, "log_softmax")
        return record("log_softmax", (self,), *ops.log_softmax(self.data, ax))

    def dropout_mask(self, mask: Any, scale: float = 1.0) -> Tensor:
        """Dropout with a given mask (lecture B3): y = x · mask · scale, mask of 0 (dropped) and
        1 (kept), broadcast over x;  ∂y/∂x = mask · scale. scale = 1/(1−p) is inverted dropout."""
        s = check_nonnegative("dropout_mask(scale)", scale)
        m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        if m.dtype != np.bool_ and (m.dtype.kind not in "fiu" or not np.isin(m, (0, 1)).all()):
            fail("dropout_mask(mask)", mask, "bools or 0/1 entries (1 = kept, 0 = dropped)", ValueError)
        if np.broadcast_shapes(m.shape, self.data.shape) != self.data.shape:
            fail(
                "dropout_mask(mask): the shape",
                m.shape,
                f"one that broadcasts to the input's {self.shape}",
                ValueError,
            )
        return record("dropout_mask", (self,), *ops.dropout_mask(self.data, m, s))


def record(op: str, inputs: tuple[Tensor, ...], data: Any, ctx: Any = None) -> Tensor:
    """The output node of one op: y = `data`, computed from `inputs` by `op`.

    The node keeps its inputs, `ctx` (what the op's VJP needs) and the VJP `define_op` entered
    for `op` — only when grad mode is on and some input requires grad; otherwise it is a plain
    data leaf and no graph is kept (evaluation under `no_grad()`).
    """
    vjp = ops.vjp_of(op)
    if type(inputs) is not tuple or not all(isinstance(x, Tensor) for x in inputs):
        fail(f"record({op!r}) inputs", inputs, "a tuple of Tensors")
    t = _leaf(data if type(data) is np.ndarray else np.asarray(data))
    if t.data.dtype not in FLOAT_DTYPES:
        fail(f"record({op!r}) data", data, "a float32 or float64 array")
    if is_grad_enabled() and any(x.requires_grad for x in inputs):
        t.requires_grad, t._prev, t._op, t._ctx, t._vjp = True, inputs, op, ctx, vjp
        if is_anomaly_enabled() and not np.isfinite(t.data).all():
            inputs_text = "; ".join(f"{_describe(x)}: {_summary(x.data)}" for x in inputs)
            raise FloatingPointError(
                f"anomaly: op {op!r} produced {_summary(t.data)} from inputs [{inputs_text}]"
            )
    return t


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, relu: bool = False) -> Tensor:
    """The fused layer op y = x·Wᵀ + b for x of shape (N, nin) or (nin,), W (nout, nin), b (nout,).

    Lecture 0, step 1 (define a set of functions): every layer of the network is this op.

    One node instead of three (transpose, @, +):  ∂/∂x = g·W,  ∂/∂W = gᵀ·x,  ∂/∂b = Σₙ gₙ.
    ``relu=True`` fuses the ReLU too, y = max(0, x·Wᵀ + b) (op "linear_relu"): the backward
    first masks g with [y > 0] (relu'(0) = 0).
    """
    for name, t in (("x", x), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            fail(f"linear({name})", t, "a Tensor")
    relu = check_bool("linear(relu)", relu)
    w = x._other(weight, "linear")
    if w.data.ndim != 2 or x.data.ndim not in (1, 2) or x.data.shape[-1] != w.data.shape[1]:
        fail(
            f"linear: input of shape {x.shape}, weight of shape",
            w.shape,
            "(nout, nin) for an input (N, nin) or (nin,)",
            ValueError,
        )
    inputs: tuple[Tensor, ...] = (x, w)
    if bias is not None:
        b = x._other(bias, "linear")
        if b.data.shape != (w.data.shape[0],):
            fail(
                f"linear: weight of shape {w.shape}, bias of shape",
                b.shape,
                f"({w.data.shape[0]},)",
                ValueError,
            )
        inputs = (x, w, b)
    y = ops.fused_linear(x.data, w.data, inputs[2].data if bias is not None else None, relu)
    return record("linear_relu" if relu else "linear", inputs, y)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    """y = a @ b for 1-D or 2-D operands (inner dimensions must agree)."""
    if not (1 <= a.data.ndim <= 2 and 1 <= b.data.ndim <= 2):
        raise ValueError(f"'@': only 1-D and 2-D operands are supported; got shapes {a.shape} and {b.shape}")
    if a.data.shape[-1] != b.data.shape[0]:
        raise ValueError(f"'@': shapes {a.shape} and {b.shape} are not aligned (inner dimensions differ)")
    return record("@", (a, b), ops.matmul(a.data, b.data))


def _leaf(data: np.ndarray) -> Tensor:
    """A data leaf around `data` as is (no copy, no checks): for arrays the backend made itself."""
    t = object.__new__(Tensor)
    t.data, t.grad, t.requires_grad, t.label = data, None, False, ""
    t._prev, t._op, t._role, t._ctx, t._vjp = (), "", "", None, None
    return t


# -- backward's helpers ---------------------------------------------------------------------------


def _topological_order(root: Tensor) -> list[Tensor]:
    """The nodes `root` depends on that require grad, root first, every node before its inputs
    (a reversed depth-first post-order, with an explicit stack: no recursion limit)."""
    order: list[Tensor] = []
    seen = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, inputs = stack[-1]
        for x in inputs:
            if x.requires_grad and x not in seen:
                seen.add(x)
                stack.append((x, iter(x._prev)))
                break
        else:  # all its inputs are listed: list the node
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def _accumulate(x: Tensor, gx: np.ndarray, stored: set[int]) -> None:
    """x.grad += gx, so that no two nodes' grads ever share memory (a later += stays safe).

    A first gradient is stored as is when this call stored nothing in its memory yet, otherwise
    (a VJP passed its g on, or a view of it) as a copy; `stored` holds the ids of the arrays
    owning the memory stored so far in this backward call (a view and its base share one).
    """
    if x.grad is not None:
        x.grad += gx
        return
    memory = id(gx if gx.base is None else gx.base)
    if memory in stored or not gx.flags.writeable or gx.dtype != x.data.dtype:
        gx = np.array(gx, dtype=x.data.dtype)
        memory = id(gx)
    stored.add(memory)
    x.grad = gx


def _input_grads(node: Tensor) -> list[tuple[Tensor, np.ndarray]]:
    """(x, ∂root/∂x) for the inputs x of `node` that need a gradient: its op's VJP of node.grad,
    each checked against its input's shape (and for nan/inf in anomaly mode)."""
    assert node._vjp is not None and node.grad is not None
    grads = node._vjp(node, node.grad)
    if len(grads) != len(node._prev):
        fail(
            f"the VJP of op {node._op!r} returned",
            grads,
            f"{len(node._prev)} gradients, one per input",
            ValueError,
        )
    pairs = []
    for i, (x, gx) in enumerate(zip(node._prev, grads)):
        if gx is None or not x.requires_grad:
            continue
        if gx.shape != x.data.shape:
            fail(
                f"the VJP of op {node._op!r}: a gradient's shape",
                gx.shape,
                f"its input's {x.shape}",
                ValueError,
            )
        if is_anomaly_enabled() and not np.isfinite(gx).all():
            raise FloatingPointError(
                f"anomaly in backward: op {node._op!r} (output {_summary(node.data)}, upstream grad "
                f"{_summary(node.grad)}) gave input #{i} ({_describe(x)}) the gradient {_summary(gx)}"
            )
        pairs.append((x, gx))
    return pairs


# -- argument parsing and text ------------------------------------------------------------------


def _ints(args: tuple, name: str) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` → (2, 3), each an int."""
    items = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    return tuple(check_int(name, n) for n in items)


def _axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """`axis` (None, an int or a tuple of ints) as sorted non-negative axes of an ndim-array."""
    if axis is None:
        return tuple(range(ndim))
    axes = [check_int(f"{op}(axis)", a) for a in (axis if isinstance(axis, tuple) else (axis,))]
    for a in axes:
        if not -ndim <= a < ndim:
            fail(f"{op}(axis)", a, f"an axis of the {ndim}-d Tensor, in [{-ndim}, {ndim})", ValueError)
    axes = [a % ndim for a in axes]
    if len(set(axes)) != len(axes):
        fail(f"{op}(axis)", axis, "no repeated axis", ValueError)
    return tuple(sorted(axes))


def _summary(a: np.ndarray) -> str:
    """min/max of an array and how many entries are not finite."""
    finite = a[np.isfinite(a)]
    bad = a.size - finite.size
    text = f"min {finite.min():.4g}, max {finite.max():.4g}" if finite.size else "no finite entries"
    return text + (f", {bad} non-finite" if bad else "")


def _describe(t: Tensor) -> str:
    return f"{t.label or t._op or 'leaf'} {t.data.dtype}{list(t.data.shape)}"
