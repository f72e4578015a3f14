"""The scalar autograd engine: a `Value` graph and backpropagation.

Every operation creates a new `Value` whose `_prev` is the tuple of its inputs and whose `_op`
names the operation. The local derivative of each op is *one line* in the derivative table below
(`_UNARY` for unary ops, small `_back_*` functions for the rest), right beside its forward
formula. `backward()` walks the graph from the output to the leaves without recursion and applies
the chain rule: for an op ``y = f(x1, ..., xn)``::

    x_i.grad += ∂f/∂x_i · y.grad

No node keeps a closure that refers to itself, so a graph holds no reference cycle and is freed
by reference counting as soon as nothing refers to its output.

Numerics follow IEEE float64 (like PyTorch): ``exp(1000) = inf``, ``log(0) = -inf``,
``log(-1) = nan``, ``1/0 = inf``; nothing raises from inside `math`. To stop at the first nan or
inf instead, wrap the computation in ``with detect_anomaly(): ...``.

Lecture: the whole course rests on gradient descent, θ ← θ − η∇L; this file computes ∇L.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

__all__ = [
    "Value",
    "Number",
    "sum_of",
    "dot",
    "max_of",
    "argmax",
    "define_unary",
    "detect_anomaly",
    "is_anomaly_enabled",
]

Number = int | float
_INF = math.inf
_NAN = math.nan


# ---------------------------------------------------------------------------------------------
# IEEE-754 float64 helpers: the results PyTorch gives, where Python's `math` would raise.
# ---------------------------------------------------------------------------------------------


def _exp(x: float) -> float:
    """eˣ, with overflow to +inf instead of OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


def _log(x: float) -> float:
    """ln x for x > 0; ln 0 = −inf; ln of a negative number (or nan) = nan."""
    if x > 0.0:
        return math.log(x)
    return -_INF if x == 0.0 else _NAN


def _div(a: float, b: float) -> float:
    """a / b with IEEE division by zero: ±inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return _NAN
        return math.copysign(_INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return y.is_integer() and math.fmod(y, 2.0) != 0.0


def _pow(x: float, y: float) -> float:
    """xʸ as IEEE `pow`: 0^(−1) = inf, (−8)^(1/3) = nan, overflow → ±inf."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -_INF if (x < 0.0 and _is_odd_integer(y)) else _INF
    except ValueError:  # 0 to a negative power, or a negative base with a non-integer exponent
        if x == 0.0:
            return math.copysign(_INF, x) if _is_odd_integer(y) else _INF
        return _NAN


def _sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e⁻ˣ), evaluated so that no exponential can overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0, so e ∈ (0, 1): no overflow
    return e / (1.0 + e)


# ---------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------

_REAL = "a real number (int, float, or a NumPy float/int scalar)"


def _as_float(x: object, what: str = "Value(data)", accepted: str = _REAL) -> float:
    """Convert an accepted number to float, or raise a TypeError naming what was given."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or (type(x).__name__ == "bool_"):
        raise TypeError(f"{what}: got a bool ({x!r}); expected {accepted}. Write 1.0 or 0.0.")
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int (or Fraction) beyond float64: no float holds it
            raise ValueError(
                f"{what}: got {type(x).__name__} too large for a float64 (|x| ≥ 2**1024); "
                f"expected {accepted}."
            ) from None
    raise TypeError(f"{what}: got {type(x).__name__} {x!r:.60}; expected {accepted}.")


def _wrap(x: object, op: str) -> Value:
    """An operand as a Value: Values pass through, numbers become constant leaves (`_op='const'`)."""
    if isinstance(x, Value):
        return x
    return Value(_as_float(x, f"operand of {op!r}", _REAL + " or a Value"), _op="const")


# ---------------------------------------------------------------------------------------------
# Anomaly mode
# ---------------------------------------------------------------------------------------------

_anomaly = False


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise `FloatingPointError` at the first op (forward or backward) that yields nan or inf.

    Lecture 0: find where ∇L (or L) of gradient descent θ ← θ − η∇L first became non-finite.

    Off by default, because inf and nan are legitimate IEEE results. The error names the op and
    its inputs, so the first bad step of a diverging training run can be found::

        with detect_anomaly():
            loss = model(x).log()   # FloatingPointError: op 'log' produced -inf from inputs ...
    """
    global _anomaly
    previous, _anomaly = _anomaly, True
    try:
        yield
    finally:
        _anomaly = previous


