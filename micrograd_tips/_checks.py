"""Argument checks, written once for the whole package (both backends use them).

Every check is one line at the call site and names the argument it checks::

    nin = check_positive_int("nin", nin)
    p = check_probability("p", p)

Each returns the value in its canonical type (an int, a float, a str, …) or raises a `TypeError`
(wrong kind of object) or a `ValueError` (right kind, bad value) whose message reads
``"<name>: got <what was given>; expected <what is accepted>."``. Bools are never numbers here.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

__all__ = [
    "as_real",
    "check_bool",
    "check_callable",
    "check_choice",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_positive",
    "check_positive_int",
    "check_probability",
    "check_range",
    "check_real",
    "check_rng",
    "check_seed",
    "check_str",
    "describe",
    "fail",
]

T = TypeVar("T")

REAL = "a real number (int or float)"


def describe(x: object) -> str:
    """A short description of a given object for an error message: its type and (cut) repr."""
    text = repr(x)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(x).__name__} {text}"


def fail(name: str, x: object, expected: str, error: type[Exception] = TypeError) -> NoReturn:
    """Raise ``error("<name>: got <x>; expected <expected>.")`` — the one message format."""
    raise error(f"{name}: got {describe(x)}; expected {expected}.")


def as_real(name: str, x: object, expected: str = REAL) -> float:
    """x as a float; any real number (nan and ±inf too) but not a bool, a str or a complex."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        fail(name, x, expected)
    try:
        return float(x)
    except OverflowError:  # an int or Fraction beyond float64
        fail(name, x, expected + " within float64's range (|x| < 2**1024)", ValueError)


def check_real(name: str, x: object) -> float:
    """x as a finite float."""
    value = as_real(name, x, "a finite real number")
    return check_finite(name, value)


def check_finite(name: str, x: float) -> float:
    """x itself if it is finite (not nan, not ±inf)."""
    if not math.isfinite(x):
        fail(name, x, "a finite real number", ValueError)
    return x


def check_positive(name: str, x: object) -> float:
    """x as a finite float > 0."""
    value = as_real(name, x, "a finite real number > 0")
    if not (0.0 < value < math.inf):
        fail(name, x, "a finite real number > 0", ValueError)
    return value


def check_nonnegative(name: str, x: object) -> float:
    """x as a finite float ≥ 0."""
    value = as_real(name, x, "a finite real number >= 0")
    if not (0.0 <= value < math.inf):
        fail(name, x, "a finite real number >= 0", ValueError)
    return value


def check_range(name: str, x: object, low: float, high: float, *, include_high: bool = False) -> float:
    """x as a float in [low, high) (or [low, high] with ``include_high=True``)."""
    bracket = "]" if include_high else ")"
    expected = f"a real number in [{low}, {high}{bracket}"
    value = as_real(name, x, expected)
    if not (low <= value <= high if include_high else low <= value < high):
        fail(name, x, expected, ValueError)
    return value


def check_probability(name: str, p: object) -> float:
    """A drop probability p ∈ [0, 1) as a float (p = 1 would drop everything)."""
    return check_range(name, p, 0.0, 1.0)


def check_int(name: str, x: object, minimum: int | None = None) -> int:
    """x as an int (not a bool), at least `minimum` when one is given."""
    expected = "an int" if minimum is None else f"an int >= {minimum}"
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        fail(name, x, expected)
    if minimum is not None and x < minimum:
        fail(name, x, expected, ValueError)
    return int(x)


def check_positive_int(name: str, x: object) -> int:
    """x as an int ≥ 1 (a count of inputs, neurons, epochs, …)."""
    return check_int(name, x, 1)


def check_seed(name: str, seed: object) -> int | None:
    """None, or a seed as an int ≥ 0 (as NumPy requires)."""
    return None if seed is None else check_int(name, seed, 0)


def check_rng(name: str, rng: object) -> Any:
    """A random source: None, or an object with random.Random's random/uniform/gauss methods."""
    if rng is not None and not all(callable(getattr(rng, f, None)) for f in ("random", "uniform", "gauss")):
        fail(name, rng, "None or a random.Random instance")
    return rng


def check_bool(name: str, x: object) -> bool:
    """x if it is True or False (not 0/1, not a string)."""
    if not isinstance(x, bool):
        fail(name, x, "True or False")
    return x


def check_str(name: str, x: object) -> str:
    """x if it is a str."""
    if not isinstance(x, str):
        fail(name, x, "a str")
    return x


def check_choice(name: str, x: object, choices: Iterable[T]) -> T:
    """x if it is one of `choices`; the error lists them all."""
    options = list(choices)
    if x not in options:
        listed = ", ".join(map(repr, options))
        fail(name, x, f"one of {listed}", TypeError if not isinstance(x, str) else ValueError)
    return x


def check_callable(name: str, x: object) -> Callable[..., Any]:
    """x if it is callable."""
    if not callable(x):
        fail(name, x, "a callable")
    return x


SIGNED_LABEL = "−1 or +1 (for 0/1 labels pass micrograd_tips.data.signed_labels(y): 0 → −1, 1 → +1)"


def check_signed_label(name: str, t: float) -> float:
    """t if it is −1 or +1 (the hinge loss's targets); 0/1 labels are pointed to `data.signed_labels`."""
    if t not in (-1.0, 1.0):
        fail(name, t, SIGNED_LABEL, ValueError)
    return t
