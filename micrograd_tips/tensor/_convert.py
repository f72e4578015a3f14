"""Input validation for the NumPy backend: what may become a Tensor, and with which dtype.

The dtype rule (documented on `Tensor`):
- float32 and float64 arrays keep their dtype; Python numbers, lists and integer arrays become
  float64, unless ``dtype=`` is given (float32 or float64 only);
- an operand of a Tensor op that has no float dtype of its own (a Python or NumPy scalar, a list,
  an integer array) adopts the Tensor's dtype; a float *array* of the other dtype is an error;
- bools, complex numbers, strings, None, object arrays, masked arrays (their mask would be lost)
  and ragged lists are rejected.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._checks import as_real, fail

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_ACCEPTED = "a real number, a (nested) list of real numbers, or a NumPy int/float array"


def resolve_dtype(dtype: Any, what: str = "Tensor(dtype)") -> np.dtype | None:
    """None, or the NumPy dtype float32/float64 named by `dtype` (a str, NumPy type or dtype)."""
    if dtype is None:
        return None
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        fail(what, dtype, "'float32' or 'float64'")
    if resolved not in FLOAT_DTYPES:
        fail(what, dtype, "float32 or float64")
    return resolved


def _reject_kind(arr: np.ndarray, what: str) -> None:
    """Only real numbers, and no mask to lose."""
    if isinstance(arr, np.ma.MaskedArray):
        fail(what, arr, "a plain array: drop the mask explicitly first (a.filled(value) or a.compressed())")
    kind = arr.dtype.kind
    if kind == "b":
        fail(what, arr, "numbers, not bools (write 1.0/0.0, or use .astype(float))")
    if kind not in "fiu":
        fail(what, arr, f"real numbers, not dtype {arr.dtype} ({_ACCEPTED})")


def _check_nested(data: list | tuple, what: str) -> None:
    """Reject bools, strings, None, complex and other objects anywhere inside nested lists."""
    stack: list[Any] = [data]
    while stack:
        for item in stack.pop():
            if isinstance(item, (list, tuple)):
                stack.append(item)
            elif isinstance(item, np.ndarray):
                _reject_kind(item, what)
            else:
                as_real(f"{what}: an entry of the list", item, "real numbers (not bools)")


def to_array(data: Any, dtype: np.dtype | None, what: str = "Tensor(data)") -> np.ndarray:
    """A fresh float32/float64 ndarray holding `data`, or a clear TypeError/ValueError."""
    if isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, (list, tuple)):
        _check_nested(data, what)
        try:
            arr = np.array(data)
        except ValueError:
            fail(
                what,
                data,
                "a rectangular nested list, not a ragged one (rows of different lengths)",
                ValueError,
            )
    elif isinstance(data, numbers.Real) and not isinstance(data, (bool, np.bool_)):
        arr = np.asarray(as_real(what, data))
    else:
        fail(what, data, f"{_ACCEPTED} (write 1.0 or 0.0 for a bool)")
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
