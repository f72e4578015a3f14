"""The scalar autograd engine: a `Value` graph and backpropagation (lecture 0: ∇L for θ ← θ − η∇L).

Each op makes a new `Value` whose `_prev` holds its inputs and `_op` its name; the op's local
derivative is written right below its forward. `backward()` visits the graph in reverse
topological order and applies the chain rule at every node ``y = f(x₁, …, xₙ)``::

    xᵢ.grad += ∂f/∂xᵢ · y.grad

Numerics are IEEE float64 like PyTorch (``exp(1000) = inf``, ``log(0) = -inf``, ``1/0 = inf``);
``with detect_anomaly():`` stops at the first nan or inf instead. No node holds a closure over
itself, so a graph has no reference cycle and is freed as soon as its output is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from . import _ieee
from ._checks import as_real, check_callable, check_real, check_str, fail
from ._modes import detect_anomaly, is_anomaly_enabled

__all__ = [
    "Number",
    "Value",
    "argmax",
    "define_unary",
    "detect_anomaly",
    "dot",
    "is_anomaly_enabled",
    "max_of",
    "op_kinks",
    "sum_of",
]

Number = int | float


class Value:
    """A scalar node of a computation graph — micrograd's `Value`, with the same constructor.

    data:  the float this node holds.          grad:  ∂(root)/∂(this node), set by `backward()`.
    _prev: its inputs, in operand order.       _op:   the op that made it ('' for a leaf).
    label: a name for drawings.                _role: a leaf's role for drawings: 'param', 'const' or ''.
    """

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_role", "_closure", "__weakref__")

    __array_ufunc__ = None  # `ndarray + Value`: NumPy defers to Value, which raises a clear TypeError

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "", label: str = ""):
        self.data = data if type(data) is float else as_real("Value(data)", data)
        self.grad = 0.0
        self._prev = _children if type(_children) is tuple else _as_children(_children)
        self._op = _op
        self.label = label if type(label) is str else check_str("Value(label)", label)
        self._role = ""
        self._closure: Callable[[], None] | None = None
        if _children and not math.isfinite(self.data) and is_anomaly_enabled():
            _report_forward(self)

    @classmethod
    def parameter(cls, data: Number, label: str = "") -> Value:
        """A learnable leaf (a weight, a bias, PReLU's α); `draw_dot` colours it as a parameter."""
        leaf = cls(data, label=label)
        leaf._role = "param"
        return leaf

    @classmethod
    def constant(cls, data: Number, label: str = "") -> Value:
        """A fixed-number leaf (the 2 in ``v * 2``); no gradient is needed for it."""
        leaf = cls(data, label=label)
        leaf._role = "const"
        return leaf

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    def __float__(self) -> float:
        return self.data

    # No __eq__ or __bool__: == is identity, so Values are dict keys and set members.
    # Comparisons compare the data and return plain bools (for sorting and tests).
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _wrap(other, "<").data

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _wrap(other, "<=").data

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _wrap(other, ">").data

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _wrap(other, ">=").data

    # -- binary ops: the forward, then its local derivatives right below --------------------------

    def __add__(self, other: Value | Number) -> Value:
        other = _wrap(other, "+")
        return Value(self.data + other.data, (self, other), "+")

    def _back_add(out: Value) -> None:  # y = a + b:  ∂y/∂a = 1,  ∂y/∂b = 1
        a, b = out._prev
        a.grad += out.grad
        b.grad += out.grad

    def __sub__(self, other: Value | Number) -> Value:
        other = _wrap(other, "-")
        return Value(self.data - other.data, (self, other), "-")

    def _back_sub(out: Value) -> None:  # y = a − b:  ∂y/∂a = 1,  ∂y/∂b = −1
        a, b = out._prev
        a.grad += out.grad
        b.grad -= out.grad

    def __mul__(self, other: Value | Number) -> Value:
        other = _wrap(other, "*")
        return Value(self.data * other.data, (self, other), "*")

    def _back_mul(out: Value) -> None:  # y = a·b:  ∂y/∂a = b,  ∂y/∂b = a
        a, b = out._prev
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    def __truediv__(self, other: Value | Number) -> Value:
        other = _wrap(other, "/")
        return Value(_ieee.div(self.data, other.data), (self, other), "/")

    def _back_div(out: Value) -> None:  # y = a/b:  ∂y/∂a = 1/b,  ∂y/∂b = −a/b² = −y/b
        a, b = out._prev
        a.grad += _ieee.div(out.grad, b.data)
        b.grad -= _ieee.div(out.data, b.data) * out.grad

    def __pow__(self, other: Value | Number) -> Value:
        other = _wrap(other, "**")
        return Value(_ieee.pow(self.data, other.data), (self, other), "**")

    def _back_pow(out: Value) -> None:  # y = aᵇ:  ∂y/∂a = b·aᵇ⁻¹,  ∂y/∂b = y·ln a
        a, b = out._prev
        if b.data != 0.0:  # ∂(a⁰)/∂a = 0 for every a, also a = 0 where 0·0⁻¹ is nan (as PyTorch)
            a.grad += b.data * _ieee.pow(a.data, b.data - 1.0) * out.grad
        if b._role != "const":  # a fixed exponent needs no gradient (and ln a may be nan)
            b.grad += _d_pow_d_exponent(a.data, b.data, out.data) * out.grad

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), "neg")

    def _back_neg(out: Value) -> None:  # y = −x:  dy/dx = −1
        out._prev[0].grad -= out.grad

    def __radd__(self, other: Number) -> Value:
        return _wrap(other, "+") + self

    def __rsub__(self, other: Number) -> Value:
        return _wrap(other, "-") - self

    def __rmul__(self, other: Number) -> Value:
        return _wrap(other, "*") * self

    def __rtruediv__(self, other: Number) -> Value:
        return _wrap(other, "/") / self

    def __rpow__(self, other: Number) -> Value:
        return _wrap(other, "**") ** self

    # -- unary functions: f and f′ are one row of the table `_UNARY` below ------------------------

    def exp(self) -> Value:
        """eˣ;  (eˣ)′ = eˣ.  Overflows to inf for x > 709.78."""
        return _unary(self, "exp")

    def log(self) -> Value:
        """ln x;  (ln x)′ = 1/x.  ln 0 = −inf, ln(x < 0) = nan."""
        return _unary(self, "log")

    def tanh(self) -> Value:
        """tanh x;  tanh′(x) = 1 − tanh²(x)."""
        return _unary(self, "tanh")

    def sigmoid(self) -> Value:
        """σ(x) = 1/(1 + e⁻ˣ);  σ′ = σ(1 − σ) ≤ ¼ — lecture A1: each layer shrinks the gradient."""
        return _unary(self, "sigmoid")

    def relu(self) -> Value:
        """ReLU max(0, z);  1 for z > 0, 0 for z ≤ 0 — lecture A2: a thinner linear network."""
        return _unary(self, "relu")

    # -- the ReLU family with a second input α (lecture A2) ---------------------------------------

    def prelu(self, alpha: Value | Number) -> Value:
        """Parametric ReLU: z for z > 0, α·z otherwise, with α a learned Value."""
        alpha = _wrap(alpha, "prelu")
        return Value(_prelu(self.data, alpha.data), (self, alpha), "prelu")

    def _back_prelu(out: Value) -> None:  # y = z or α·z:  ∂y/∂z = 1 or α,  ∂y/∂α = 0 or z
        z, alpha = out._prev
        if z.data > 0.0:
            z.grad += out.grad
        else:
            z.grad += alpha.data * out.grad
            alpha.grad += z.data * out.grad

    def leaky_relu(self, negative_slope: float = 0.01) -> Value:
        """Leaky ReLU: z for z > 0, 0.01·z otherwise — PReLU with α fixed (same local derivatives)."""
        slope = _wrap(negative_slope, "leaky_relu")
        return Value(_prelu(self.data, slope.data), (self, slope), "leaky_relu")

    def elu(self, alpha: float = 1.0) -> Value:
        """ELU: z for z > 0, α(eᶻ − 1) otherwise."""
        alpha_ = _wrap(alpha, "elu")
        z = self.data
        return Value(z if z > 0.0 else alpha_.data * math.expm1(z), (self, alpha_), "elu")

    def _back_elu(out: Value) -> None:  # ∂y/∂z = 1 or α·eᶻ,  ∂y/∂α = 0 or eᶻ − 1
        z, alpha = out._prev
        if z.data > 0.0:
            z.grad += out.grad
        else:
            z.grad += alpha.data * _ieee.exp(z.data) * out.grad
            alpha.grad += math.expm1(z.data) * out.grad

    # -- backpropagation ---------------------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """∂self/∂x for every node x of the graph: the chain rule in reverse topological order.

        As in PyTorch, a leaf **accumulates**: it adds this pass's gradient to what it held (zero
        leaves between steps with `zero_grad()`), while an intermediate node's gradient belongs to
        this pass only. Nothing else is stored on the nodes: an interrupted pass leaves no state.
        """
        seed = as_real("backward(grad)", grad)
        order = _topological_order(self)  # every node after all of its inputs
        earlier = [(leaf, leaf.grad) for leaf in order if not leaf._prev]
        for node in order:
            node.grad = 0.0  # this pass is summed from zero ...
        self.grad = seed
        try:
            anomaly = is_anomaly_enabled()
            for node in reversed(order):  # every consumer of x before x itself
                node._chain_rule()  # x.grad += ∂node/∂x · node.grad for each input x
                if anomaly:
                    _check_backward(node)
        finally:
            for leaf, g in earlier:
                leaf.grad += g  # ... then added to what each leaf held (also if the pass failed)

    def _chain_rule(self) -> None:
        """Apply this node's local derivatives: x.grad += ∂self/∂x · self.grad for its inputs x."""
        if self._closure is not None:
            self._closure()  # an op written micrograd's way: out._backward = closure
        elif self._prev:
            _local_derivatives(self._op)(self)

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step: ``o._backward()`` applies o's local derivatives (manual backprop)."""
        return self._closure if self._closure is not None else partial(Value._chain_rule, self)

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        self._closure = check_callable("Value._backward", closure)

    def zero_grad(self) -> None:
        """Set the gradient of every node of this graph to 0.0."""
        for node in _topological_order(self):
            node.grad = 0.0


