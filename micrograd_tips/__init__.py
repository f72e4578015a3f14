"""micrograd_tips — a pedagogical autograd engine for the lecture "Tips for Training DNN".

Start with `Value` (micrograd_tips/engine.py); `docs/lecture_map.md` maps every slide to its code.
"""

from __future__ import annotations

from typing import Any

from .engine import Value, argmax, define_unary, detect_anomaly, dot, is_anomaly_enabled, max_of, sum_of

__version__ = "0.1.0"

__all__ = [
    "Value",
    "argmax",
    "define_unary",
    "detect_anomaly",
    "dot",
    "draw_dot",
    "is_anomaly_enabled",
    "max_of",
    "sum_of",
]


def __getattr__(name: str) -> Any:
    # draw_dot imports graphviz; load it on first use so `import micrograd_tips` stays light.
    if name == "draw_dot":
        from .viz import draw_dot

        return draw_dot
    raise AttributeError(f"module 'micrograd_tips' has no attribute {name!r}")