def is_anomaly_enabled() -> bool:
    """True inside a `detect_anomaly()` block."""
    return _anomaly


def _report_forward(out: Value) -> None:
    inputs = ", ".join(f"{p._op or 'leaf'} {p.label!r} = {p.data!r}" for p in out._prev)
    raise FloatingPointError(f"anomaly: op {out._op!r} produced {out.data!r} from inputs [{inputs}]")


def _report_backward(node: Value) -> None:
    bad = [(i, p) for i, p in enumerate(node._prev) if not math.isfinite(p.grad)]
    i, p = bad[0]
    raise FloatingPointError(
        f"anomaly in backward: op {node._op!r} (output {node.data!r}, upstream grad {node.grad!r}) "
        f"gave input #{i} ({p.label or p._op or 'leaf'} = {p.data!r}) the gradient {p.grad!r}"
    )


# ---------------------------------------------------------------------------------------------
# Value
# ---------------------------------------------------------------------------------------------


class Value:
    """A scalar node of a computation graph (lecture 0: backprop computes ∇L for θ ← θ − η∇L).

    Attributes:
        data:  the float this node holds.
        grad:  ∂(root)/∂(this node), filled in by `root.backward()`; starts at 0.0.
        label: an optional name, shown by `draw_dot`.
        _prev: the tuple of input Values, in operand order (empty for a leaf).
        _op:   the name of the op that made this node. Leaves have none, but say how they came to
               be: "" for data you created, "param" for a learnable parameter (`Value.parameter`),
               "const" for a number that an operator wrapped (the 2 in ``v * 2``).
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_pending", "__weakref__")

    data: float
    grad: float
    label: str
    _prev: tuple[Value, ...]
    _op: str
    _pending: int  # consumers still to send their gradient; used only inside backward()

    def __init__(self, data: Number, label: str = "", _prev: tuple[Value, ...] = (), _op: str = ""):
        if type(data) is not float:
            data = _as_float(data)
        if not isinstance(label, str):
            raise TypeError(f"Value(label=...): got {type(label).__name__}; expected a str.")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._prev = _prev
        self._op = _op
        self._pending = 0
        if _anomaly and _prev and not math.isfinite(data):
            _report_forward(self)

    @classmethod
    def parameter(cls, data: Number, label: str = "") -> Value:
        """A learnable leaf (a weight, a bias, PReLU's α): marked ``_op = "param"``.

        The mark only tells `draw_dot` (and readers) its role; gradients flow to every leaf alike.
        """
        return cls(data, label, (), "param")

    def __repr__(self) -> str:
        name = f"{self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    def __float__(self) -> float:
        return self.data

    # Value defines no __eq__/__bool__: == is identity (Values are dict keys and set members),
    # and comparisons return plain bools of the data, for sorting and tests.
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _wrap(other, "<").data

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _wrap(other, "<=").data

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _wrap(other, ">").data

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _wrap(other, ">=").data

    # -- arithmetic: forward here, local derivatives in the _back_* functions below -------------

    def __add__(self, other: Value | Number) -> Value:
        other = _wrap(other, "+")
        return Value(self.data + other.data, "", (self, other), "+")

    def __mul__(self, other: Value | Number) -> Value:
        other = _wrap(other, "*")
        return Value(self.data * other.data, "", (self, other), "*")

    def __sub__(self, other: Value | Number) -> Value:
        other = _wrap(other, "-")
        return Value(self.data - other.data, "", (self, other), "-")

    def __truediv__(self, other: Value | Number) -> Value:
        other = _wrap(other, "/")
        return Value(_div(self.data, other.data), "", (self, other), "/")

    def __pow__(self, other: Value | Number) -> Value:
        other = _wrap(other, "**")
        return Value(_pow(self.data, other.data), "", (self, other), "**")

    def __neg__(self) -> Value:
        return Value(-self.data, "", (self,), "neg")

    def __radd__(self, other: Number) -> Value:
        return _wrap(other, "+") + self

    def __rmul__(self, other: Number) -> Value:
        return _wrap(other, "*") * self

    def __rsub__(self, other: Number) -> Value:
        return _wrap(other, "-") - self

    def __rtruediv__(self, other: Number) -> Value:
        return _wrap(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _wrap(other, "**") ** self

    # -- unary functions: each is a row of the derivative table `_UNARY` -------------------------

    def exp(self) -> Value:
        """eˣ;  d/dx eˣ = eˣ.  Overflows to inf (x > 709.78)."""
        return _unary(self, "exp")

    def log(self) -> Value:
        """ln x;  d/dx ln x = 1/x.  ln 0 = −inf, ln(x < 0) = nan."""
        return _unary(self, "log")

    def tanh(self) -> Value:
        """tanh x;  tanh'(x) = 1 − tanh²(x)."""
        return _unary(self, "tanh")

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x)) ≤ ¼.

        Lecture A1 (vanishing gradient): every sigmoid multiplies the backward signal by at most
        ¼, so layers near the input get tiny gradients. Computed stably for any |x|.
        """
        return _unary(self, "sigmoid")

    def relu(self) -> Value:
        """ReLU a = max(0, z);  a' = 1 for z > 0, 0 for z ≤ 0 (PyTorch's choice at 0).

        Lecture A2: neurons with z < 0 output 0 and drop out of the graph; the rest pass gradients
        through unchanged (a thinner *linear* network), so there is no vanishing gradient.
        """
        return _unary(self, "relu")

    def prelu(self, alpha: Value | Number) -> Value:
        """Parametric ReLU: a = z for z > 0, α·z otherwise; α is a learned Value (lecture A2).

        ∂a/∂z = 1 (z > 0) or α (z ≤ 0);   ∂a/∂α = 0 (z > 0) or z (z ≤ 0).
        """
        a = _wrap(alpha, "prelu")
        return Value(_prelu(self.data, a.data), "", (self, a), "prelu")

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """Leaky ReLU: a = z for z > 0, 0.01·z otherwise (lecture A2) — PReLU with α fixed.

        a' = 1 (z > 0) or negative_slope (z ≤ 0). The slope is a constant input of the node.
        """
        slope = _wrap(negative_slope, "leaky_relu")
        return Value(_prelu(self.data, slope.data), "", (self, slope), "leaky_relu")

    def elu(self, alpha: float = 1.0) -> Value:
        """ELU: a = z for z > 0, α(eᶻ − 1) otherwise;  a' = 1 (z > 0) or α·eᶻ (z ≤ 0)."""
        a = _wrap(alpha, "elu")
        z = self.data
        return Value(z if z > 0.0 else a.data * math.expm1(z), "", (self, a), "elu")

    # -- backpropagation ---------------------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this node: seed ``self.grad += grad`` then apply the chain rule.

        Gradients **accumulate**, as in PyTorch: calling `backward()` twice adds the gradients
        twice, so zero them (`Module.zero_grad()` or ``v.grad = 0.0``) between steps. A node used
        several times receives the sum of its contributions. Each pass is computed from zero and
        then added to what the nodes held, so a gradient left over from an earlier pass is never
        multiplied into this one (the second pass gives exactly the same numbers as the first).

        The graph is visited in reverse topological order (Kahn's algorithm: a node is processed
        once all of its consumers have been), with an explicit stack, so a chain of a million
        nodes needs no recursion.
        """
        seed = _as_float(grad, "backward(grad)")
        # Each node counts its pending consumers in its own `_pending` slot (0 outside backward):
        # no dictionary, so the cost per node stays flat from 1e4 to 1e6 nodes. Gradients left by
        # earlier passes are set aside and added back at the end (two flat lists, not tuples: the
        # cycle collector tracks tuples, and a million of them would trigger full collections).
        earlier_nodes: list[Value] = []
        earlier_grads: list[float] = []
        done = False
        try:
            if self.grad:
                earlier_nodes.append(self)
                earlier_grads.append(self.grad)
                self.grad = 0.0
            # Pass 1: count, for every node reachable from self, the edges that lead into it.
            stack = [self]
            while stack:
                for child in stack.pop()._prev:
                    seen = child._pending
                    child._pending = seen + 1
                    if not seen:
                        stack.append(child)
                        if child.grad:
                            earlier_nodes.append(child)
                            earlier_grads.append(child.grad)
                            child.grad = 0.0
            # Pass 2: a node is ready once every consumer has sent its gradient.
            self.grad = seed
            backward_of = _BACKWARD
            ready = [self]
            while ready:
                node = ready.pop()
                prev = node._prev
                if not prev:
                    continue
                backward_of[node._op](node)
                if _anomaly:
                    if any(not math.isfinite(p.grad) for p in prev):
                        _report_backward(node)
                for child in prev:
                    left = child._pending - 1
                    child._pending = left
                    if not left:
                        ready.append(child)
            done = True
        finally:  # even if anomaly mode raised: no earlier gradient is lost, no count is left
            for node, g in zip(earlier_nodes, earlier_grads):
                node.grad += g
            if not done:
                for node in _reachable(self):
                    node._pending = 0

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph to 0.0 (iteratively)."""
        for node in _reachable(self):
            node.grad = 0.0


