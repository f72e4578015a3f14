"""Kinks as data, without Hypothesis: the allowed intervals and the nearest allowed point.

An op declares the x where it has no derivative (`define_unary(..., kinks=...)`,
`engine.op_kinks(name)`); generation keeps `margin` away from them *by construction*: the float
strategies draw from `allowed_intervals`, the graph strategies move a kink input with `away_from`.
Nothing is filtered, so no example is thrown away. Backend-neutral.
"""

from __future__ import annotations

from collections.abc import Iterable

from .._checks import check_real, fail

__all__ = ["DEFAULT_MARGIN", "allowed_intervals", "away_from", "check_kink_points"]

#: Default distance kept from every kink: 1e3 × the largest finite-difference step of a leaf in
#: [−2, 2], so a kink input stays on its side even through a graph that amplifies the step.
DEFAULT_MARGIN = 1e-3


def check_kink_points(name: str, points: Iterable[float]) -> tuple[float, ...]:
    """A sorted tuple of finite kink positions (each checked with `check_real`)."""
    if isinstance(points, (str, bytes)) or not isinstance(points, Iterable):
        fail(name, points, "a sequence of finite numbers (the kinks to avoid)")
    return tuple(sorted({check_real(name, p) for p in points}))


def allowed_intervals(
    lo: float, hi: float, avoid: Iterable[float], margin: float
) -> list[tuple[float, float]]:
    """[lo, hi] minus the open intervals (k − margin, k + margin): the closed pieces left."""
    pieces = [(lo, hi)]
    for k in sorted(avoid):
        a, b = k - margin, k + margin
        nxt: list[tuple[float, float]] = []
        for p, q in pieces:
            if margin == 0.0 or b <= p or a >= q:
                nxt.append((p, q))
                continue
            if p <= a:
                nxt.append((p, a))
            if b <= q:
                nxt.append((b, q))
        pieces = [(p, q) for p, q in nxt if p <= q]
    return pieces


def away_from(v: float, kinks: Iterable[float], margin: float) -> float | None:
    """None if v is at least `margin` from every kink; otherwise the nearest point 2·margin from a
    kink that is at least `margin` from all of them (2·margin: safe from rounding)."""
    ks = tuple(kinks)
    if margin <= 0.0 or all(abs(v - k) >= margin for k in ks):
        return None
    candidates = [k + s * 2.0 * margin for k in ks for s in (-1.0, 1.0)]
    good = [c for c in candidates if all(abs(c - k) >= 1.5 * margin for k in ks)]
    return min(good, key=lambda c: abs(c - v))
