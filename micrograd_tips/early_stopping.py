"""Early stopping (lecture B1): stop where the *validation* loss is lowest, keep those weights.

Plot the total loss per epoch on the training and on a validation set (not the testing set): the
training loss keeps falling while the validation loss turns up once the network starts to
overfit. `EarlyStopping` is a `fit` callback that watches the validation loss, stops after
`patience` epochs without improvement and restores the weights of the best epoch.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

from .training import Callback, History

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stop training when the validation loss stops improving; restore the best weights (B1).

    An epoch *improves* when val_loss < best − min_delta. After `patience` epochs in a row
    without improvement training stops. With ``restore_best`` the weights of the best epoch (a
    deep copy of ``model.state_dict()`` taken at that epoch) are loaded back with
    ``model.load_state_dict`` when training ends, whether it stopped early or ran out of epochs.
    A nan validation loss never counts as an improvement. Needs ``fit(..., validation=...)``.

    Attributes after training: ``best_epoch``, ``best_loss``, ``stopped_epoch`` (or None); the
    same numbers are written into the `History` (``best_epoch``, ``stopped_epoch``,
    ``restored_epoch``).
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True) -> None:
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral):
            raise TypeError(
                f"EarlyStopping(patience=...): got {type(patience).__name__} {patience!r}; "
                "expected an int >= 1."
            )
        if patience < 1:
            raise ValueError(f"EarlyStopping(patience=...): got {patience}; expected an int >= 1.")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real):
            raise TypeError(
                f"EarlyStopping(min_delta=...): got {type(min_delta).__name__}; expected a real number >= 0."
            )
        if not (math.isfinite(min_delta) and min_delta >= 0):
            raise ValueError(
                f"EarlyStopping(min_delta=...): got {min_delta!r}; expected a finite real number >= 0."
            )
        if not isinstance(restore_best, bool):
            raise TypeError(f"EarlyStopping(restore_best=...): got {restore_best!r}; expected True or False.")
        self.patience: int = int(patience)
        self.min_delta: float = float(min_delta)
        self.restore_best: bool = restore_best
        self._reset()

    def _reset(self) -> None:
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._best_state: dict[str, Any] | None = None

    def on_train_begin(self, model: Any, history: History) -> None:
        """Start afresh (the same callback may serve several runs)."""
        for attr in ("state_dict", "load_state_dict"):
            if not callable(getattr(model, attr, None)):
                raise TypeError(f"EarlyStopping: the model ({type(model).__name__}) has no {attr}().")
        self._reset()

    def on_epoch_end(self, epoch: int, model: Any, history: History) -> bool:
        """Record an improvement (and a copy of the weights); True once patience runs out."""
        if len(history.val_loss) <= epoch:
            raise ValueError(
                "EarlyStopping watches the validation loss: pass fit(..., validation=(X_val, y_val))."
            )
        loss = history.val_loss[epoch]
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = loss, epoch, 0
            if self.restore_best:
                self._best_state = copy.deepcopy(model.state_dict())
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Any, history: History) -> None:
        """Load the best epoch's weights back (if asked) and note the epochs in the history."""
        history.best_epoch = self.best_epoch
        if self.restore_best and self._best_state is not None:
            model.load_state_dict(copy.deepcopy(self._best_state))
            history.restored_epoch = self.best_epoch

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best={self.restore_best})"
        )
