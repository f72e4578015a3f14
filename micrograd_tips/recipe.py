"""The recipe of deep learning (lecture section 0) as code: `diagnose(history)`.

After training, ask in this order:

1. Good results on **training** data? If not, the network is *not well trained*: change the
   activation (ReLU, Maxout instead of sigmoid) or the optimizer (adaptive learning rate,
   momentum, Adam). This is not overfitting — "do not always blame overfitting".
2. Only then: good results on **validation** data? If not, that is *overfitting*: early
   stopping, regularization, dropout — then check the training results again.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["Diagnosis", "Verdict", "diagnose"]


class Verdict(str, Enum):
    """The recipe's answer."""

    NOT_WELL_TRAINED = "not well trained"
    OVERFITTING = "overfitting"
    GOOD = "good"
    NO_VALIDATION = "good on training data; no validation data"


@dataclass(frozen=True)
class Diagnosis:
    """The verdict, the numbers it rests on, and a readable sentence (``str(diagnosis)``).

    metric:     "accuracy" or "loss" — what was compared.
    epoch:      the epoch whose numbers were used (index into the History lists).
    train, validation: the metric at that epoch (validation None without validation data).
    threshold:  the training bar (min accuracy, or max loss).
    max_gap:    the largest tolerated train/validation gap.
    gap:        the gap found (train − val accuracy, or val − train loss), None without validation.

    Lecture 0 (the recipe): verdict = NOT_WELL_TRAINED if train fails `threshold` (acc < it, or
    loss > it); else OVERFITTING if gap > max_gap; else GOOD (NO_VALIDATION without validation).
    """

    verdict: Verdict
    metric: str
    epoch: int
    train: float
    validation: float | None
    threshold: float
    max_gap: float | None
    gap: float | None
    message: str

    def __str__(self) -> str:
        return self.message


def _series(history: Any, key: str) -> list[float]:
    value = history.get(key, []) if isinstance(history, Mapping) else getattr(history, key, None)
    if value is None:
        raise TypeError(f"diagnose(history): {type(history).__name__} has no {key!r}; expected a History.")
    return list(value)


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"diagnose({name}=...): got {type(value).__name__} {value!r}; expected a number.")
    x = float(value)
    if not (low <= x <= high):
        raise ValueError(f"diagnose({name}=...): got {value!r}; expected a number in [{low}, {high}].")
    return x


def _fraction(value: object, name: str) -> float:
    return _number(value, name, 0.0, 1.0)


def _non_negative(value: object, name: str) -> float:
    return _number(value, name, 0.0, math.inf)


def diagnose(
    history: Any,
    *,
    min_train_accuracy: float = 0.9,
    max_accuracy_gap: float = 0.05,
    max_train_loss: float | None = None,
    max_loss_gap: float | None = None,
    metric: str = "auto",
    epoch: int | None = None,
) -> Diagnosis:
    """Apply the lecture's recipe (section 0) to a `History` (or its ``as_dict()``).

    With accuracies (``metric="auto"`` uses them when recorded): training is good when
    train_accuracy ≥ `min_train_accuracy`; it overfits when train_accuracy − val_accuracy >
    `max_accuracy_gap`. With ``metric="loss"`` (or no accuracies): training is good when
    train_loss ≤ `max_train_loss`; it overfits when val_loss − train_loss > `max_loss_gap` (both
    must then be given: a good loss depends on the problem).

    `epoch` picks the epoch to judge; default: the one `EarlyStopping` restored, else the last.
    Verdicts: NOT_WELL_TRAINED (bad on training data: change activation/optimizer — not
    overfitting), OVERFITTING (good on training, bad on validation: early stopping,
    regularization, dropout), GOOD, or NO_VALIDATION (good on training, nothing to compare).
    """
    train_loss = _series(history, "train_loss")
    if not train_loss:
        raise ValueError("diagnose(history): the history has no epochs.")
    if metric not in ("auto", "accuracy", "loss"):
        raise ValueError(f"diagnose(metric=...): got {metric!r}; expected 'auto', 'accuracy' or 'loss'.")
    train_acc = _series(history, "train_accuracy")
    use_accuracy = metric == "accuracy" or (metric == "auto" and bool(train_acc))
    if use_accuracy and not train_acc:
        raise ValueError("diagnose(metric='accuracy'): the history recorded no accuracy; use metric='loss'.")
    train = train_acc if use_accuracy else train_loss
    val = _series(history, "val_accuracy" if use_accuracy else "val_loss")

    restored = (
        history.get("restored_epoch")
        if isinstance(history, Mapping)
        else getattr(history, "restored_epoch", None)
    )
    e = (len(train) - 1 if restored is None else restored) if epoch is None else epoch
    if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e < len(train):
        raise ValueError(f"diagnose(epoch=...): got {e!r}; expected an int in [0, {len(train) - 1}].")
    t = train[e]
    v = val[e] if e < len(val) else None

    if use_accuracy:
        threshold = _fraction(min_train_accuracy, "min_train_accuracy")
        max_gap: float | None = _fraction(max_accuracy_gap, "max_accuracy_gap")
        trained = t >= threshold
        gap = None if v is None else t - v
        shown = f"{t:.1%}", None if v is None else f"{v:.1%}", f"{threshold:.1%}"
        what = "accuracy"
    else:
        if max_train_loss is None:
            raise ValueError(
                "diagnose: judging by loss needs max_train_loss=... (what counts as a good training loss)."
            )
        threshold = _non_negative(max_train_loss, "max_train_loss")
        if v is not None and max_loss_gap is None:
            raise ValueError("diagnose: judging by loss needs max_loss_gap=... (tolerated val − train gap).")
        max_gap = None if max_loss_gap is None else _non_negative(max_loss_gap, "max_loss_gap")
        trained = t <= threshold  # nan is never good
        gap = None if v is None else v - t
        shown = f"{t:.4g}", None if v is None else f"{v:.4g}", f"{threshold:.4g}"
        what = "loss"

    where = f"at epoch {e}"
    if not trained:
        bar = "below" if use_accuracy else "above"
        verdict = Verdict.NOT_WELL_TRAINED
        message = (
            f"Not well trained: training {what} {shown[0]} {where} is {bar} {shown[2]}. Fix training "
            "first: change the activation (ReLU, Maxout instead of sigmoid) or the optimizer "
            "(adaptive learning rate, momentum, Adam). This is not overfitting."
        )
    elif v is None or gap is None:
        verdict = Verdict.NO_VALIDATION
        message = (
            f"Good on training data (training {what} {shown[0]} {where}); no validation data to "
            "check for overfitting: pass validation=(X_val, y_val) to fit."
        )
    elif max_gap is not None and (gap > max_gap or gap != gap):
        verdict = Verdict.OVERFITTING
        message = (
            f"Overfitting: good on training data ({what} {shown[0]}) but validation {what} is "
            f"{shown[1]} {where} (gap {gap:.4g} > {max_gap:.4g}). Try early stopping, regularization "
            "or dropout, then check the training results again."
        )
    else:
        verdict = Verdict.GOOD
        message = f"Good on training ({what} {shown[0]}) and validation ({shown[1]}) data {where}: done."
    return Diagnosis(verdict, what, int(e), t, v, threshold, max_gap, gap, message)
