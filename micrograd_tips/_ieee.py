"""IEEE-754 float64 arithmetic for the scalar engine: the results PyTorch gives where Python's
`math` would raise (``exp(1000) = inf``, ``log(0) = -inf``, ``1/0 = inf``, ``0**-1 = inf``), and
the logistic sigmoid evaluated so that no exponential overflows."""

from __future__ import annotations

import math

__all__ = ["div", "exp", "log", "pow", "sigmoid"]

INF = math.inf
NAN = math.nan


def exp(x: float) -> float:
    """eˣ, with overflow to +inf instead of OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def log(x: float) -> float:
    """ln x for x > 0; ln 0 = −inf; ln of a negative number (or nan) = nan."""
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN


def div(a: float, b: float) -> float:
    """a / b with IEEE division by zero: ±inf, or nan for 0/0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0.0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return y.is_integer() and math.fmod(y, 2.0) != 0.0


def pow(x: float, y: float) -> float:
    """xʸ as IEEE `pow`: 0^(−1) = inf, (−8)^(1/3) = nan, overflow → ±inf."""
    try:
        return math.pow(x, y)
    except OverflowError:
        return -INF if (x < 0.0 and _is_odd_integer(y)) else INF
    except ValueError:  # 0 to a negative power, or a negative base with a non-integer exponent
        if x == 0.0:
            return math.copysign(INF, x) if _is_odd_integer(y) else INF
        return NAN


def sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e⁻ˣ), evaluated so that no exponential can overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0, so e ∈ (0, 1): no overflow
    return e / (1.0 + e)