def _topological_order(root: Value) -> list[Value]:
    """The nodes of root's graph, each after all of its inputs (depth-first, without recursion).

    A node is pushed twice: to enter it (then its inputs are pushed above it) and to leave it,
    once all of its inputs are placed. Two flat stacks, not a stack of tuples: a million live
    tuples would wake the cycle collector again and again on a long chain.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    nodes, leaving = [root], [False]
    try:
        while nodes:
            node, done = nodes.pop(), leaving.pop()
            if done:
                order.append(node)
            elif node not in visited:
                visited.add(node)
                nodes.append(node)
                leaving.append(True)
                for x in node._prev:
                    if x not in visited:
                        nodes.append(x)
                        leaving.append(False)
    except AttributeError:  # a node built by hand with a non-Value among its _children
        fail("backward: an input (one of a node's _children)", node, "a Value")
    return order


def _prelu(z: float, alpha: float) -> float:
    return z if z > 0.0 else alpha * z


def _d_pow_d_exponent(a: float, b: float, y: float) -> float:
    # y·ln a, with PyTorch's convention 0 at a = 0, b ≥ 0 (the limit of y·ln a); nan for a < 0.
    return 0.0 if a == 0.0 and b >= 0.0 else y * _ieee.log(a)


# ---------------------------------------------------------------------------------------------
# Unary ops: f and f′ side by side (x = input, y = output), and the points where f has a kink.
# ---------------------------------------------------------------------------------------------

UnaryForward = Callable[[float], float]
UnaryDerivative = Callable[[float, float], float]

_UNARY: dict[str, tuple[UnaryForward, UnaryDerivative, tuple[float, ...]]] = {
    #          forward y = f(x)                   local derivative dy/dx               kinks
    "exp":     (_ieee.exp,                        lambda x, y: y,                       ()),
    "log":     (_ieee.log,                        lambda x, y: _ieee.div(1.0, x),       ()),
    "tanh":    (math.tanh,                        lambda x, y: 1.0 - y * y,             ()),
    "sigmoid": (_ieee.sigmoid,                    lambda x, y: y * (1.0 - y),           ()),
    "relu":    (lambda x: 0.0 if x <= 0.0 else x, lambda x, y: 1.0 if x > 0.0 else 0.0, (0.0,)),
}  # fmt: skip
_BUILTIN_UNARY = frozenset(_UNARY)


def _unary(x: Value, op: str) -> Value:
    y = _UNARY[op][0](x.data)
    return Value(y if type(y) is float else as_real(f"forward of op {op!r}", y), (x,), op)


def _back_unary(out: Value) -> None:  # y = f(x):  dy/dx = f′(x, y), the op's `_UNARY` row
    (x,) = out._prev
    d = _UNARY[out._op][1](x.data, out.data)
    x.grad += (d if type(d) is float else as_real(f"derivative of op {out._op!r}", d)) * out.grad


def define_unary(
    name: str, forward: UnaryForward, derivative: UnaryDerivative, *, kinks: Iterable[float] = ()
) -> Callable[[Value | Number], Value]:
    """Add a unary op y = f(x) with local derivative dy/dx = f′(x, y): one row of `_UNARY`.

    `derivative(x, y)` may use the output y (σ′ = y(1 − y)); `kinks` lists the x where f is not
    differentiable (ReLU's 0), so `micrograd_tips.testing` knows where finite differences fail.
    Backprop then chains f′ into ∇L like any built-in op (lecture 0), e.g. a new activation (A2)::

        softplus = define_unary("softplus", lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
                                lambda x, y: -math.expm1(-y))  # softplus′ = σ(x) = 1 − e⁻ʸ
        softplus(Value(0.5)).backward()

    A name can be defined once: redefining it would change graphs already built with it.
    """
    name = check_str("define_unary(name)", name)
    if not name or name in _LOCAL_DERIVATIVES:
        fail("define_unary(name)", name, "a new, non-empty op name (this one is taken)", ValueError)
    check_callable("define_unary(forward)", forward)
    check_callable("define_unary(derivative)", derivative)
    kink_points = tuple(check_real("define_unary(kinks)", k) for k in kinks)
    _UNARY[name] = (forward, derivative, kink_points)
    _LOCAL_DERIVATIVES[name] = _back_unary

    def op(x: Value | Number) -> Value:
        return _unary(_wrap(x, name), name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The unary op {name!r}, made by define_unary."
    return op


def op_kinks(name: str) -> tuple[float, ...]:
    """The x where the unary op `name` has a kink (no derivative): relu → (0.0,); exp → ()."""
    if name not in _UNARY:
        fail("op_kinks(name)", name, f"a unary op: one of {sorted(_UNARY)}", ValueError)
    return _UNARY[name][2]


# ---------------------------------------------------------------------------------------------
# N-ary ops: one node instead of a chain of binary ones (smaller graphs, faster backward)
# ---------------------------------------------------------------------------------------------


def sum_of(values: Iterable[Value | Number]) -> Value:
    """Σ xᵢ as one node (the sum of nothing is 0) — lecture 0: a neuron's or a loss's sum."""
    xs = _values(values, "sum_of")
    return Value(sum([x.data for x in xs], 0.0), xs, "sum")


def _back_sum(out: Value) -> None:  # y = Σ xᵢ:  ∂y/∂xᵢ = 1
    for x in out._prev:
        x.grad += out.grad


def dot(
    ws: Sequence[Value | Number], xs: Sequence[Value | Number], bias: Value | Number | None = None
) -> Value:
    """z = Σ wᵢxᵢ (+ b) as one node: a neuron's pre-activation (lecture 0, step 1).

    `_prev` is (w₁ … wₙ, x₁ … xₙ[, b]).
    """
    w, x = _values(ws, "dot"), _values(xs, "dot")
    if len(w) != len(x):
        raise ValueError(f"dot: the sequences differ in length ({len(w)} weights vs {len(x)} inputs)")
    z = sum([wi.data * xi.data for wi, xi in zip(w, x)], 0.0)
    if bias is None:
        return Value(z, w + x, "dot")
    b = _wrap(bias, "dot")
    return Value(z + b.data, (*w, *x, b), "dot")


def _back_dot(out: Value) -> None:  # z = Σ wᵢxᵢ + b:  ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1
    n = len(out._prev) // 2
    for w, x in zip(out._prev[:n], out._prev[n : 2 * n]):
        w.grad += x.data * out.grad
        x.grad += w.data * out.grad
    if len(out._prev) % 2:
        out._prev[-1].grad += out.grad


def max_of(values: Iterable[Value | Number]) -> Value:
    """max xᵢ as one node — the group max of a Maxout unit (lecture A3)."""
    xs = _values(values, "max_of")
    if not xs:
        raise ValueError("max_of: needs at least one value")
    return Value(xs[_argmax([x.data for x in xs])].data, xs, "max")


def _back_max(out: Value) -> None:  # y = max xᵢ:  ∂y/∂x_k = 1 for the winner k, 0 for the others
    out._prev[_argmax([x.data for x in out._prev])].grad += out.grad


def argmax(values: Sequence[Value | Number]) -> int:
    """The index k of the largest value — the winner that max's gradient goes to (lecture A3).

    Ties go to the **lowest** index (like NumPy), so Maxout with a fixed 0 piece first gives
    relu′(0) = 0; a nan counts as the largest, so max propagates nan like PyTorch.
    """
    data = [
        v.data if isinstance(v, Value) else as_real(f"argmax(values)[{i}]", v) for i, v in enumerate(values)
    ]
    if not data:
        raise ValueError("argmax: got an empty sequence; expected at least one value")
    return _argmax(data)


def _argmax(data: Sequence[float]) -> int:
    best, best_i = data[0], 0
    for i in range(1, len(data)):
        d = data[i]
        if d > best or (d != d and best == best):  # the first nan wins
            best, best_i = d, i
    return best_i


# ---------------------------------------------------------------------------------------------
# The chain-rule table: op name → the function applying that op's local derivatives
# ---------------------------------------------------------------------------------------------

_LOCAL_DERIVATIVES: dict[str, Callable[[Value], None]] = {
    "+": Value._back_add,
    "-": Value._back_sub,
    "*": Value._back_mul,
    "/": Value._back_div,
    "**": Value._back_pow,
    "neg": Value._back_neg,
    "prelu": Value._back_prelu,
    "leaky_relu": Value._back_prelu,  # the fixed slope is an α that receives an unused gradient
    "elu": Value._back_elu,
    "sum": _back_sum,
    "dot": _back_dot,
    "max": _back_max,
    **dict.fromkeys(_UNARY, _back_unary),
}
_BUILTIN_OPS = frozenset(_LOCAL_DERIVATIVES)


def _local_derivatives(op: str) -> Callable[[Value], None]:
    try:
        return _LOCAL_DERIVATIVES[op]
    except KeyError:
        raise NotImplementedError(
            f"backward: op {op!r} has no local derivative. Give its node a `_backward` closure "
            "(micrograd's way) or make it with define_unary(name, forward, derivative)."
        ) from None


# ---------------------------------------------------------------------------------------------
# Operands and inputs
# ---------------------------------------------------------------------------------------------

_OPERAND = "a real number (int or float) or a Value"


def _wrap(x: object, op: str) -> Value:
    """An operand as a Value: Values pass through, numbers become constant leaves."""
    if isinstance(x, Value):
        return x
    return Value.constant(as_real(f"operand of {op!r}", x, _OPERAND))


def _values(xs: Iterable[Value | Number], op: str) -> tuple[Value, ...]:
    if type(xs) is tuple or type(xs) is list:
        t = tuple(xs)
        if set(map(type, t)) <= {Value}:  # the common case, checked at C speed
            return t
    elif isinstance(xs, (Value, str, bytes)) or not isinstance(xs, Iterable):
        fail(op, xs, "a sequence of Values or numbers")
    return tuple(_wrap(x, op) for x in xs)


def _as_children(children: Iterable[Value]) -> tuple[Value, ...]:
    """micrograd passes `_children` as a tuple or a set; keep a tuple of Values."""
    if isinstance(children, (str, bytes)) or not isinstance(children, Iterable):
        fail("Value(_children)", children, "a tuple of Values")
    out = tuple(children)
    for c in out:
        if not isinstance(c, Value):
            fail("Value(_children)", c, "a Value as every child")
    return out


# ---------------------------------------------------------------------------------------------
# Anomaly mode (`with detect_anomaly():`): name the first op whose result is nan or inf
# ---------------------------------------------------------------------------------------------


def _report_forward(out: Value) -> None:
    inputs = ", ".join(f"{p._op or 'leaf'} {p.label!r} = {p.data!r}" for p in out._prev)
    raise FloatingPointError(f"anomaly: op {out._op!r} produced {out.data!r} from inputs [{inputs}]")


def _check_backward(node: Value) -> None:
    for i, p in enumerate(node._prev):
        if not math.isfinite(p.grad):
            raise FloatingPointError(
                f"anomaly in backward: op {node._op!r} (output {node.data!r}, upstream grad "
                f"{node.grad!r}) gave input #{i} ({p.label or p._op or 'leaf'} = {p.data!r}) "
                f"the gradient {p.grad!r}"
            )