def _reachable(root: Value) -> list[Value]:
    """All nodes of root's graph, root first (iterative depth-first order)."""
    seen = {root}
    order = [root]
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                order.append(child)
                stack.append(child)
    return order


def _prelu(z: float, alpha: float) -> float:
    return z if z > 0.0 else alpha * z


# ---------------------------------------------------------------------------------------------
# The derivative table.  Unary ops: f and f' side by side (x = input, y = output).
# ---------------------------------------------------------------------------------------------

UnaryForward = Callable[[float], float]
UnaryDerivative = Callable[[float, float], float]

_UNARY: dict[str, tuple[UnaryForward, UnaryDerivative]] = {
    #          forward y = f(x)                  local derivative dy/dx
    "exp":     (_exp,                            lambda x, y: y),
    "log":     (_log,                            lambda x, y: _div(1.0, x)),
    "tanh":    (math.tanh,                       lambda x, y: 1.0 - y * y),
    "sigmoid": (_sigmoid,                        lambda x, y: y * (1.0 - y)),
    "relu":    (lambda x: 0.0 if x <= 0.0 else x, lambda x, y: 1.0 if x > 0.0 else 0.0),
}  # fmt: skip


def _unary(x: Value, op: str) -> Value:
    return Value(_UNARY[op][0](x.data), "", (x,), op)


