"""Grad mode and anomaly mode: per thread and per async context, shared by both backends.

Each mode is a `contextvars.ContextVar`, so a ``with no_grad():`` in one thread (or asyncio task)
never changes another's, and each ``with`` block restores exactly the value it found, whatever
order blocks are left in. The context managers can be used again and again, like PyTorch's.
"""

from __future__ import annotations

import contextvars
import threading
from types import TracebackType

__all__ = [
    "detect_anomaly",
    "enable_grad",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

Blocks = tuple[tuple[object, bool], ...]  # the open blocks of one mode, oldest first: (key, value)

_GRAD: contextvars.ContextVar[Blocks] = contextvars.ContextVar("micrograd_tips_grad", default=())
_ANOMALY: contextvars.ContextVar[Blocks] = contextvars.ContextVar("micrograd_tips_anomaly", default=())


class _Mode:
    """``with mode:`` opens a block of the mode; the mode is the value of the newest open block.

    Each exit closes exactly its own block, so blocks left out of order (two generators closed in
    the order they were opened) leave no stale value behind; one object may be entered again and
    by several threads at once.
    """

    _var: contextvars.ContextVar[Blocks]
    _value: bool

    def __init__(self) -> None:
        self._keys = threading.local()  # this object's open blocks, per thread

    def __enter__(self) -> None:
        key = object()
        self._keys.__dict__.setdefault("stack", []).append(key)
        self._var.set((*self._var.get(), (key, self._value)))

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        key = self._keys.stack.pop()
        self._var.set(tuple(block for block in self._var.get() if block[0] is not key))


class no_grad(_Mode):
    """Build no graph inside this block (evaluation): results of Tensor ops require no grad."""

    _var, _value = _GRAD, False


class enable_grad(_Mode):
    """Build graphs again inside a `no_grad` block."""

    _var, _value = _GRAD, True


class set_grad_enabled(_Mode):
    """``with set_grad_enabled(flag):`` — grad mode on or off, chosen by a bool."""

    _var = _GRAD

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(mode): got {type(mode).__name__}; expected True or False.")
        super().__init__()
        self._value = mode


class detect_anomaly(_Mode):
    """Raise `FloatingPointError` at the first op (forward or backward) that yields nan or inf.

    Lecture 0: find where ∇L (or L) of gradient descent θ ← θ − η∇L first became non-finite.
    Off by default, because inf and nan are legitimate IEEE results. The error names the op and
    its inputs::

        with detect_anomaly():
            loss = model(x).log()   # FloatingPointError: op 'log' produced -inf from inputs ...
    """

    _var, _value = _ANOMALY, True


def is_grad_enabled() -> bool:
    """False inside a `no_grad()` block of this thread/context (the newest open block decides)."""
    blocks = _GRAD.get()
    return blocks[-1][1] if blocks else True


def is_anomaly_enabled() -> bool:
    """True inside a `detect_anomaly()` block of this thread/context."""
    blocks = _ANOMALY.get()
    return blocks[-1][1] if blocks else False
