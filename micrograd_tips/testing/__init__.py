"""Testing helpers: check an op's backprop gradient against finite differences, and its kinks.

- `gradcheck(f, inputs)`: every input's derivative by backprop vs central finite differences in
  float64 (a relative step); fails on any mismatch and on any non-finite number on either side.
- `check_kinks(op, expected)` and `check_kink_conventions()` (`testing.kinks`): the derivative
  *at* a kink (relu′(0) = 0, a max tie goes to the lowest index, …), where finite differences
  cannot decide, against a stated table.
- With Hypothesis: `testing.strategies` (floats away from kinks, Values, random expression graphs),
  `testing.replay` (run a generated graph on PyTorch or the NumPy backend and compare),
  `testing.tensors` / `testing.tensor_strategies` (the same for `micrograd_tips.tensor`).

Lecture: every part of the course trains by gradient descent, θ ← θ − η∇L, so a wrong ∇L breaks
all of it silently; this is how to catch one. Guide: docs/testing_your_op.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .._checks import as_real, fail
from ..engine import Value
from . import _numeric as num
from ._numeric import DEFAULT_ATOL, DEFAULT_EPS, DEFAULT_RTOL
from .kinks import KINK_CONVENTIONS, KinkCheck, check_kink_conventions, check_kinks

__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_EPS",
    "DEFAULT_RTOL",
    "KINK_CONVENTIONS",
    "GradcheckResult",
    "KinkCheck",
    "check_kink_conventions",
    "check_kinks",
    "gradcheck",
]


@dataclass(frozen=True)
class GradcheckResult:
    """What `gradcheck` found, input by input.

    Attributes:
        ok:       True iff every input's row passes; always ``ok == rows[worst].ok``.
        inputs:   the point the derivatives were taken at.
        analytic: ∂f/∂xᵢ from backpropagation.
        numeric:  (f(x + h₊eᵢ) − f(x − h₋eᵢ)) / (h₊ + h₋), the central difference
                  (h = eps·max(|xᵢ|, 1); nan where f raised).
        abs_err:  |analytic − numeric| per input.
        rel_err:  abs_err / |numeric| per input (0 when both are 0, inf when only numeric is 0).
        worst:    the input that misses its tolerance by the largest factor (a failing one if any
                  fails; a non-finite number counts as an infinite miss).
        atol, rtol, eps: the settings used.
        name:     f's name (an op made by `define_unary` is named after the op).
        status:   per input: "ok", "mismatch", "analytic not finite", "numeric not finite",
                  "neither finite", "f raised", "f not finite".
        steps:    per input, the step h₊ actually taken.
        ops:      the ops in f's graph at the point.
        rows:     the per-input `_numeric.Row`s (with one-sided slopes and notes).
    """

    ok: bool
    inputs: tuple[float, ...]
    analytic: tuple[float, ...]
    numeric: tuple[float, ...]
    abs_err: tuple[float, ...]
    rel_err: tuple[float, ...]
    worst: int
    atol: float
    rtol: float
    eps: float
    name: str = "f"
    status: tuple[str, ...] = ()
    steps: tuple[float, ...] = ()
    ops: tuple[str, ...] = ()
    rows: tuple[num.Row, ...] = ()

    def report(self) -> str:
        """A readable table: verdict, the op, the worst input, every input, and what to do."""
        settings = f"atol={self.atol:g}, rtol={self.rtol:g}, step=eps·max(|x|, 1) with eps={self.eps:g}"
        return num.format_report(self.name, self.rows, settings, self.ops)

    def __str__(self) -> str:
        return self.report()


def _points(inputs: object) -> list[float]:
    if isinstance(inputs, (Value, str, bytes)) or not isinstance(inputs, Sequence):
        fail("gradcheck(inputs)", inputs, "a sequence (list/tuple) of floats or Values")
    if len(inputs) == 0:
        fail(
            "gradcheck(inputs)",
            inputs,
            "at least one input (with none, nothing would be checked)",
            ValueError,
        )
    points = []
    for i, x in enumerate(inputs):
        if hasattr(x, "shape") and not isinstance(x, (int, float)) and getattr(x, "shape", ()) != ():
            fail(
                f"gradcheck(inputs) input #{i}",
                x,
                "a real number or a Value (for Tensors: micrograd_tips.testing.tensors.tensor_gradcheck)",
            )
        point = x.data if isinstance(x, Value) else as_real(f"gradcheck(inputs) input #{i}", x)
        if not math.isfinite(point):
            fail(f"gradcheck(inputs) input #{i}", point, "a finite number", ValueError)
        points.append(float(point))
    return points


def _forward(f: Callable[..., Value], points: Sequence[float], name: str) -> tuple[Value, list[Value]]:
    """f at fresh leaves (a new graph, every gradient 0)."""
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(points)]
    out = f(*leaves)
    if not isinstance(out, Value):
        fail(f"gradcheck(f): {name}(...) returned", out, "a Value")
    return out, leaves


def _value_at(f: Callable[..., Value], points: Sequence[float], name: str) -> float:
    """f(points) as a float (a fresh graph)."""
    return _forward(f, points, name)[0].data


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = DEFAULT_EPS,
    atol: float = DEFAULT_ATOL,
    rtol: float = DEFAULT_RTOL,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare backprop gradients of `f` with central finite differences in float64.

    For each input xᵢ: analytic gᵢ = ∂f/∂xᵢ from ``f(*leaves).backward()`` on a fresh graph, and
    numeric nᵢ = (f(x + h₊eᵢ) − f(x − h₋eᵢ)) / (h₊ + h₋) with the relative step
    h = eps·max(|xᵢ|, 1) (error O(h²) for a smooth f). Input i passes when both are finite and
    |gᵢ − nᵢ| ≤ atol + rtol·|nᵢ| (PyTorch's rule). Any inf/nan on either side fails, and so does
    an exception raised by f at x ± h (the report says which). Near a kink (relu at 0, a max tie)
    the one-sided slopes differ and no single number is right: the report says so; test the value
    *at* kinks with `check_kinks` instead.

    Default tolerances atol = 1e-8, rtol = 1e-6 (why: `micrograd_tips.testing._numeric`).

    Args:
        f: takes one Value per input and returns a Value (the scalar whose gradient is checked).
        inputs: the point: at least one float or Value (only `.data` is used; they are not touched).
        eps, atol, rtol: relative step and tolerances.
        raise_exception: if True (default) a failure raises AssertionError with `report()`;
            if False the result is returned with ``ok=False``.

    Returns a `GradcheckResult`. Lecture: section 0 (the recipe) — training works only if ∇L is right.

    Example::

        cube = define_unary("cube", lambda x: x**3, lambda x, y: 3 * x * x)
        gradcheck(lambda a, b: cube(a) * b, [0.7, -1.2])   # passes
    """
    eps, atol, rtol = num.check_options("gradcheck", f, eps, atol, rtol, raise_exception)
    points = _points(inputs)
    name = getattr(f, "__qualname__", None) or type(f).__name__

    out, leaves = _forward(f, points, name)
    f0 = out.data
    ops = num.graph_ops(out)
    rows: list[num.Row] = []
    steps: list[float] = []
    if not math.isfinite(f0):
        for i, x in enumerate(points):
            steps.append(0.0)
            rows.append(
                num.Row(
                    f"input #{i} (x{i} = {x!r})",
                    math.nan,
                    math.nan,
                    num.F_NOT_FINITE,
                    math.inf,
                    note=f"f(x) = {f0!r} at {points!r}",
                )
            )
    else:
        out.backward()
        for i, (x, leaf) in enumerate(zip(points, leaves)):
            hp, hm = num.step(x, eps)
            steps.append(hp)
            up, down = points.copy(), points.copy()
            up[i], down[i] = x + hp, x - hm
            f_up, raised_up = num.safe_call(_value_at, f, up, name)
            f_down, raised_down = num.safe_call(_value_at, f, down, name)
            numeric = num.central(f_up, f_down, hp, hm)
            where = f"input #{i} (x{i} = {x!r})"
            if raised_up or raised_down:
                note = "; ".join(
                    f"f raised {msg} at x{i} {sign} step = {pt!r}"
                    for msg, sign, pt in ((raised_up, "+", up[i]), (raised_down, "−", down[i]))
                    if msg
                )
                rows.append(num.Row(where, leaf.grad, numeric, num.RAISED, math.inf, note=note))
                continue
            floor = num.resolution(f_up, f_down, hp, hm)
            status, miss = num.verdict(leaf.grad, numeric, atol, rtol, floor)
            left, right = (f0 - f_down) / hm, (f_up - f0) / hp
            rows.append(num.Row(where, leaf.grad, numeric, status, miss, left, right))
    worst = num.worst_index(rows)
    assert worst is not None  # at least one input
    abs_err = tuple(abs(r.analytic - r.numeric) for r in rows)
    result = GradcheckResult(
        ok=rows[worst].ok,
        inputs=tuple(points),
        analytic=tuple(r.analytic for r in rows),
        numeric=tuple(r.numeric for r in rows),
        abs_err=abs_err,
        rel_err=tuple(num.relative(e, r.numeric) for e, r in zip(abs_err, rows)),
        worst=worst,
        atol=atol,
        rtol=rtol,
        eps=eps,
        name=name,
        status=tuple(r.status for r in rows),
        steps=tuple(steps),
        ops=ops,
        rows=tuple(rows),
    )
    if not result.ok and raise_exception:
        raise AssertionError(result.report())
    return result