def _back_unary(out: Value) -> None:  # y = f(x):  dy/dx = f'(x, y), the op's `_UNARY` row
    (x,) = out._prev
    x.grad += _UNARY[out._op][1](x.data, out.data) * out.grad


# Binary and n-ary ops: one function each; every `+=` line is one local derivative.


def _back_add(out: Value) -> None:  # y = a + b:  ∂y/∂a = 1, ∂y/∂b = 1
    a, b = out._prev
    g = out.grad
    a.grad += g
    b.grad += g


def _back_sub(out: Value) -> None:  # y = a − b:  ∂y/∂a = 1, ∂y/∂b = −1
    a, b = out._prev
    g = out.grad
    a.grad += g
    b.grad -= g


def _back_mul(out: Value) -> None:  # y = a·b:  ∂y/∂a = b, ∂y/∂b = a
    a, b = out._prev
    g = out.grad
    a.grad += b.data * g
    b.grad += a.data * g


def _back_div(out: Value) -> None:  # y = a/b:  ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b
    a, b = out._prev
    g = out.grad
    a.grad += _div(g, b.data)
    b.grad -= _div(out.data, b.data) * g


def _back_pow(out: Value) -> None:  # y = aᵇ:  ∂y/∂a = b·aᵇ⁻¹,  ∂y/∂b = y·ln a  (a > 0)
    a, b = out._prev
    g = out.grad
    if b.data != 0.0:  # ∂(a⁰)/∂a = 0, also at a = 0 where 0·a⁻¹ would be nan (as PyTorch)
        a.grad += b.data * _pow(a.data, b.data - 1.0) * g
    if b._op != "const":  # a constant exponent needs no gradient (and ln a may be nan)
        b.grad += _d_pow_exponent(a.data, b.data, out.data) * g


