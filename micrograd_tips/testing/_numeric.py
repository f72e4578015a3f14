"""What both gradchecks share (backend-neutral, `math` only): the step, the rule, the verdict, the report.

A derivative is checked against the central difference

    numeric = (f(x + h₊) − f(x − h₋)) / (h₊ + h₋),   h = eps·max(|x|, 1),

with h₊ = (x + h) − x and h₋ = x − (x − h), the steps float64 really takes (so the quotient
divides by the true distance between the two points). The step is relative to |x| with a floor
of eps: an absolute 1e-6 at x = 2,097,152 is below half an ulp of x, so x ± h rounds back to x.

A row passes when **both** numbers are finite and ``|analytic − numeric| ≤ atol + rtol·|numeric|``
(PyTorch's rule) plus the difference's own rounding error 2⁻⁵⁰·max|f(x ± h)| / (h₊ + h₋), which
no central difference resolves (it matters only where |f| ≫ |f′|, e.g. a gradient of 0 of a loss
of 10⁴). A non-finite number on either side is always a failure: nothing was compared.

Default tolerances (see docs/testing_your_op.md, "Why these tolerances"): with the relative step
1e-6 the central difference's own error is about h²·|f‴|/6 + rounding ≈ 1e-10 relative for the ops
and graphs of this package. Over 7,000 correct random graphs (17,782 derivatives; up to 30 ops,
with user ops) gradcheck never failed and the largest error needed rtol = 1.6e-8 at atol = 1e-8,
so rtol = 1e-6 leaves a margin of about 60×, while a derivative off by a factor 1.0001
(tanh′ · 1.0001) misses it by 100× and is found on the first example; atol = 1e-8 covers
derivatives that are exactly 0 where the difference has rounding noise of ~1e-10.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._checks import check_bool, check_callable, check_nonnegative, check_positive

DEFAULT_EPS = 1e-6
DEFAULT_ATOL = 1e-8
DEFAULT_RTOL = 1e-6

# What a row's status means, and what to do about it.
OK = "ok"
MISMATCH = "mismatch"
ANALYTIC_NOT_FINITE = "analytic not finite"
NUMERIC_NOT_FINITE = "numeric not finite"
NEITHER_FINITE = "neither finite"
RAISED = "f raised"
F_NOT_FINITE = "f not finite"

ADVICE = {
    MISMATCH: (
        "the backprop derivative differs from the slope of the forward: check the op's derivative "
        "formula against d/dx of its forward (a missing term, a wrong factor, a sign)"
    ),
    ANALYTIC_NOT_FINITE: (
        "backprop gave inf/nan where f is smooth: the derivative formula overflows or divides by "
        "0 (write it in a stable form); `with detect_anomaly():` names the first op that did it"
    ),
    NUMERIC_NOT_FINITE: (
        "f overflows or leaves its domain within one step of x, so no slope can be measured: check "
        "at points inside the domain (narrow the strategy's range)"
    ),
    NEITHER_FINITE: "neither derivative is finite: check at points where f and f′ are finite",
    RAISED: (
        "the forward raised an exception at x ± step: the point is at the edge of f's domain, or f "
        "raises where IEEE gives inf/nan (use the engine's ops, or return inf instead of raising); "
        "check at points inside the domain"
    ),
    F_NOT_FINITE: "f itself is not finite at this point: check at points where f is finite",
}
KINK_ADVICE = (
    "the one-sided slopes differ (left {left:.6g}, right {right:.6g}): x is within a step of a "
    "kink, where both derivatives can be right and no single number is. Draw points away from kinks "
    "(strategies.floats(avoid=..., margin=...), expressions(margin=...)) and test the value AT the "
    "kink with micrograd_tips.testing.kinks.check_kinks"
)


def step(x: float, eps: float) -> tuple[float, float]:
    """The steps (h₊, h₋) float64 takes from x for a relative step eps·max(|x|, 1)."""
    h = eps * max(abs(x), 1.0)
    return (x + h) - x, x - (x - h)


def central(f_plus: float, f_minus: float, h_plus: float, h_minus: float) -> float:
    """(f(x + h₊) − f(x − h₋)) / (h₊ + h₋); inf − inf gives nan, as IEEE says."""
    return (f_plus - f_minus) / (h_plus + h_minus)


@dataclass(frozen=True)
class Row:
    """One checked derivative: where, both numbers, and the verdict."""

    where: str  # e.g. "input #0 (x0 = 1.5)" or "∂out[0, 1]/∂x1[2]"
    analytic: float
    numeric: float
    status: str  # OK, MISMATCH, ...
    miss: float  # |a − n| / (atol + rtol·|n|): > 1 fails; inf for a non-finite side
    left: float = math.nan  # one-sided slopes (for the kink diagnosis)
    right: float = math.nan
    note: str = ""  # e.g. the exception raised at x + h

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def kink_suspected(self) -> bool:
        """Both one-sided slopes finite and clearly different: a kink within a step of x."""
        l, r = self.left, self.right
        return math.isfinite(l) and math.isfinite(r) and abs(l - r) > 1e-3 * max(abs(l), abs(r)) + 1e-7


def resolution(f_plus: float, f_minus: float, h_plus: float, h_minus: float) -> float:
    """The smallest slope difference the central difference can resolve: the rounding error of
    f(x ± h), 2⁻⁵⁰·max(|f(x + h₊)|, |f(x − h₋)|), divided by the step h₊ + h₋ (0 if not finite)."""
    noise = 2.0**-50 * max(abs(f_plus), abs(f_minus)) / (h_plus + h_minus)
    return noise if math.isfinite(noise) else 0.0


def verdict(
    analytic: float, numeric: float, atol: float, rtol: float, floor: float = 0.0
) -> tuple[str, float]:
    """(status, miss factor) of one comparison; a row passes iff its status is OK.

    The rule: both finite and |analytic − numeric| ≤ atol + rtol·|numeric| + floor, where `floor`
    is the difference's own `resolution` (so a large |f| cannot fail a gradient that is 0).
    """
    a_fin, n_fin = math.isfinite(analytic), math.isfinite(numeric)
    if not (a_fin and n_fin):
        status = (
            NEITHER_FINITE if not (a_fin or n_fin) else ANALYTIC_NOT_FINITE if n_fin else NUMERIC_NOT_FINITE
        )
        return status, math.inf
    err = abs(analytic - numeric)
    bound = atol + rtol * abs(numeric) + floor
    if err <= bound:
        return OK, (err / bound if bound > 0.0 else 0.0)
    return MISMATCH, (err / bound if bound > 0.0 else math.inf)


def worst_index(rows: Sequence[Row]) -> int | None:
    """The failing row with the largest miss (a failing row always beats a passing one)."""
    if not rows:
        return None
    return max(range(len(rows)), key=lambda i: (not rows[i].ok, rows[i].miss))


def relative(abs_err: float, numeric: float) -> float:
    """abs_err / |numeric| (0 when both are 0, inf when only numeric is 0, nan if not finite)."""
    if abs_err == 0.0:
        return 0.0
    return abs_err / abs(numeric) if numeric != 0.0 else math.inf


def format_report(
    name: str,
    rows: Sequence[Row],
    settings: str,
    ops: Sequence[str],
    *,
    max_rows: int = 40,
) -> str:
    """The readable report: verdict, the op(s), the worst row, every row, and what to do."""
    bad = [r for r in rows if not r.ok]
    verdict_word = "passed" if not bad else "FAILED"
    lines = [
        f"gradcheck {verdict_word} for {name}: {len(bad)} of {len(rows)} derivatives outside "
        f"|analytic − numeric| ≤ atol + rtol·|numeric| + rounding floor ({settings})"
    ]
    if ops:
        lines.append(f"ops in the graph: {', '.join(ops)}")
    w = worst_index(rows)
    if bad and w is not None:
        r = rows[w]
        err = abs(r.analytic - r.numeric)
        lines.append(
            f"worst: {r.where}: analytic {r.analytic!r}, numeric {r.numeric!r}, abs err {err:.3g}, "
            f"rel err {relative(err, r.numeric):.3g} — {r.status}" + (f"; {r.note}" if r.note else "")
        )
    for r in rows[:max_rows]:
        err = abs(r.analytic - r.numeric)
        mark = "" if r.ok else f"  <-- {r.status.upper()}"
        lines.append(
            f"  {r.where}: analytic={r.analytic!r} numeric={r.numeric!r} abs={err:.3g} "
            f"rel={relative(err, r.numeric):.3g}{mark}"
        )
    if len(rows) > max_rows:
        lines.append(f"  ... {len(rows) - max_rows} more rows")
    if bad:
        lines.append("what to do:")
        seen: set[str] = set()
        for r in bad:
            advice = KINK_ADVICE.format(left=r.left, right=r.right) if r.kink_suspected else ADVICE[r.status]
            if advice not in seen:
                seen.add(advice)
                lines.append(f"  - {advice}")
    return "\n".join(lines)


def safe_call(fn: Callable[..., float], *args: Any) -> tuple[float, str]:
    """fn(*args) as a float, or (nan, "OverflowError('math range error')") if it raised."""
    try:
        return fn(*args), ""
    except Exception as error:  # any failure of the user's forward is reported, not hidden
        return math.nan, f"{type(error).__name__}({str(error)!r})"


def graph_ops(root: Any) -> tuple[str, ...]:
    """The op names in root's graph (a Value or a Tensor), each once, output first."""
    seen, ops, stack = {root}, [], [root]
    while stack:
        node = stack.pop()
        if node._prev and node._op not in ops:
            ops.append(node._op)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return tuple(ops)


def check_options(
    who: str, f: object, eps: object, atol: object, rtol: object, raise_exception: object
) -> tuple[float, float, float]:
    """The arguments both gradchecks share, checked: (eps, atol, rtol) as floats."""
    check_callable(f"{who}(f)", f)
    check_bool(f"{who}(raise_exception)", raise_exception)
    return (
        check_positive(f"{who}(eps)", eps),
        check_nonnegative(f"{who}(atol)", atol),
        check_nonnegative(f"{who}(rtol)", rtol),
    )
