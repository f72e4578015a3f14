"""The float strategy shared by the scalar and the Tensor strategies (backend-neutral).

`floats(..., avoid=kinks, margin=...)` draws from the intervals left once `margin` around every
kink is taken out (`_intervals.allowed_intervals`): kinks are avoided by construction, not filtered.
"""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import strategies as st

from .._checks import check_nonnegative, check_real, fail
from ._intervals import DEFAULT_MARGIN, allowed_intervals, check_kink_points

__all__ = ["DEFAULT_MARGIN", "floats"]


def floats(
    min_value: float = -1e3,
    max_value: float = 1e3,
    *,
    avoid: Iterable[float] = (),
    margin: float = DEFAULT_MARGIN,
) -> st.SearchStrategy[float]:
    """Finite float64 numbers in [min_value, max_value]: no nan, no ±inf, no subnormals, and at
    least `margin` away from every point of `avoid` (e.g. an op's kinks, `op_kinks("relu")`).

    The points near a kink are left out by construction (the strategy draws from the allowed
    intervals), not filtered. The default range [−1e3, 1e3] keeps sums, products and squares of a
    few such numbers finite — but **not** exp: eˣ overflows to inf for x > 709.78, so use a
    narrower range (e.g. ``floats(-700, 700)``) for exp-like ops and check forwards for overflow.
    """
    lo = check_real("floats(min_value)", min_value)
    hi = check_real("floats(max_value)", max_value)
    if lo > hi:
        fail("floats(min_value)", min_value, f"a number ≤ max_value ({max_value!r})", ValueError)
    kinks = check_kink_points("floats(avoid)", avoid)
    gap = check_nonnegative("floats(margin)", margin)
    pieces = allowed_intervals(lo, hi, kinks, gap)
    if not pieces:
        fail(
            "floats(avoid)",
            kinks,
            f"kinks that leave some of [{lo!r}, {hi!r}] free at margin {gap!r}",
            ValueError,
        )
    parts = [
        st.floats(min_value=p, max_value=q, allow_nan=False, allow_infinity=False, allow_subnormal=False)
        for p, q in pieces
    ]
    return parts[0] if len(parts) == 1 else st.one_of(parts)