def _d_pow_exponent(a: float, b: float, y: float) -> float:
    # PyTorch's convention: 0 where a == 0 and b ≥ 0 (the limit of y·ln a); nan for a < 0.
    if a == 0.0 and b >= 0.0:
        return 0.0
    return y * _log(a)


def _back_neg(out: Value) -> None:  # y = −x:  dy/dx = −1
    out._prev[0].grad -= out.grad


def _back_prelu(out: Value) -> None:  # y = z (z > 0) or α·z:  ∂y/∂z = 1 or α,  ∂y/∂α = 0 or z
    z, alpha = out._prev
    g = out.grad
    if z.data > 0.0:
        z.grad += g
    else:
        z.grad += alpha.data * g
        alpha.grad += z.data * g


def _back_elu(out: Value) -> None:  # y = z (z > 0) or α(eᶻ − 1):  ∂y/∂z = 1 or α·eᶻ, ∂y/∂α = 0 or eᶻ − 1
    z, alpha = out._prev
    g = out.grad
    if z.data > 0.0:
        z.grad += g
    else:
        z.grad += alpha.data * _exp(z.data) * g
        alpha.grad += math.expm1(z.data) * g


def _back_sum(out: Value) -> None:  # y = Σ xᵢ:  ∂y/∂xᵢ = 1
    g = out.grad
    for x in out._prev:
        x.grad += g


def _back_dot(out: Value) -> None:  # y = Σ wᵢxᵢ (+ b):  ∂y/∂wᵢ = xᵢ, ∂y/∂xᵢ = wᵢ, ∂y/∂b = 1
    prev = out._prev
    g = out.grad
    n = len(prev) // 2
    for w, x in zip(prev[:n], prev[n : 2 * n]):
        w.grad += x.data * g
        x.grad += w.data * g
    if len(prev) % 2:
        prev[-1].grad += g


def _back_max(out: Value) -> None:  # y = max xᵢ:  ∂y/∂x_k = 1 for the winner k, 0 for the others
    prev = out._prev
    prev[argmax(prev)].grad += out.grad


_BACKWARD: dict[str, Callable[[Value], None]] = {
    "+": _back_add,
    "-": _back_sub,
    "*": _back_mul,
    "/": _back_div,
    "**": _back_pow,
    "neg": _back_neg,
    "prelu": _back_prelu,
    "leaky_relu": _back_prelu,  # the slope is a constant α; its (unused) gradient is harmless
    "elu": _back_elu,
    "sum": _back_sum,
    "dot": _back_dot,
    "max": _back_max,
}
_BACKWARD.update(dict.fromkeys(_UNARY, _back_unary))
_BUILTIN_OPS = frozenset(_BACKWARD)


