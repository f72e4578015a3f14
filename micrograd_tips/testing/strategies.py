"""Hypothesis strategies for property tests of the scalar engine and of ops you add to it.

- `floats(min_value, max_value)`: finite float64 numbers (no nan, inf or subnormals) in a range.
- `values(min_value, max_value)`: `Value` leaves holding such numbers.
- `expressions(...)`: random expression DAGs over every engine op, with reused nodes, as an
  `Expression`: the leaves, the root `Value`, and `reference`, what the same program gives when
  evaluated with plain floats and `math` (an oracle that does not use the engine).

Domains are kept safe by construction, so no example is thrown away: log, division, `**` with a
non-integer exponent and `Value ** Value` get a positive input x·x + c (c ≥ 0.25); exp and the
exponent of `c ** x` get an input scaled into [−5, 5]; any node larger than 100 in magnitude is
scaled back by a constant. Those helper steps (`*`, `+ c`, `* c`) are part of the program.

Testing an op of your own (lecture: any activation of A2/A3 is one more row of the table)::

    import math
    from hypothesis import given
    from micrograd_tips import define_unary
    from micrograd_tips.testing import gradcheck
    from micrograd_tips.testing.strategies import expressions, floats

    def _softplus(x):
        return math.log1p(math.exp(-abs(x))) + max(x, 0.0)

    softplus = define_unary("softplus", _softplus, lambda x, y: 1.0 / (1.0 + math.exp(-x)))

    @given(floats(-20, 20))
    def test_softplus_derivative(x):
        gradcheck(softplus, [x])

    @given(expressions(unary_ops={"softplus": (softplus, _softplus)}))
    def test_softplus_inside_graphs(expr):
        assert math.isclose(expr.root.data, expr.reference, rel_tol=1e-12, abs_tol=1e-12)
        if expr.kink_margin > 1e-3:            # stay away from relu(0) and max ties
            gradcheck(expr.rebuild, expr.leaf_data, atol=1e-4, rtol=1e-3)

User ops receive inputs in [−5, 5].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from hypothesis import strategies as st

from ..engine import Value, dot, max_of, sum_of

__all__ = ["ALL_OPS", "Expression", "Step", "expressions", "floats", "values"]

#: The engine ops `expressions` draws from (names as written in code).
ALL_OPS: tuple[str, ...] = (
    "+", "-", "*", "/", "**", "neg", "exp", "log", "tanh", "sigmoid", "relu",
    "leaky_relu", "elu", "prelu", "sum_of", "dot", "max_of",
)  # fmt: skip

_CAP = 100.0  # any node larger than this is scaled back by a constant
_EXP_RANGE = 5.0  # inputs of exp, c ** x and user unary ops
_POW_BASE_RANGE = 10.0  # x in the positive base x·x + c


def floats(min_value: float = -1e3, max_value: float = 1e3) -> st.SearchStrategy[float]:
    """Finite float64 numbers in [min_value, max_value]: no nan, no ±inf, no subnormals.

    The default range keeps exp, squares and products of a few such numbers finite.
    """
    for name, bound in (("min_value", min_value), ("max_value", max_value)):
        if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
            raise TypeError(f"floats({name}): got {bound!r}; expected a finite int or float")
    if min_value > max_value:
        raise ValueError(f"floats: min_value {min_value!r} > max_value {max_value!r}; expected min ≤ max")
    return st.floats(
        min_value=float(min_value),
        max_value=float(max_value),
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=False,
    )


def values(min_value: float = -1e3, max_value: float = 1e3) -> st.SearchStrategy[Value]:
    """`Value` leaves (grad 0.0, no label) holding `floats(min_value, max_value)`."""
    return floats(min_value, max_value).map(Value)


# ---------------------------------------------------------------------------------------------
# Programs: a list of steps that can be replayed with Values or with plain floats.
# ---------------------------------------------------------------------------------------------


class Step(NamedTuple):
    """One node of a program: ``nodes.append(op(nodes[args[0]], ...; const))``.

    For "dot", args are (w₁..wₙ, x₁..xₙ[, bias]): a bias is present when len(args) is odd.
    """

    op: str
    args: tuple[int, ...]
    const: float = 0.0


def _sigmoid_ref(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)


def _dot_ref(args: Sequence[float]) -> float:
    n = len(args) // 2
    z = sum([w * x for w, x in zip(args[:n], args[n : 2 * n])], 0.0)
    return z + args[-1] if len(args) % 2 else z


def _dot_value(args: Sequence[Value]) -> Value:
    n = len(args) // 2
    return dot(args[:n], args[n : 2 * n], args[-1] if len(args) % 2 else None)


_Impl = Callable[[Sequence[Any], float], Any]

# Each program op twice: on Values (the engine) and on floats (the reference, `math` only).
_VALUE_OPS: dict[str, _Impl] = {
    "add": lambda a, c: a[0] + a[1],
    "sub": lambda a, c: a[0] - a[1],
    "mul": lambda a, c: a[0] * a[1],
    "div": lambda a, c: a[0] / a[1],
    "pow": lambda a, c: a[0] ** a[1],
    "pow_const": lambda a, c: a[0] ** c,
    "add_const": lambda a, c: a[0] + c,
    "mul_const": lambda a, c: a[0] * c,
    "rsub_const": lambda a, c: c - a[0],
    "rdiv_const": lambda a, c: c / a[0],
    "rpow_const": lambda a, c: c ** a[0],
    "neg": lambda a, c: -a[0],
    "exp": lambda a, c: a[0].exp(),
    "log": lambda a, c: a[0].log(),
    "tanh": lambda a, c: a[0].tanh(),
    "sigmoid": lambda a, c: a[0].sigmoid(),
    "relu": lambda a, c: a[0].relu(),
    "leaky_relu": lambda a, c: a[0].leaky_relu(c),
    "elu": lambda a, c: a[0].elu(c),
    "prelu": lambda a, c: a[0].prelu(a[1]),
    "sum": lambda a, c: sum_of(a),
    "dot": lambda a, c: _dot_value(a),
    "max": lambda a, c: max_of(a),
}
_FLOAT_OPS: dict[str, _Impl] = {
    "add": lambda a, c: a[0] + a[1],
    "sub": lambda a, c: a[0] - a[1],
    "mul": lambda a, c: a[0] * a[1],
    "div": lambda a, c: a[0] / a[1],
    "pow": lambda a, c: math.pow(a[0], a[1]),
    "pow_const": lambda a, c: math.pow(a[0], c),
    "add_const": lambda a, c: a[0] + c,
    "mul_const": lambda a, c: a[0] * c,
    "rsub_const": lambda a, c: c - a[0],
    "rdiv_const": lambda a, c: c / a[0],
    "rpow_const": lambda a, c: math.pow(c, a[0]),
    "neg": lambda a, c: -a[0],
    "exp": lambda a, c: math.exp(a[0]),
    "log": lambda a, c: math.log(a[0]),
    "tanh": lambda a, c: math.tanh(a[0]),
    "sigmoid": lambda a, c: _sigmoid_ref(a[0]),
    "relu": lambda a, c: a[0] if a[0] > 0.0 else 0.0,
    "leaky_relu": lambda a, c: a[0] if a[0] > 0.0 else c * a[0],
    "elu": lambda a, c: a[0] if a[0] > 0.0 else c * math.expm1(a[0]),
    "prelu": lambda a, c: a[0] if a[0] > 0.0 else a[1] * a[0],
    "sum": lambda a, c: sum(a, 0.0),
    "dot": lambda a, c: _dot_ref(a),
    "max": lambda a, c: max(a),
}

_UnaryPair = tuple[Callable[[Value], Value], Callable[[float], float]]


def _replay(program: Sequence[Step], leaves: Sequence[Any], table: Mapping[str, _Impl]) -> list[Any]:
    nodes = list(leaves)
    for op, args, const in program:
        nodes.append(table[op]([nodes[i] for i in args], const))
    return nodes


@dataclass(frozen=True, repr=False)
class Expression:
    """A random expression DAG and its float reference.

    Attributes:
        leaves:      the input Values (grad 0.0 until you call `root.backward()`).
        root:        the output Value, built with the engine from `leaves`.
        reference:   the same program evaluated with floats and `math` only (an oracle).
        program:     the steps; node k ≥ len(leaves) is ``program[k − len(leaves)]``.
        kink_margin: the smallest distance of a relu/leaky_relu/elu/prelu input to 0 and of a
                     max_of winner to the runner-up (inf if none): finite differences need it
                     well above their step.
        unary_ops:   the user ops the program may call: name → (Value function, float function).
    """

    leaves: tuple[Value, ...]
    root: Value
    reference: float
    program: tuple[Step, ...]
    kink_margin: float
    unary_ops: Mapping[str, _UnaryPair]

    @property
    def leaf_data(self) -> list[float]:
        """The leaves' numbers, e.g. the point for `gradcheck(expr.rebuild, expr.leaf_data)`."""
        return [leaf.data for leaf in self.leaves]

    def rebuild(self, *leaves: Value) -> Value:
        """Build the same graph again from new leaf Values (one per original leaf)."""
        if len(leaves) != len(self.leaves):
            raise ValueError(f"rebuild: got {len(leaves)} leaves; expected {len(self.leaves)}")
        return _replay(self.program, leaves, _value_table(self.unary_ops))[-1]

    def evaluate(self, xs: Sequence[float]) -> float:
        """The program on plain floats (no engine): f(xs)."""
        if len(xs) != len(self.leaves):
            raise ValueError(f"evaluate: got {len(xs)} numbers; expected {len(self.leaves)}")
        return float(_replay(self.program, [float(x) for x in xs], _float_table(self.unary_ops))[-1])

    def __repr__(self) -> str:
        n = len(self.leaves)
        lines = [f"Expression({n} leaves, {len(self.program)} steps, reference={self.reference!r})"]
        lines += [f"  n{i} = {leaf.data!r}" for i, leaf in enumerate(self.leaves)]
        for k, (op, args, const) in enumerate(self.program, start=n):
            operands = ", ".join(f"n{i}" for i in args)
            extra = f"; {const!r}" if const or op.endswith("const") else ""
            lines.append(f"  n{k} = {op}({operands}{extra})")
        return "\n".join(lines)


