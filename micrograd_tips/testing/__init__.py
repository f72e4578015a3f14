"""Testing helpers: check an op's backprop gradient against finite differences.

`gradcheck` is for anyone who adds an op (for instance with `define_unary`) or a model: it
recomputes every input's derivative by central finite differences in float64 and compares.
Hypothesis strategies for property tests live in `micrograd_tips.testing.strategies` (they need
the `hypothesis` package; this module does not).

Lecture: every part of the course trains by gradient descent, θ ← θ − η∇L, so a wrong ∇L breaks
all of it silently; this is how to catch one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..engine import Value

__all__ = ["GradcheckResult", "gradcheck"]


@dataclass(frozen=True)
class GradcheckResult:
    """What `gradcheck` found, input by input.

    Attributes:
        ok:       True when every input satisfies |analytic − numeric| ≤ atol + rtol·|numeric|.
        inputs:   the points the derivatives were taken at.
        analytic: ∂f/∂xᵢ from backpropagation.
        numeric:  (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / (2·eps), the central difference.
        abs_err:  |analytic − numeric| per input.
        rel_err:  abs_err / |numeric| per input (0 when both are 0, inf when only numeric is 0).
        worst:    index of the input that misses its tolerance by the largest factor (None for no
                  inputs); a non-finite gradient counts as the worst possible miss.
        atol, rtol, eps: the settings used.
    """

    ok: bool
    inputs: tuple[float, ...]
    analytic: tuple[float, ...]
    numeric: tuple[float, ...]
    abs_err: tuple[float, ...]
    rel_err: tuple[float, ...]
    worst: int | None
    atol: float
    rtol: float
    eps: float
    name: str = "f"

    def report(self) -> str:
        """A readable table: the worst input first, then every input with its errors."""
        verdict = "passed" if self.ok else "FAILED"
        bad = sum(not _within(a, n, self.atol, self.rtol) for a, n in zip(self.analytic, self.numeric))
        lines = [
            f"gradcheck {verdict} for {self.name}: {bad} of {len(self.inputs)} inputs outside "
            f"|analytic − numeric| ≤ atol + rtol·|numeric| (atol={self.atol:g}, rtol={self.rtol:g}, "
            f"eps={self.eps:g})"
        ]
        if self.worst is not None:
            i = self.worst
            lines.append(
                f"worst: input #{i} (x{i} = {self.inputs[i]!r}): analytic {self.analytic[i]!r}, "
                f"numeric {self.numeric[i]!r}, abs err {self.abs_err[i]:.3g}, rel err {self.rel_err[i]:.3g}"
            )
        for i, (x, a, n) in enumerate(zip(self.inputs, self.analytic, self.numeric)):
            mark = "" if _within(a, n, self.atol, self.rtol) else "  <-- MISMATCH"
            lines.append(
                f"  #{i} x{i}={x!r}: analytic={a!r} numeric={n!r} "
                f"abs={self.abs_err[i]:.3g} rel={self.rel_err[i]:.3g}{mark}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def _within(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)  # False for any nan


def _miss_factor(analytic: float, numeric: float, atol: float, rtol: float) -> float:
    """How many times over its tolerance an input's error is (inf for nan/inf gradients)."""
    err = abs(analytic - numeric)
    if not math.isfinite(err):
        return math.inf
    bound = atol + rtol * abs(numeric)
    if bound == 0.0:
        return 0.0 if err == 0.0 else math.inf
    return err / bound


def _check_tolerance(name: str, value: object, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"gradcheck({name}): got {type(value).__name__} {value!r:.60}; expected a float")
    v = float(value)
    if not math.isfinite(v) or v < 0.0 or (positive and v == 0.0):
        accepted = "a finite float > 0" if positive else "a finite float ≥ 0"
        raise ValueError(f"gradcheck({name}): got {v!r}; expected {accepted}")
    return v


def _input_points(inputs: Sequence[Value | float]) -> list[float]:
    if isinstance(inputs, (Value, str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"gradcheck(inputs): got {type(inputs).__name__}; expected a sequence (list/tuple) of "
            "floats or Values"
        )
    points = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            point = x.data
        elif isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_":
            point = float(x)
        else:
            raise TypeError(
                f"gradcheck(inputs): input #{i} is {type(x).__name__} {x!r:.60}; expected a real "
                "number (int, float, NumPy scalar) or a Value"
            )
        if not math.isfinite(point):
            raise ValueError(f"gradcheck(inputs): input #{i} is {point!r}; expected a finite number")
        points.append(point)
    return points


def _evaluate(f: Callable[..., Value], points: Sequence[float], name: str) -> tuple[Value, list[Value]]:
    """f at fresh leaves (a new graph, every gradient 0)."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(points)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck(f): {name} returned {type(out).__name__}; expected a Value")
    return out, leaves


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Compare backprop gradients of `f` with central finite differences in float64.

    For each input xᵢ: analytic gᵢ = ∂f/∂xᵢ from ``f(*leaves).backward()`` on a fresh graph
    (fresh leaves, all gradients 0), and numeric nᵢ = (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / (2·eps),
    whose error is O(eps²) for a smooth f. Input i passes when |gᵢ − nᵢ| ≤ atol + rtol·|nᵢ|
    (PyTorch's gradcheck rule). Avoid kinks (relu at 0, max ties): there the two one-sided
    derivatives differ and no single number is right.

    Args:
        f: takes one Value per input and returns a Value (the scalar whose gradient is checked).
        inputs: the point, as floats or Values (only their `.data` is used; they are not touched).
        eps, atol, rtol: step and tolerances as above.
        raise_exception: if True (default), a mismatch raises AssertionError with `report()`;
            if False the result is returned with ``ok=False``.

    Returns a `GradcheckResult` (ok flag, per-input analytic/numeric gradients and errors, the
    worst input). Lecture: section 0 (the recipe) — training only works if ∇L is right.

    Example::

        cube = define_unary("cube", lambda x: x**3, lambda x, y: 3 * x * x)
        gradcheck(lambda a, b: cube(a) * b, [0.7, -1.2])   # passes
    """
    if not callable(f):
        raise TypeError(f"gradcheck(f): got {type(f).__name__}; expected a callable taking Values")
    eps = _check_tolerance("eps", eps, positive=True)
    atol = _check_tolerance("atol", atol, positive=False)
    rtol = _check_tolerance("rtol", rtol, positive=False)
    if not isinstance(raise_exception, bool):
        raise TypeError(f"gradcheck(raise_exception): got {type(raise_exception).__name__}; expected a bool")
    points = _input_points(inputs)
    name = getattr(f, "__qualname__", None) or type(f).__name__

    out, leaves = _evaluate(f, points, name)
    if not math.isfinite(out.data):
        raise ValueError(f"gradcheck: {name} is {out.data!r} at inputs {points!r}; expected a finite value")
    out.backward()
    analytic = tuple(leaf.grad for leaf in leaves)

    numeric = []
    for i, x in enumerate(points):
        up = points.copy()
        up[i] = x + eps
        down = points.copy()
        down[i] = x - eps
        numeric.append((_evaluate(f, up, name)[0].data - _evaluate(f, down, name)[0].data) / (2.0 * eps))

    abs_err = tuple(abs(a - n) for a, n in zip(analytic, numeric))
    rel_err = tuple(_relative(e, n) for e, n in zip(abs_err, numeric))
    misses = [_miss_factor(a, n, atol, rtol) for a, n in zip(analytic, numeric)]
    worst = max(range(len(misses)), key=misses.__getitem__) if misses else None
    ok = all(_within(a, n, atol, rtol) for a, n in zip(analytic, numeric))
    result = GradcheckResult(
        ok, tuple(points), analytic, tuple(numeric), abs_err, rel_err, worst, atol, rtol, eps, name
    )
    if not ok and raise_exception:
        raise AssertionError(result.report())
    return result


def _relative(abs_err: float, numeric: float) -> float:
    if abs_err == 0.0:
        return 0.0
    return abs_err / abs(numeric) if numeric != 0.0 else math.inf