def define_unary(name: str, forward: UnaryForward, derivative: UnaryDerivative) -> Callable[[Value], Value]:
    """Add a unary op y = f(x) with local derivative dy/dx = f'(x): one row of the derivative table.

    Lecture 0: backprop then chains f' into ∇L like any built-in op (e.g. a new activation, A2).

    `forward(x)` computes y = f(x) and `derivative(x, y)` the local derivative f'(x) (it may use
    the output y, e.g. σ' = y(1 − y)). Returns a function Value → Value::

        softplus = define_unary("softplus", lambda x: math.log1p(math.exp(x)),
                                lambda x, y: 1 / (1 + math.exp(-x)))
        softplus(Value(0.5)).backward()

    Check your op with `micrograd_tips.testing.gradcheck`.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"define_unary(name): got {type(name).__name__} {name!r:.60}; expected a non-empty str"
        )
    if not name:
        raise ValueError("define_unary(name): got an empty str; expected a non-empty str")
    if name in _BUILTIN_OPS or name in ("param", "const"):
        raise ValueError(
            f"define_unary: name {name!r} is taken by a built-in op or a leaf role; choose another name"
        )
    for arg, fn in (("forward", forward), ("derivative", derivative)):
        if not callable(fn):
            raise TypeError(f"define_unary({arg}): got {type(fn).__name__}; expected a callable")
    _UNARY[name] = (forward, derivative)
    _BACKWARD[name] = _back_unary

    def op(x: Value | Number) -> Value:
        return _unary(_wrap(x, name), name)

    op.__name__ = name
    op.__doc__ = f"The unary op {name!r} (see define_unary)."
    return op


# ---------------------------------------------------------------------------------------------
# N-ary helpers: one node instead of a chain of binary ones (smaller graphs, faster backward)
# ---------------------------------------------------------------------------------------------


def _values(xs: Iterable[Value | Number], op: str) -> tuple[Value, ...]:
    if type(xs) is tuple or type(xs) is list:
        t = tuple(xs)
        if set(map(type, t)) <= {Value}:  # the common case, checked at C speed
            return t
    elif isinstance(xs, (Value, str, bytes)) or not isinstance(xs, Iterable):
        raise TypeError(f"{op}: expected a sequence of Values or numbers, got {type(xs).__name__}")
    return tuple(x if isinstance(x, Value) else _wrap(x, op) for x in xs)


def sum_of(values: Iterable[Value | Number]) -> Value:
    """Σ xᵢ as a single node (∂/∂xᵢ = 1). The sum of nothing is Value(0.0).

    Lecture 0: one node for a neuron's or a loss's sum, so backprop of ∇L stays cheap.
    """
    xs = _values(values, "sum_of")
    return Value(sum([x.data for x in xs], 0.0), "", xs, "sum")


def dot(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number], bias: Value | Number | None = None
) -> Value:
    """w·x (+ b) = Σ wᵢxᵢ (+ b) as a single node: a neuron's pre-activation z.

    ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1. `_prev` is (w₁..wₙ, x₁..xₙ[, b]).
    Lecture 0, step 1: z = w·x + b is the neuron of the function set.
    """
    w = _values(ws, "dot")
    x = _values(xs, "dot")
    if len(w) != len(x):
        raise ValueError(f"dot: the sequences differ in length ({len(w)} weights vs {len(x)} inputs)")
    z = sum([wi.data * xi.data for wi, xi in zip(w, x)], 0.0)
    if bias is None:
        return Value(z, "", w + x, "dot")
    b = _wrap(bias, "dot")
    return Value(z + b.data, "", w + x + (b,), "dot")


def argmax(values: Sequence[Value]) -> int:
    """k = argmax xᵢ: index of the largest `.data`; ties go to the **lowest** index (like NumPy).

    A nan counts as the largest (the first nan wins), so max_of propagates nan like PyTorch.
    Role in max's derivative (lecture A3, Maxout): ∂(max xᵢ)/∂x_k = 1 for this k, 0 for every
    other i, so the tie rule decides which input receives the gradient.
    """
    if len(values) == 0:
        raise ValueError("argmax: got an empty sequence; expected at least one Value")
    best, best_i = values[0].data, 0
    for i in range(1, len(values)):
        d = values[i].data
        if d > best or (d != d and best == best):  # nan propagates, as in PyTorch
            best, best_i = d, i
    return best_i


def max_of(values: Iterable[Value | Number]) -> Value:
    """max xᵢ as a single node — the group max of a Maxout unit (lecture A3).

    Gradient: the whole upstream gradient goes to one winner, the first (lowest-index) maximal
    input; the others get 0. Ties therefore always resolve the same way: Maxout's ReLU special
    case lists the fixed 0 piece first, so at z = 0 the 0 piece wins, matching relu'(0) = 0.
    """
    xs = _values(values, "max_of")
    if not xs:
        raise ValueError("max_of: needs at least one value")
    return Value(xs[argmax(xs)].data, "", xs, "max")
