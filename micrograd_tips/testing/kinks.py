"""The derivative AT a kink: the conventions finite differences cannot check.

At a kink (ReLU at z = 0, a max with a tie) f has a left and a right slope and no derivative;
backprop must still return *one* number, and which one is a convention. `gradcheck` cannot test
it (the central difference there is the mean of the two slopes), and the strategies keep away
from kinks on purpose. This module tests the conventions directly:

- `KINK_CONVENTIONS`: the stated table for the engine's built-in ops — PyTorch's choices, which
  `tests/test_testing_kinks.py` checks against PyTorch itself:

  ====================  =========================  ===========================================
  op                    point                      convention
  ====================  =========================  ===========================================
  relu                  z = 0 and z = −0.0         relu′ = 0 (the z ≤ 0 branch)
  leaky_relu(s)         z = 0                      ∂/∂z = s (the z ≤ 0 branch)
  elu(α)                z = 0                      ∂/∂z = α·e⁰ = α (the z ≤ 0 branch)
  prelu                 z = 0, α = 0.25            ∂/∂z = α, ∂/∂α = z = 0
  max_of                a tie                      the lowest index among the maxima gets it all
  a ** b                a = 0, b = 0 and b = 2     ∂/∂a = 0 (also for 0⁰), ∂/∂b = 0
  ====================  =========================  ===========================================

- `check_kink_conventions(ops=...)` runs the table on the engine, or on your own versions of
  these ops (``ops={"relu": my_relu}``), and reports every row that differs.
- `check_kinks(op, expected)` checks a unary op's derivative at each of its declared kinks
  (`define_unary(..., kinks=...)`) against what you state: a number per kink, or the "left" /
  "right" one-sided slope (measured by one-sided finite differences), or "one-sided" (either).

Lecture A2/A3: ReLU's and Maxout's gradients at z = 0 and at ties decide which neurons of the
thin network receive a gradient; a wrong convention is a silent bug.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .._checks import check_bool, check_callable, fail
from ..engine import Value, max_of, op_kinks
from ._intervals import check_kink_points

__all__ = [
    "KINK_CONVENTIONS",
    "KinkCheck",
    "KinkConvention",
    "KinkRow",
    "check_kink_conventions",
    "check_kinks",
]


@dataclass(frozen=True)
class KinkConvention:
    """One row of the table: `build(op, *leaves)` at `inputs` must give gradients `expected`."""

    op: str
    point: str
    rule: str
    inputs: tuple[float, ...]
    expected: tuple[float, ...]
    build: Callable[..., Value]


def _unary(f: Callable[..., Value], z: Value) -> Value:
    return f(z)


KINK_CONVENTIONS: tuple[KinkConvention, ...] = (
    KinkConvention("relu", "z = 0", "relu′(0) = 0", (0.0,), (0.0,), _unary),
    KinkConvention("relu", "z = −0.0", "relu′(−0) = 0", (-0.0,), (0.0,), _unary),
    KinkConvention("leaky_relu", "z = 0, s = 0.01", "∂/∂z = s", (0.0,), (0.01,), lambda f, z: f(z, 0.01)),
    KinkConvention("leaky_relu", "z = 0, s = 0.2", "∂/∂z = s", (0.0,), (0.2,), lambda f, z: f(z, 0.2)),
    KinkConvention("elu", "z = 0, α = 1.5", "∂/∂z = α·e⁰ = α", (0.0,), (1.5,), lambda f, z: f(z, 1.5)),
    KinkConvention("prelu", "z = 0, α = 0.25", "∂/∂z = α, ∂/∂α = z = 0", (0.0, 0.25), (0.25, 0.0),
                   lambda f, z, a: f(z, a)),
    KinkConvention("max_of", "tie of two", "the lowest index wins", (1.0, 1.0), (1.0, 0.0),
                   lambda f, *xs: f(list(xs))),
    KinkConvention("max_of", "tie after a smaller one", "the lowest index among the maxima wins",
                   (-1.0, 2.0, 2.0), (0.0, 1.0, 0.0), lambda f, *xs: f(list(xs))),
    KinkConvention("max_of", "three equal", "the lowest index wins", (0.5, 0.5, 0.5), (1.0, 0.0, 0.0),
                   lambda f, *xs: f(list(xs))),
    KinkConvention("max_of", "tie at 0 (Maxout's ReLU case)", "the first piece wins", (0.0, 0.0),
                   (1.0, 0.0), lambda f, *xs: f(list(xs))),
    KinkConvention("pow", "a = 0, b = 0", "∂(0⁰)/∂a = 0, ∂/∂b = 0", (0.0, 0.0), (0.0, 0.0),
                   lambda f, a, b: f(a, b)),
    KinkConvention("pow", "a = 0, b = 2", "∂/∂a = 2·0 = 0, ∂/∂b = 0 (limit of aᵇ·ln a)", (0.0, 2.0),
                   (0.0, 0.0), lambda f, a, b: f(a, b)),
)  # fmt: skip

#: The engine's own implementation of each op named in the table.
ENGINE_OPS: dict[str, Callable[..., Value]] = {
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,
    "elu": Value.elu,
    "prelu": Value.prelu,
    "max_of": max_of,
    "pow": Value.__pow__,
}


@dataclass(frozen=True)
class KinkRow:
    """One checked kink: what was expected and what backprop gave."""

    op: str
    point: str
    rule: str
    expected: tuple[float, ...]
    got: tuple[float, ...]
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class KinkCheck:
    """The rows of a kink check; `ok` iff every row agrees."""

    rows: tuple[KinkRow, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    def report(self) -> str:
        """One line per row, the failing ones marked."""
        bad = sum(not r.ok for r in self.rows)
        lines = [f"kink check {'passed' if not bad else 'FAILED'}: {bad} of {len(self.rows)} rows differ"]
        for r in self.rows:
            mark = "" if r.ok else "  <-- DIFFERS"
            note = f" ({r.note})" if r.note else ""
            lines.append(
                f"  {r.op} at {r.point}: {r.rule}; expected {list(r.expected)}, got {list(r.got)}{note}{mark}"
            )
        if bad:
            lines.append(
                "what to do: at a kink backprop must pick one branch; fix the op's derivative so that "
                "it takes the stated branch (e.g. `x > 0` vs `x >= 0`, `>` vs `>=` when picking a max)"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def _finish(rows: list[KinkRow], raise_exception: bool) -> KinkCheck:
    result = KinkCheck(tuple(rows))
    if not result.ok and raise_exception:
        raise AssertionError(result.report())
    return result


def check_kink_conventions(
    ops: Mapping[str, Callable[..., Value]] | None = None, *, raise_exception: bool = True
) -> KinkCheck:
    """Check every row of `KINK_CONVENTIONS` (the table in this module's docstring).

    `ops` replaces the engine's implementation of an op of the table with yours, e.g.
    ``check_kink_conventions(ops={"relu": my_relu, "max_of": my_max})``; the call signatures are
    the engine's: ``relu(z)``, ``leaky_relu(z, s)``, ``elu(z, α)``, ``prelu(z, α)``,
    ``max_of(list)``, ``pow(a, b)``. Raises AssertionError with the table of differences (or
    returns a failed `KinkCheck` with ``raise_exception=False``).
    """
    impls = dict(ENGINE_OPS)
    if ops is not None:
        if not isinstance(ops, Mapping):
            fail("check_kink_conventions(ops)", ops, "a dict op name → function")
        for name, fn in ops.items():
            if name not in ENGINE_OPS:
                fail("check_kink_conventions(ops)", name, f"one of {', '.join(ENGINE_OPS)}", ValueError)
            impls[name] = check_callable(f"check_kink_conventions(ops[{name!r}])", fn)
    check_bool("check_kink_conventions(raise_exception)", raise_exception)
    rows = []
    for conv in KINK_CONVENTIONS:
        leaves = [Value(x) for x in conv.inputs]
        conv.build(impls[conv.op], *leaves).backward()
        got = tuple(leaf.grad for leaf in leaves)
        ok = all(_close(g, e) for g, e in zip(got, conv.expected))
        rows.append(KinkRow(conv.op, conv.point, conv.rule, conv.expected, got, ok))
    return _finish(rows, raise_exception)


def _one_sided(op: Callable[[Value], Value], k: float) -> tuple[float, float]:
    """(left, right) slopes at k by second-order one-sided differences:
    f′(k±) ≈ ±(−3f(k) + 4f(k ± h) − f(k ± 2h)) / (2h), error O(h²)."""
    h = 1e-5 * max(abs(k), 1.0)

    def f(x: float) -> float:
        return op(Value(x)).data

    f0 = f(k)
    right = (-3.0 * f0 + 4.0 * f(k + h) - f(k + 2.0 * h)) / (2.0 * h)
    left = (3.0 * f0 - 4.0 * f(k - h) + f(k - 2.0 * h)) / (2.0 * h)
    return left, right


def _slope_close(a: float, b: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-6 + 1e-5 * abs(b)


def check_kinks(
    op: Callable[[Value], Value],
    expected: str | Mapping[float, float],
    *,
    kinks: Sequence[float] | None = None,
    raise_exception: bool = True,
) -> KinkCheck:
    """Check a unary op's derivative at each of its kinks against a stated convention.

    Args:
        op: a unary op, e.g. made by ``define_unary(name, f, df, kinks=[...])`` or `Value.relu`.
        expected: "left" (the derivative equals the left slope, PyTorch's relu/leaky/elu choice),
            "right", "one-sided" (one of the two), or a dict kink → the exact derivative
            (e.g. ReLU6 as in PyTorch: ``{0.0: 0.0, 6.0: 0.0}``).
        kinks: where to check; default ``engine.op_kinks(op.__name__)`` (declared by define_unary).

    Returns a `KinkCheck` (raises AssertionError with its report on a difference by default).
    Example::

        relu6 = define_unary("relu6", lambda x: min(max(x, 0.0), 6.0),
                             lambda x, y: 1.0 if 0.0 < x < 6.0 else 0.0, kinks=[0.0, 6.0])
        check_kinks(relu6, {0.0: 0.0, 6.0: 0.0})   # passes
    """
    check_callable("check_kinks(op)", op)
    if kinks is None:
        name = getattr(op, "__name__", None)
        if not isinstance(name, str):
            fail("check_kinks(op)", op, "an op with a __name__ (made by define_unary), or give kinks=")
        points = op_kinks(name)
    else:
        points = check_kink_points("check_kinks(kinks)", kinks)
    if not points:
        fail(
            "check_kinks(kinks)",
            points,
            "at least one kink (declare them with define_unary(kinks=...))",
            ValueError,
        )
    if isinstance(expected, str):
        if expected not in ("left", "right", "one-sided"):
            fail(
                "check_kinks(expected)",
                expected,
                "'left', 'right', 'one-sided' or a dict kink → derivative",
                ValueError,
            )
    elif isinstance(expected, Mapping):
        missing = [k for k in points if k not in expected]
        if missing:
            fail(
                "check_kinks(expected)",
                expected,
                f"a derivative for every kink (missing {missing})",
                ValueError,
            )
    else:
        fail("check_kinks(expected)", expected, "'left', 'right', 'one-sided' or a dict kink → derivative")
    check_bool("check_kinks(raise_exception)", raise_exception)

    name = str(getattr(op, "__name__", "op"))
    rows = []
    for k in points:
        leaf = Value(k)
        op(leaf).backward()
        got = leaf.grad
        left, right = _one_sided(op, k)
        note = f"left slope {left:.6g}, right slope {right:.6g}"
        if isinstance(expected, str):
            want = {"left": (left,), "right": (right,), "one-sided": (left, right)}[expected]
            ok = any(_slope_close(got, w) for w in want)
            rule = f"the {expected} slope" if expected != "one-sided" else "the left or the right slope"
        else:
            want = (float(expected[k]),)
            ok = _close(got, want[0])
            rule = "the stated derivative"
        rows.append(KinkRow(name, f"x = {k!r}", rule, want, (got,), ok, note))
    return _finish(rows, raise_exception)
