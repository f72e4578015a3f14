"""Input validation for the NumPy backend: what may become a Tensor, and with which dtype.

The dtype rule (documented on `Tensor`):
- float32 and float64 arrays keep their dtype; Python numbers, lists and integer arrays become
  float64, unless ``dtype=`` is given (float32 or float64 only);
- an operand of a Tensor op that has no float dtype of its own (a Python or NumPy scalar, a list,
  an integer array) adopts the Tensor's dtype; a float *array* of the other dtype is an error;
- bools, complex numbers, strings, None, object arrays and ragged lists are rejected.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_ACCEPTED = "a real number, a (nested) list of real numbers, or a NumPy int/float array"


def resolve_dtype(dtype: Any, what: str = "Tensor(dtype=...)") -> np.dtype | None:
    """None, or the NumPy dtype float32/float64 named by `dtype` (a str, NumPy type or dtype)."""
    if dtype is None:
        return None
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what}: got {dtype!r}; expected 'float32' or 'float64'") from None
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"{what}: got {resolved}; expected float32 or float64")
    return resolved


def _reject_kind(arr: np.ndarray, what: str) -> None:
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{what}: got a bool array; expected numbers (write 1.0/0.0, or use .astype(float))")
    if kind == "c":
        raise TypeError(f"{what}: got a complex array ({arr.dtype}); expected real numbers")
    if kind not in "fiu":
        raise TypeError(f"{what}: got an array of dtype {arr.dtype}; expected {_ACCEPTED}")


def _check_nested(data: list | tuple, what: str) -> None:
    """Reject bools, strings, None, complex and other objects anywhere inside nested lists."""
    stack: list[Any] = [data]
    while stack:
        for item in stack.pop():
            if isinstance(item, (list, tuple)):
                stack.append(item)
            elif isinstance(item, (bool, np.bool_)):
                raise TypeError(f"{what}: the list contains a bool ({item!r}); expected real numbers")
            elif isinstance(item, np.ndarray):
                _reject_kind(item, what)
            elif not isinstance(item, numbers.Real):
                raise TypeError(
                    f"{what}: the list contains {type(item).__name__} {item!r:.40}; expected real numbers"
                )


def to_array(data: Any, dtype: np.dtype | None, what: str = "Tensor(data)") -> np.ndarray:
    """A fresh float32/float64 ndarray holding `data`, or a clear TypeError/ValueError."""
    if isinstance(data, (bool, np.bool_)):
        raise TypeError(f"{what}: got a bool ({data!r}); expected {_ACCEPTED}. Write 1.0 or 0.0.")
    if isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, numbers.Real):
        arr = np.asarray(data)
    elif isinstance(data, (list, tuple)):
        _check_nested(data, what)
        try:
            arr = np.array(data)
        except ValueError:
            raise ValueError(
                f"{what}: got a ragged nested list (rows of different lengths); "
                "expected a rectangular nested list"
            ) from None
    else:
        kind = type(data).__name__
        raise TypeError(f"{what}: got {kind} {data!r:.60}; expected {_ACCEPTED}")
    _reject_kind(arr, what)
    if dtype is None:
        dtype = arr.dtype if arr.dtype in FLOAT_DTYPES else FLOAT_DTYPES[1]
    return np.array(arr, dtype=dtype, copy=True)


def operand_array(x: Any, dtype: np.dtype, op: str) -> np.ndarray:
    """A non-Tensor operand of `op` as an array of the Tensor's dtype (see the rule above)."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.dtype != dtype:
        raise TypeError(
            f"operand of {op!r}: a {x.dtype} array cannot be combined with a {dtype} Tensor "
            f"(no silent conversion); convert it first, e.g. array.astype({str(dtype)!r})"
        )
    return to_array(x, dtype, f"operand of {op!r}")