def _on_first(fn: Callable[[Any], Any]) -> _Impl:
    return lambda a, c: fn(a[0])


def _value_table(unary_ops: Mapping[str, _UnaryPair]) -> dict[str, _Impl]:
    table = dict(_VALUE_OPS)
    table.update({"u:" + name: _on_first(value_fn) for name, (value_fn, _) in unary_ops.items()})
    return table


def _float_table(unary_ops: Mapping[str, _UnaryPair]) -> dict[str, _Impl]:
    table = dict(_FLOAT_OPS)
    table.update({"u:" + name: _on_first(float_fn) for name, (_, float_fn) in unary_ops.items()})
    return table


class _Builder:
    """Appends steps while tracking float values, so domains can be made safe as we go."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any], leaf_values: list[float], table: Any):
        self.draw = draw
        self.vals = list(leaf_values)
        self.program: list[Step] = []
        self.kinks: list[float] = []
        self.table = table

    def emit(self, op: str, args: Sequence[int], const: float = 0.0) -> int:
        args = tuple(args)
        self.program.append(Step(op, args, const))
        self.vals.append(float(self.table[op]([self.vals[i] for i in args], const)))
        return len(self.vals) - 1

    def pick(self) -> int:
        """Any existing node: reuse is the point."""
        return self.draw(st.integers(0, len(self.vals) - 1))

    def picks(self, lo: int, hi: int) -> list[int]:
        return self.draw(st.lists(st.integers(0, len(self.vals) - 1), min_size=lo, max_size=hi))

    def scaled(self, i: int, bound: float) -> int:
        """Node i, multiplied by a constant if needed so that |value| ≤ bound."""
        v = abs(self.vals[i])
        return i if v <= bound else self.emit("mul_const", (i,), bound / v)

    def positive(self, i: int) -> int:
        """x·x + c with c ∈ [0.25, 2]: a safe input for log, division and real powers."""
        x = self.scaled(i, _POW_BASE_RANGE)
        c = self.draw(st.floats(0.25, 2.0))
        return self.emit("add_const", (self.emit("mul", (x, x)),), c)

    def kink(self, distance: float) -> None:
        self.kinks.append(abs(distance))


def _max_gap(vals: list[float], args: tuple[int, ...]) -> float:
    """Distance from the max_of winner to the best *other node* (inf if one node only)."""
    winner = max(args, key=lambda i: vals[i])
    others = [vals[i] for i in set(args) if i != winner]
    return vals[winner] - max(others) if others else math.inf


def _add_step(b: _Builder, op: str) -> None:
    """One engine op (with its safe-domain helpers) on nodes drawn from the pool.

    `op` is a name from `ALL_OPS` or ``"user:<name>"`` for a user unary op.
    """
    d = b.draw
    if op in ("+", "-", "*"):
        name = {"+": "add", "-": "sub", "*": "mul"}[op]
        if d(st.booleans()):
            b.emit(name, (b.pick(), b.pick()))
        else:  # a number on one side: v + c, c − v, v · c
            form = {"+": "add_const", "-": "rsub_const", "*": "mul_const"}[op]
            b.emit(form, (b.pick(),), d(st.floats(-3.0, 3.0)))
    elif op == "/":
        if d(st.booleans()):
            b.emit("div", (b.pick(), b.positive(b.pick())))
        else:
            b.emit("rdiv_const", (b.positive(b.pick()),), d(st.floats(-3.0, 3.0)))
    elif op == "**":
        form = d(st.sampled_from(["pow", "pow_const", "pow_int", "rpow_const"]))
        if form == "pow":  # Value ** Value
            b.emit("pow", (b.positive(b.pick()), b.scaled(b.pick(), 3.0)))
        elif form == "pow_const":
            b.emit("pow_const", (b.positive(b.pick()),), d(st.floats(-2.0, 3.0)))
        elif form == "pow_int":  # any sign of base
            b.emit("pow_const", (b.scaled(b.pick(), _POW_BASE_RANGE),), float(d(st.sampled_from([2, 3]))))
        else:  # c ** v
            b.emit("rpow_const", (b.scaled(b.pick(), _EXP_RANGE),), d(st.floats(0.5, 3.0)))
    elif op == "exp":
        b.emit("exp", (b.scaled(b.pick(), _EXP_RANGE),))
    elif op == "log":
        b.emit("log", (b.positive(b.pick()),))
    elif op in ("neg", "tanh", "sigmoid"):
        b.emit(op, (b.pick(),))
    elif op == "relu":
        i = b.pick()
        b.kink(b.vals[i])
        b.emit("relu", (i,))
    elif op in ("leaky_relu", "elu"):
        i = b.pick()
        b.kink(b.vals[i])
        b.emit(op, (i,), d(st.floats(0.01, 2.0)))
    elif op == "prelu":
        i, alpha = b.pick(), b.pick()
        b.kink(b.vals[i])
        b.emit("prelu", (i, alpha))
    elif op == "sum_of":
        b.emit("sum", b.picks(1, 4))
    elif op == "dot":
        n = d(st.integers(1, 3))
        b.emit("dot", b.picks(2 * n, 2 * n) + b.picks(0, 1))
    elif op == "max_of":
        group = tuple(b.picks(1, 4))
        b.kink(_max_gap(b.vals, group))
        b.emit("max", group)
    else:  # a user unary op, "user:<name>"
        b.emit("u:" + op.removeprefix("user:"), (b.scaled(b.pick(), _EXP_RANGE),))
    last = len(b.vals) - 1
    if not abs(b.vals[last]) <= _CAP:
        b.scaled(last, _CAP)


def _check_ops(ops: Iterable[str]) -> tuple[str, ...]:
    if isinstance(ops, str) or not isinstance(ops, Iterable):
        raise TypeError(f"expressions(ops): got {type(ops).__name__}; expected a sequence of op names")
    chosen = tuple(ops)
    unknown = [op for op in chosen if op not in ALL_OPS]
    if unknown:
        raise ValueError(f"expressions(ops): unknown op(s) {unknown!r}; accepted: {', '.join(ALL_OPS)}")
    return chosen


def _check_unary_ops(unary_ops: Mapping[str, _UnaryPair] | None) -> dict[str, _UnaryPair]:
    if unary_ops is None:
        return {}
    if not isinstance(unary_ops, Mapping):
        raise TypeError(
            f"expressions(unary_ops): got {type(unary_ops).__name__}; expected a dict "
            "name -> (Value function, float function)"
        )
    checked = {}
    for name, pair in unary_ops.items():
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(callable(f) for f in pair)):
            raise TypeError(
                f"expressions(unary_ops[{name!r}]): got {pair!r:.80}; expected a tuple "
                "(Value function, float function)"
            )
        checked[str(name)] = pair
    return checked


def expressions(
    leaves: st.SearchStrategy[float] | None = None,
    *,
    min_leaves: int = 1,
    max_leaves: int = 4,
    max_ops: int = 8,
    ops: Iterable[str] = ALL_OPS,
    unary_ops: Mapping[str, _UnaryPair] | None = None,
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs with reused nodes over the engine's ops, with a float reference.

    Each of 1..max_ops steps applies an op drawn from `ops` (default: all of `ALL_OPS`) and from
    `unary_ops` (your own ops: ``{"name": (value_fn, float_fn)}``) to nodes drawn from *all*
    earlier nodes, so nodes are reused (x·x, x − x, a node in two branches). When several nodes
    are left unused at the end, the root is their `sum_of`, so every step reaches the root.
    Leaves hold numbers from `leaves` (default `floats(-2, 2)`). Safe domains: see the module
    docstring. Lecture: section 0 — a trustworthy ∇L is what all of the training tips rest on.
    """
    leaf_numbers = floats(-2.0, 2.0) if leaves is None else leaves
    if not isinstance(leaf_numbers, st.SearchStrategy):
        raise TypeError(f"expressions(leaves): got {type(leaves).__name__}; expected a strategy of floats")
    for name, n, lo in (
        ("min_leaves", min_leaves, 1),
        ("max_leaves", max_leaves, 1),
        ("max_ops", max_ops, 1),
    ):
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"expressions({name}): got {type(n).__name__} {n!r}; expected an int ≥ {lo}")
        if n < lo:
            raise ValueError(f"expressions({name}): got {n!r}; expected an int ≥ {lo}")
    if min_leaves > max_leaves:
        raise ValueError(f"expressions: min_leaves {min_leaves} > max_leaves {max_leaves}")
    chosen = _check_ops(ops)
    user_ops = _check_unary_ops(unary_ops)
    choices = chosen + tuple(f"user:{name}" for name in user_ops)
    if not choices:
        raise ValueError("expressions: no ops to draw from; give ops and/or unary_ops")

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Expression:
        numbers = draw(st.lists(leaf_numbers, min_size=min_leaves, max_size=max_leaves))
        b = _Builder(draw, [float(x) for x in numbers], _float_table(user_ops))
        for _ in range(draw(st.integers(1, max_ops))):
            _add_step(b, draw(st.sampled_from(choices)))
        used = {i for step in b.program for i in step.args}
        sinks = [i for i in range(len(b.vals)) if i not in used]
        if len(sinks) > 1:
            b.emit("sum", sinks)
        leaf_values = tuple(Value(x) for x in numbers)
        program = tuple(b.program)
        root = _replay(program, leaf_values, _value_table(user_ops))[-1]
        margin = min(b.kinks, default=math.inf)
        return Expression(leaf_values, root, b.vals[-1], program, margin, user_ops)

    return build()
