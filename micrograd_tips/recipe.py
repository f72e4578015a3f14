"""The recipe of deep learning (lecture section 0) as code: `diagnose(history)`.

After training, ask in this order:

1. Good results on **training** data? If not, the network is *not well trained*: change the
   activation (ReLU, Maxout instead of sigmoid) or the optimizer (adaptive learning rate,
   momentum, Adam). This is not overfitting — "do not always blame overfitting". The worst case
   is a run that *diverged*: its loss is nan or inf, gradient descent blew up.
2. Only then: good results on **validation** data? If not, that is *overfitting*: early
   stopping, regularization, dropout — then check the training results again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ._checks import check_choice, check_int, check_range, fail

__all__ = ["Diagnosis", "Verdict", "diagnose"]


class Verdict(str, Enum):
    """The recipe's answer."""

    NOT_WELL_TRAINED = "not well trained"
    DIVERGED = "diverged"
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
        fail("diagnose(history)", history, f"a History (with {key!r})")
    return list(value)


def _bar(name: str, value: object, high: float) -> float:
    """A threshold in [0, high]."""
    return check_range(f"diagnose({name})", value, 0.0, high, include_high=True)


def _judged_epoch(history: Any, epoch: object, epochs: int) -> int:
    """`epoch` if given, else the epoch EarlyStopping restored, else the last one."""
    if epoch is None:
        restored = (
            history.get("restored_epoch")
            if isinstance(history, Mapping)
            else getattr(history, "restored_epoch", None)
        )
        epoch = epochs - 1 if restored is None else restored
    e = check_int("diagnose(epoch)", epoch, 0)
    if e >= epochs:
        fail("diagnose(epoch)", e, f"an int in [0, {epochs - 1}]", ValueError)
    return e


def _divergence(train_loss: list[float], val_loss: list[float], e: int) -> str | None:
    """The sentence saying the run diverged, when a loss at epoch `e` is nan or ±inf; else None."""

    def losses_at(k: int) -> list[float]:
        return [train_loss[k], *val_loss[k : k + 1]]

    bad = [x for x in losses_at(e) if not math.isfinite(x)]
    if not bad:
        return None
    first = min(k for k in range(e + 1) if not all(map(math.isfinite, losses_at(k))))
    since = "every epoch" if not any(map(math.isfinite, train_loss)) else f"epoch {first} on"
    return (
        f"Diverged: the loss is {bad[0]} at epoch {e}, not a number from {since}: gradient descent "
        "blew up, so the network is not well trained (this is not overfitting). Lower the learning "
        "rate or use an adaptive one (Adagrad, RMSProp, Adam: lecture A4), and check the data for "
        "nan/inf."
    )


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
    Verdicts: DIVERGED (the training or validation loss at that epoch is nan or ±inf: gradient
    descent blew up), NOT_WELL_TRAINED (bad on training data: change activation/optimizer — not
    overfitting), OVERFITTING (good on training, bad on validation: early stopping,
    regularization, dropout), GOOD, or NO_VALIDATION (good on training, nothing to compare).
    """
    train_loss = _series(history, "train_loss")
    if not train_loss:
        raise ValueError("diagnose(history): the history has no epochs.")
    metric = check_choice("diagnose(metric)", metric, ("auto", "accuracy", "loss"))
    train_acc = _series(history, "train_accuracy")
    use_accuracy = metric == "accuracy" or (metric == "auto" and bool(train_acc))
    if use_accuracy and not train_acc:
        raise ValueError("diagnose(metric='accuracy'): the history recorded no accuracy; use metric='loss'.")
    train = train_acc if use_accuracy else train_loss
    val = _series(history, "val_accuracy" if use_accuracy else "val_loss")

    e = _judged_epoch(history, epoch, len(train))
    t = train[e]
    v = val[e] if e < len(val) else None
    divergence = _divergence(train_loss, _series(history, "val_loss"), e)
    if divergence is not None:
        metric_name = "accuracy" if use_accuracy else "loss"
        return Diagnosis(Verdict.DIVERGED, metric_name, e, t, v, math.nan, None, None, divergence)

    if use_accuracy:
        threshold = _bar("min_train_accuracy", min_train_accuracy, 1.0)
        max_gap: float | None = _bar("max_accuracy_gap", max_accuracy_gap, 1.0)
        trained = t >= threshold
        gap = None if v is None else t - v
        shown = f"{t:.1%}", None if v is None else f"{v:.1%}", f"{threshold:.1%}"
        what = "accuracy"
    else:
        if max_train_loss is None:
            raise ValueError(
                "diagnose: judging by loss needs max_train_loss=... (what counts as a good training loss)."
            )
        threshold = _bar("max_train_loss", max_train_loss, math.inf)
        if v is not None and max_loss_gap is None:
            raise ValueError("diagnose: judging by loss needs max_loss_gap=... (tolerated val − train gap).")
        max_gap = None if max_loss_gap is None else _bar("max_loss_gap", max_loss_gap, math.inf)
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
