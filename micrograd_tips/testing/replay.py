"""Reference replay: run a generated `Expression` on another backend and compare, node by node.

A program (`Expression.program`) is a list of steps with names from `strategies.STEP_NAMES`.
A `Backend` implements each step on its own kind of node; `replay(expr, backend)` runs the
program, backpropagates from the root and returns every node's value and gradient. Then "my
engine equals the reference on random graphs" is three lines::

    from hypothesis import given
    from micrograd_tips.testing.replay import assert_matches, torch_backend
    from micrograd_tips.testing.strategies import expressions

    TORCH = torch_backend()                 # float64 PyTorch (imports torch once)

    @given(expressions(kinks="seek"))       # at kinks and ties: both sides follow PyTorch's conventions
    def test_engine_equals_pytorch(expr):
        assert_matches(expr, TORCH)

Backends shipped: `ENGINE` (this package's `Value`), `torch_backend()` (float64 PyTorch, when
installed) and `micrograd_tips.testing.tensors.tensor_backend()` (the NumPy backend, 0-d Tensors).
A failure names the first node whose value differs (forward) or the op whose local derivative
is wrong (backward: the last node, in backward order, whose gradient differs; its consumers are
listed). `Backend.with_ops` swaps step implementations, e.g. to test an engine of your own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .._checks import check_callable, check_nonnegative, fail
from ..engine import Value
from .strategies import _VALUE_OPS, STEP_NAMES, Expression, replay_program

__all__ = [
    "ENGINE",
    "Backend",
    "Comparison",
    "Replay",
    "assert_matches",
    "compare",
    "replay",
    "torch_backend",
]

StepImpl = Callable[[Sequence[Any], float], Any]


@dataclass(frozen=True)
class Backend:
    """How to run a program on one kind of node.

    Attributes:
        name:     shown in reports ("engine", "torch", "tensor", ...).
        leaf:     a float → a leaf node that will receive a gradient.
        ops:      step name (`STEP_NAMES`) → implementation ``impl(operands, const) -> node``.
        value:    a node → its value as a float.
        backward: runs backpropagation from a root node (seed 1).
        grad:     a node → its gradient as a float (0.0 if it received none).
        unary:    a user op's function on this backend's nodes, from ``unary_ops[name]``
                  (default: call it on the node).
        prepare:  called on every non-leaf node before backward (torch: ``retain_grad``).
        runs_value_ops: whether its nodes are `Value`s, so that user ops made by define_unary
                  run on them as they are.
    """

    name: str
    leaf: Callable[[float], Any]
    ops: Mapping[str, StepImpl]
    value: Callable[[Any], float]
    backward: Callable[[Any], None]
    grad: Callable[[Any], float]
    prepare: Callable[[Any], None] = field(default=lambda node: None)
    runs_value_ops: bool = False

    def with_ops(self, ops: Mapping[str, StepImpl], name: str | None = None) -> Backend:
        """A copy with some step implementations replaced (e.g. a buggy `mul`, or your engine's)."""
        if not isinstance(ops, Mapping):
            fail("Backend.with_ops(ops)", ops, "a dict step name -> implementation(operands, const)")
        table = dict(self.ops)
        for step, impl in ops.items():
            if step not in table and not str(step).startswith("u:"):
                fail("Backend.with_ops(ops)", step, f"a step name from {', '.join(STEP_NAMES)}", ValueError)
            table[step] = check_callable(f"Backend.with_ops(ops[{step!r}])", impl)
        return replace(self, ops=table, name=name or f"{self.name}*")


def _value_grad(node: Value) -> float:
    return node.grad


def _value_backward(root: Value) -> None:
    root.backward()


#: This package's scalar engine (the steps `Expression.rebuild` uses).
ENGINE = Backend(
    name="engine",
    leaf=lambda x: Value(x),
    ops=_VALUE_OPS,
    value=lambda node: node.data,
    backward=_value_backward,
    grad=_value_grad,
    runs_value_ops=True,
)


@dataclass(frozen=True)
class Replay:
    """Every node's value and gradient (leaves first, in program order) on one backend."""

    backend: str
    values: tuple[float, ...]
    grads: tuple[float, ...]

    @property
    def root(self) -> float:
        return self.values[-1]


def _unary_table(expr: Expression, backend: Backend, unary_ops: Mapping[str, Callable[[Any], Any]] | None):
    table: dict[str, StepImpl] = {}
    for name, (value_fn, _) in expr.unary_ops.items():
        if ("u:" + name) in backend.ops:
            continue
        if backend.runs_value_ops:
            fn: Callable[[Any], Any] = value_fn
        elif unary_ops is not None and name in unary_ops:
            fn = check_callable(f"replay(unary_ops[{name!r}])", unary_ops[name])
        else:
            fail(
                "replay(unary_ops)",
                unary_ops,
                f"an implementation of the user op {name!r} on the {backend.name} backend "
                f"(unary_ops={{{name!r}: fn}})",
                ValueError,
            )
        table["u:" + name] = _on_first(fn)
    return table


def _on_first(fn: Callable[[Any], Any]) -> StepImpl:
    """A unary function as a step implementation: impl(operands, const) = fn(operands[0])."""

    def impl(a: Sequence[Any], c: float) -> Any:
        return fn(a[0])

    return impl


def replay(
    expr: Expression,
    backend: Backend = ENGINE,
    *,
    unary_ops: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Replay:
    """Run `expr`'s program on `backend` from fresh leaves, backpropagate from the root, and
    return every node's value and gradient. User ops need ``unary_ops={name: fn}`` on backends
    other than the engine (fn takes and returns one of that backend's nodes)."""
    if not isinstance(expr, Expression):
        fail("replay(expr)", expr, "an Expression (from strategies.expressions)")
    if not isinstance(backend, Backend):
        fail("replay(backend)", backend, "a Backend (ENGINE, torch_backend(), tensors.tensor_backend())")
    table = {**backend.ops, **_unary_table(expr, backend, unary_ops)}
    missing = sorted({s.op for s in expr.program} - set(table))
    if missing:
        fail("replay(backend)", backend.name, f"a backend implementing the steps {missing}", ValueError)
    leaves = [backend.leaf(x) for x in expr.leaf_data]
    nodes = replay_program(expr.program, leaves, table)
    for node in nodes[len(leaves) :]:
        backend.prepare(node)
    backend.backward(nodes[-1])
    return Replay(backend.name, tuple(backend.value(n) for n in nodes), tuple(backend.grad(n) for n in nodes))


@dataclass(frozen=True)
class Comparison:
    """Two replays of one expression, and where they first part."""

    expr: Expression
    tested: Replay
    reference: Replay
    value_diff: int | None  # the first node whose value differs
    grad_diff: int | None  # the last node (first in backward order) whose gradient differs

    @property
    def ok(self) -> bool:
        return self.value_diff is None and self.grad_diff is None

    def report(self) -> str:
        """The listing with both backends' values and gradients, the first difference marked."""
        t, r, n = self.tested, self.reference, len(self.expr.leaves)
        head = f"replay {'agrees' if self.ok else 'DIFFERS'}: {t.backend} vs {r.backend} (reference)"
        lines = [head]
        for k, text in enumerate(self.expr.listing()):
            mark = ""
            if k == self.value_diff:
                mark = "  <-- VALUE DIFFERS (the forward of this step)"
            elif k == self.grad_diff:
                mark = "  <-- GRADIENT DIFFERS"
            values = f"value {t.values[k]!r} / {r.values[k]!r}"
            lines.append(f"  {text:40} {values}   grad {t.grads[k]!r} / {r.grads[k]!r}{mark}")
        if self.value_diff is not None and self.value_diff >= n:
            op = self.expr.program[self.value_diff - n].op
            lines.append(
                f"what to do: the forward of step {op!r} differs; compare its formula with the reference's"
            )
        elif self.grad_diff is not None:
            users = [
                f"n{j + n} = {s.op}" for j, s in enumerate(self.expr.program) if self.grad_diff in s.args
            ]
            lines.append(
                f"what to do: every consumer of n{self.grad_diff} has the same gradient on both sides, so a "
                f"local derivative of {', '.join(users) or 'its consumers'} with respect to "
                f"n{self.grad_diff} is wrong (a missing term when an input is used twice, a factor, "
                "a kink convention)"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _differs(a: float, b: float, scale: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return not (math.isnan(a) and math.isnan(b))
    if math.isinf(a) or math.isinf(b):
        return a != b
    return abs(a - b) > atol * scale + rtol * abs(b)


def compare(
    expr: Expression,
    reference: Backend,
    tested: Backend = ENGINE,
    *,
    rtol: float = 1e-9,
    atol: float = 1e-9,
    unary_ops: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Comparison:
    """Replay `expr` on `tested` and on `reference` and compare every node's value and gradient.

    Values (gradients) agree when |t − r| ≤ atol·s + rtol·|r|, s = max(1, the largest |value|
    (|gradient|) of the reference): float64 libraries differ in the last bits of exp, log, pow.
    """
    rtol = check_nonnegative("compare(rtol)", rtol)
    atol = check_nonnegative("compare(atol)", atol)
    t = replay(expr, tested, unary_ops=unary_ops)
    r = replay(expr, reference, unary_ops=unary_ops)
    vscale = max([1.0, *(abs(v) for v in r.values if math.isfinite(v))])
    gscale = max([1.0, *(abs(g) for g in r.grads if math.isfinite(g))])
    value_diff = next(
        (k for k, (a, b) in enumerate(zip(t.values, r.values)) if _differs(a, b, vscale, rtol, atol)), None
    )
    grad_diff = next(
        (k for k in reversed(range(len(r.grads))) if _differs(t.grads[k], r.grads[k], gscale, rtol, atol)),
        None,
    )
    return Comparison(expr, t, r, value_diff, grad_diff)


def assert_matches(
    expr: Expression,
    reference: Backend,
    tested: Backend = ENGINE,
    *,
    rtol: float = 1e-9,
    atol: float = 1e-9,
    unary_ops: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Comparison:
    """`compare`, raising AssertionError with the side-by-side listing when anything differs."""
    result = compare(expr, reference, tested, rtol=rtol, atol=atol, unary_ops=unary_ops)
    if not result.ok:
        raise AssertionError(result.report())
    return result


# ---------------------------------------------------------------------------------------------
# float64 PyTorch (optional: needs torch)
# ---------------------------------------------------------------------------------------------


def torch_backend() -> Backend:
    """float64 PyTorch, op for op (raises ImportError when torch is not installed).

    Independent of this package: every step is PyTorch's own function (`torch.relu`,
    `F.leaky_relu`, `F.elu`, `F.prelu`, `torch.pow`, …); a max takes `torch.argmax`'s winner
    (the first maximal index, as documented by PyTorch).
    """
    import torch  # optional dependency, only for this backend
    import torch.nn.functional as F

    f64 = torch.float64

    def stack(a: Sequence[Any]) -> Any:
        return torch.stack(list(a))

    def max_step(a: Sequence[Any], c: float) -> Any:
        s = stack(a)
        return s[torch.argmax(s)]

    def dot_step(a: Sequence[Any], c: float) -> Any:
        n = len(a) // 2
        z = (stack(a[:n]) * stack(a[n : 2 * n])).sum()
        return z + a[-1] if len(a) % 2 else z

    ops: dict[str, StepImpl] = {
        "add": lambda a, c: a[0] + a[1],
        "sub": lambda a, c: a[0] - a[1],
        "mul": lambda a, c: a[0] * a[1],
        "div": lambda a, c: a[0] / a[1],
        "pow": lambda a, c: torch.pow(a[0], a[1]),
        "pow_const": lambda a, c: torch.pow(a[0], c),
        "add_const": lambda a, c: a[0] + c,
        "mul_const": lambda a, c: a[0] * c,
        "rsub_const": lambda a, c: c - a[0],
        "rdiv_const": lambda a, c: c / a[0],
        "rpow_const": lambda a, c: torch.pow(torch.tensor(c, dtype=f64), a[0]),
        "neg": lambda a, c: -a[0],
        "exp": lambda a, c: torch.exp(a[0]),
        "log": lambda a, c: torch.log(a[0]),
        "tanh": lambda a, c: torch.tanh(a[0]),
        "sigmoid": lambda a, c: torch.sigmoid(a[0]),
        "relu": lambda a, c: torch.relu(a[0]),
        "leaky_relu": lambda a, c: F.leaky_relu(a[0], c),
        "elu": lambda a, c: F.elu(a[0], alpha=c),
        "prelu": lambda a, c: F.prelu(a[0].reshape(1), a[1].reshape(1)).reshape(()),
        "sum": lambda a, c: stack(a).sum(),
        "dot": dot_step,
        "max": max_step,
    }

    def grad(node: Any) -> float:
        return 0.0 if node.grad is None else float(node.grad)

    def prepare(node: Any) -> None:
        if node.requires_grad:
            node.retain_grad()

    return Backend(
        name="torch",
        leaf=lambda x: torch.tensor(x, dtype=f64, requires_grad=True),
        ops=ops,
        value=lambda node: float(node.detach()),
        backward=lambda root: root.backward(),
        grad=grad,
        prepare=prepare,
    )
