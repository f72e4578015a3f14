"""Hypothesis strategies for property tests of the scalar engine and of ops you add to it.

- `floats(min_value, max_value, avoid=..., margin=...)`: finite float64 numbers (no nan, inf or
  subnormals) in a range, at least `margin` away from the points in `avoid` (an op's kinks).
- `values(...)`: `Value` leaves holding such numbers.
- `expressions(...)`: random expression DAGs over every engine op, with reused nodes, as an
  `Expression`: the leaves, the root `Value`, and `reference`, what the same program gives when
  evaluated with plain floats and `math` (an oracle that does not use the engine).

Domains are kept safe by construction, so no example is thrown away: log, division, `**` with a
non-integer exponent and `Value ** Value` get a positive input x·x + c (c ≥ 0.25); exp and the
exponent of `c ** x` get an input scaled into [−5, 5]; any node larger than 100 in magnitude is
scaled back by a constant. **Kinks are avoided by construction too**: the input of relu,
leaky_relu, elu, prelu and of every user op with declared kinks (`define_unary(..., kinks=...)`)
is shifted by a constant when it lies within `margin` of a kink, and a max_of runner-up within
`margin` of the winner is moved down; so `gradcheck` works on every example. Those helper steps
(`*`, `+ c`, `* c`) are part of the program. ``kinks="seek"`` does the opposite and puts inputs
exactly on kinks and ties, to test the conventions at kinks against a reference replay
(`micrograd_tips.testing.replay`, where both sides follow the same conventions).

Testing an op of your own (lecture: any activation of A2/A3 is one more row of the table)::

    import math
    from hypothesis import given
    from micrograd_tips import define_unary
    from micrograd_tips.testing import gradcheck
    from micrograd_tips.testing.strategies import expressions, floats

    def _softplus(x):          # log(1 + eˣ), stable for every float
        return math.log1p(math.exp(-abs(x))) + max(x, 0.0)

    def _sigmoid(x):           # softplus′ = σ(x), stable for every float
        return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))

    my_softplus = define_unary("my_softplus", _softplus, lambda x, y: _sigmoid(x))

    @given(floats())
    def test_softplus_derivative(x):
        gradcheck(my_softplus, [x])

    @given(expressions(unary_ops={"softplus": (my_softplus, _softplus)}))
    def test_softplus_inside_graphs(expr):
        assert math.isclose(expr.root.data, expr.reference, rel_tol=1e-12, abs_tol=1e-12)
        gradcheck(expr.rebuild, expr.leaf_data)   # kinks are avoided by construction

User ops receive inputs in [−5, 5] (shifted off their kinks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from hypothesis import strategies as st

from .._checks import check_choice, check_int, check_nonnegative, fail
from ..engine import Value, dot, max_of, op_kinks, sum_of
from ._floats import floats
from ._intervals import DEFAULT_MARGIN, away_from, check_kink_points

__all__ = [
    "ALL_OPS",
    "DEFAULT_MARGIN",
    "STEPS_OF_OP",
    "STEP_NAMES",
    "Expression",
    "Step",
    "expressions",
    "floats",
    "values",
]

#: The engine ops `expressions` draws from (names as written in code).
ALL_OPS: tuple[str, ...] = (
    "+", "-", "*", "/", "**", "neg", "exp", "log", "tanh", "sigmoid", "relu",
    "leaky_relu", "elu", "prelu", "sum_of", "dot", "max_of",
)  # fmt: skip

#: The step names of a program (`Step.op`), i.e. what a replay backend must implement; a user
#: op "name" appears as "u:name". The formula of each: see `_FLOAT_OPS` (a = operands, c = const).
STEP_NAMES: tuple[str, ...] = (
    "add", "sub", "mul", "div", "pow", "pow_const", "add_const", "mul_const", "rsub_const",
    "rdiv_const", "rpow_const", "neg", "exp", "log", "tanh", "sigmoid", "relu", "leaky_relu",
    "elu", "prelu", "sum", "dot", "max",
)  # fmt: skip

#: Which steps each engine op of `ALL_OPS` becomes (helper steps aside).
STEPS_OF_OP: dict[str, tuple[str, ...]] = {
    "+": ("add", "add_const"),
    "-": ("sub", "rsub_const"),
    "*": ("mul", "mul_const"),
    "/": ("div", "rdiv_const"),
    "**": ("pow", "pow_const", "rpow_const"),
    "sum_of": ("sum",),
    "max_of": ("max",),
    **{
        op: (op,)
        for op in ("neg", "exp", "log", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "prelu", "dot")
    },
}

_CAP = 100.0  # any node larger than this is scaled back by a constant
_EXP_RANGE = 5.0  # inputs of exp, c ** x and user unary ops
_POW_BASE_RANGE = 10.0  # x in the positive base x·x + c


def values(
    min_value: float = -1e3,
    max_value: float = 1e3,
    *,
    avoid: Iterable[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[Value]:
    """`Value` leaves (grad 0.0, no label) holding `floats(min_value, max_value, avoid=, margin=)`."""
    return floats(min_value, max_value, avoid=avoid, margin=margin).map(Value)


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


def replay_program(program: Sequence[Step], leaves: Sequence[Any], table: Mapping[str, _Impl]) -> list[Any]:
    """Every node of the program (leaves first), computed with the implementations in `table`."""
    nodes = list(leaves)
    for op, args, const in program:
        nodes.append(table[op]([nodes[i] for i in args], const))
    return nodes


class Expression:
    """A random expression DAG and its float reference.

    Attributes:
        leaves:      the input Values (grad 0.0 until you call `root.backward()`).
        root:        the output Value, built with the engine from `leaves`.
        reference:   the same program evaluated with floats and `math` only (an oracle).
        program:     the steps; node k ≥ len(leaves) is ``program[k − len(leaves)]``.
        kink_margin: the smallest distance of a relu/leaky_relu/elu/prelu/user-op input to a kink
                     and of a max_of winner to the runner-up (inf if none); at least the
                     `margin` the strategy was given with ``kinks="avoid"``, by construction
                     (0.0 when a kink is hit, as ``kinks="seek"`` does on purpose).
        unary_ops:   the user ops the program may call: name → (Value function, float function).
        user_kinks:  the user ops' kinks: name → tuple of x.

    ``repr(expr)`` (also in Hypothesis' falsifying-example output) is a readable listing,
    one node per line: ``n3 = relu(n1)``.
    """

    __slots__ = ("leaves", "root", "reference", "program", "kink_margin", "unary_ops", "user_kinks")

    def __init__(
        self,
        leaves: tuple[Value, ...],
        root: Value,
        reference: float,
        program: tuple[Step, ...],
        kink_margin: float,
        unary_ops: Mapping[str, _UnaryPair],
        user_kinks: Mapping[str, tuple[float, ...]] | None = None,
    ):
        self.leaves = leaves
        self.root = root
        self.reference = reference
        self.program = program
        self.kink_margin = kink_margin
        self.unary_ops = unary_ops
        self.user_kinks = dict(user_kinks or {})

    @property
    def leaf_data(self) -> list[float]:
        """The leaves' numbers, e.g. the point for `gradcheck(expr.rebuild, expr.leaf_data)`."""
        return [leaf.data for leaf in self.leaves]

    def rebuild(self, *leaves: Value) -> Value:
        """Build the same graph again from new leaf Values (one per original leaf)."""
        if len(leaves) != len(self.leaves):
            fail("rebuild(*leaves)", leaves, f"{len(self.leaves)} leaves", ValueError)
        return replay_program(self.program, leaves, value_table(self.unary_ops))[-1]

    def evaluate(self, xs: Sequence[float]) -> float:
        """The program on plain floats (no engine): f(xs)."""
        if len(xs) != len(self.leaves):
            fail("evaluate(xs)", xs, f"{len(self.leaves)} numbers", ValueError)
        return float(replay_program(self.program, [float(x) for x in xs], float_table(self.unary_ops))[-1])

    def listing(self) -> list[str]:
        """One line per node: ``n0 = 1.5`` for a leaf, ``n3 = relu(n1)`` for a step."""
        n = len(self.leaves)
        lines = [f"n{i} = {leaf.data!r}" for i, leaf in enumerate(self.leaves)]
        for k, (op, args, const) in enumerate(self.program, start=n):
            operands = ", ".join(f"n{i}" for i in args)
            extra = f"; {const!r}" if const or op.endswith("const") else ""
            lines.append(f"n{k} = {op}({operands}{extra})")
        return lines

    def __repr__(self) -> str:
        head = (
            f"Expression({len(self.leaves)} leaves, {len(self.program)} steps, "
            f"reference={self.reference!r}, kink_margin={self.kink_margin!r})"
        )
        return "\n".join([head, *(f"  {line}" for line in self.listing())])

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis (and IPython) print the readable listing, not the raw fields."""
        head, *lines = repr(self).split("\n")
        printer.text(head)
        for line in lines:
            printer.break_()
            printer.text(line)


def _on_first(fn: Callable[[Any], Any]) -> _Impl:
    return lambda a, c: fn(a[0])


def value_table(unary_ops: Mapping[str, _UnaryPair]) -> dict[str, _Impl]:
    """The engine's implementation of every step (user ops as "u:name")."""
    table = dict(_VALUE_OPS)
    table.update({"u:" + name: _on_first(pair[0]) for name, pair in unary_ops.items()})
    return table


def float_table(unary_ops: Mapping[str, _UnaryPair]) -> dict[str, _Impl]:
    """The float (`math`) implementation of every step: the reference."""
    table = dict(_FLOAT_OPS)
    table.update({"u:" + name: _on_first(pair[1]) for name, pair in unary_ops.items()})
    return table


class _Builder:
    """Appends steps while tracking float values, so domains and kinks can be handled as we go."""

    def __init__(
        self,
        draw: Callable[[st.SearchStrategy[Any]], Any],
        leaf_values: list[float],
        table: Any,
        margin: float,
        seek: bool = False,
    ):
        self.draw = draw
        self.vals = list(leaf_values)
        self.program: list[Step] = []
        self.kinks: list[float] = []
        self.table = table
        self.margin = margin
        self.seek = seek

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

    def onto(self, i: int, kink: float) -> int:
        """A node equal to `kink` exactly on every backend: i·0 (+ kink). It still depends on
        node i, so a wrong derivative at the kink shows in the gradients of the nodes around it."""
        zero = self.emit("mul_const", (i,), 0.0)  # ±0 exactly, whatever i's last bits
        return zero if kink == 0.0 else self.emit("add_const", (zero,), kink)

    def off_kinks(self, i: int, kinks: Sequence[float]) -> int:
        """Node i, shifted by a constant if it lies within `margin` of a kink (by construction);
        in "seek" mode, shifted exactly onto a kink about half of the time."""
        if not kinks:
            return i
        if self.seek:
            if self.draw(st.booleans()):
                i = self.onto(i, self.draw(st.sampled_from(sorted(kinks))))
        else:
            target = away_from(self.vals[i], kinks, self.margin)
            if target is not None:
                i = self.emit("add_const", (i,), target - self.vals[i])
        self.kinks.append(min(abs(self.vals[i] - k) for k in kinks))
        return i

    def untied(self, group: list[int]) -> tuple[int, ...]:
        """A max_of group whose runner-up is at least `margin` below the winner (by construction):
        each other node within `margin` of the winner is replaced by itself minus a constant.
        In "seek" mode, about half of the groups get an exact tie instead: winner + 0 (a new node
        with the winner's value) at a drawn position."""
        best = max(self.vals[i] for i in group)
        winner = next(i for i in group if self.vals[i] == best)  # the lowest index, as max_of
        if self.seek:
            if self.draw(st.booleans()):  # winner + 0: the same value on every backend
                tie = self.emit("add_const", (winner,), 0.0)
                group.insert(self.draw(st.integers(0, len(group))), tie)
        elif self.margin > 0.0:
            for j in dict.fromkeys(group):
                if j != winner and best - self.vals[j] < self.margin:
                    lower = self.emit("add_const", (j,), (best - 2.0 * self.margin) - self.vals[j])
                    group = [lower if g == j else g for g in group]
        self.kinks.append(_max_gap(self.vals, tuple(group)))
        return tuple(group)


def _max_gap(vals: list[float], args: tuple[int, ...]) -> float:
    """Distance from the max_of winner to the best *other node* (inf if one node only)."""
    winner = max(args, key=lambda i: vals[i])
    others = [vals[i] for i in set(args) if i != winner]
    return vals[winner] - max(others) if others else math.inf


def _add_step(b: _Builder, op: str, user_kinks: Mapping[str, tuple[float, ...]]) -> None:
    """One engine op (with its safe-domain and kink helpers) on nodes drawn from the pool.

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
        b.emit("relu", (b.off_kinks(b.pick(), (0.0,)),))
    elif op in ("leaky_relu", "elu"):
        b.emit(op, (b.off_kinks(b.pick(), (0.0,)),), d(st.floats(0.01, 2.0)))
    elif op == "prelu":
        i, alpha = b.pick(), b.pick()
        b.emit("prelu", (b.off_kinks(i, (0.0,)), alpha))
    elif op == "sum_of":
        b.emit("sum", b.picks(1, 4))
    elif op == "dot":
        n = d(st.integers(1, 3))
        b.emit("dot", b.picks(2 * n, 2 * n) + b.picks(0, 1))
    elif op == "max_of":
        b.emit("max", b.untied(b.picks(1, 4)))
    else:  # a user unary op, "user:<name>"
        name = op.removeprefix("user:")
        x = b.off_kinks(b.scaled(b.pick(), _EXP_RANGE), user_kinks[name])
        b.emit("u:" + name, (x,))
    last = len(b.vals) - 1
    if not abs(b.vals[last]) <= _CAP:
        b.scaled(last, _CAP)


def _check_ops(ops: Iterable[str]) -> tuple[str, ...]:
    if isinstance(ops, str) or not isinstance(ops, Iterable):
        fail("expressions(ops)", ops, "a sequence of op names")
    chosen = tuple(ops)
    unknown = [op for op in chosen if op not in ALL_OPS]
    if unknown:
        fail("expressions(ops)", unknown, f"names from {', '.join(ALL_OPS)}", ValueError)
    return chosen


def _declared_kinks(fn: Callable[..., Any]) -> tuple[float, ...]:
    """The kinks an op made by define_unary declared (none for other callables)."""
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str):
        return ()
    try:
        return op_kinks(name)
    except ValueError:  # not a unary op of the engine (a lambda, a composite function)
        return ()


def _check_unary_ops(
    unary_ops: Mapping[str, Any] | None,
) -> tuple[dict[str, _UnaryPair], dict[str, tuple[float, ...]]]:
    if unary_ops is None:
        return {}, {}
    if not isinstance(unary_ops, Mapping):
        fail("expressions(unary_ops)", unary_ops, "a dict name -> (Value function, float function[, kinks])")
    pairs, kinks = {}, {}
    for name, entry in unary_ops.items():
        where = f"expressions(unary_ops[{name!r}])"
        if not (isinstance(entry, tuple) and len(entry) in (2, 3) and all(callable(f) for f in entry[:2])):
            fail(
                where,
                entry,
                "a tuple (Value function, float function) or (Value function, float function, kinks)",
            )
        pairs[str(name)] = (entry[0], entry[1])
        kinks[str(name)] = (
            check_kink_points(where + " kinks", entry[2]) if len(entry) == 3 else _declared_kinks(entry[0])
        )
    return pairs, kinks


def expressions(
    leaves: st.SearchStrategy[float] | None = None,
    *,
    min_leaves: int = 1,
    max_leaves: int = 4,
    max_ops: int = 8,
    ops: Iterable[str] = ALL_OPS,
    unary_ops: Mapping[str, Any] | None = None,
    margin: float = DEFAULT_MARGIN,
    kinks: str = "avoid",
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs with reused nodes over the engine's ops, with a float reference.

    Each of 1..max_ops steps applies an op drawn from `ops` (default: all of `ALL_OPS`) and from
    `unary_ops` (your own ops: ``{"name": (value_fn, float_fn)}``, or with a third element, the
    op's kinks; an op made by ``define_unary(..., kinks=...)`` brings its kinks along) to nodes
    drawn from *all* earlier nodes, so nodes are reused (x·x, x − x, a node in two branches).
    When several nodes are left unused at the end, the root is their `sum_of`, so every step
    reaches the root. Leaves hold numbers from `leaves` (default `floats(-2, 2)`). Every kink
    input stays at least `margin` from its kinks by construction (``kinks="avoid"``, the default,
    for `gradcheck`); ``kinks="allow"`` leaves inputs where they fall; ``kinks="seek"`` puts about
    half of the kink inputs exactly on a kink (x·0 + kink) and gives about half of the max_of
    groups an exact tie (winner + 0), the same on every backend — to test the conventions at
    kinks against a reference (`testing.replay`).
    Safe domains: see the module docstring. Lecture: section 0 — a trustworthy ∇L is what all
    of the training tips rest on.
    """
    leaf_numbers = floats(-2.0, 2.0) if leaves is None else leaves
    if not isinstance(leaf_numbers, st.SearchStrategy):
        fail("expressions(leaves)", leaves, "a Hypothesis strategy of floats")
    min_leaves = check_int("expressions(min_leaves)", min_leaves, 1)
    max_leaves = check_int("expressions(max_leaves)", max_leaves, 1)
    max_ops = check_int("expressions(max_ops)", max_ops, 1)
    if min_leaves > max_leaves:
        fail("expressions(min_leaves)", min_leaves, f"at most max_leaves ({max_leaves})", ValueError)
    gap = check_nonnegative("expressions(margin)", margin)
    mode = check_choice("expressions(kinks)", kinks, ("avoid", "allow", "seek"))
    if mode != "avoid":
        gap = 0.0
    chosen = _check_ops(ops)
    user_ops, user_kinks = _check_unary_ops(unary_ops)
    choices = chosen + tuple(f"user:{name}" for name in user_ops)
    if not choices:
        fail("expressions(ops)", chosen, "some ops to draw from (ops and/or unary_ops)", ValueError)
    floats_table = float_table(user_ops)
    values_table = value_table(user_ops)

    @st.composite
    def build(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Expression:
        numbers = draw(st.lists(leaf_numbers, min_size=min_leaves, max_size=max_leaves))
        b = _Builder(draw, [float(x) for x in numbers], floats_table, gap, seek=mode == "seek")
        for _ in range(draw(st.integers(1, max_ops))):
            _add_step(b, draw(st.sampled_from(choices)), user_kinks)
        used = {i for step in b.program for i in step.args}
        sinks = [i for i in range(len(b.vals)) if i not in used]
        if len(sinks) > 1:
            b.emit("sum", sinks)
        leaf_values = tuple(Value(x) for x in numbers)
        program = tuple(b.program)
        root = replay_program(program, leaf_values, values_table)[-1]
        margin_found = min(b.kinks, default=math.inf)
        return Expression(leaf_values, root, b.vals[-1], program, margin_found, user_ops, user_kinks)

    return build()
