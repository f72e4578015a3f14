"""Early stopping (lecture B1): stop where the *validation* loss is lowest, keep those weights.

Plot the total loss per epoch on the training and on a validation set (not the testing set): the
training loss keeps falling while the validation loss turns up once the network starts to
overfit. `EarlyStopping` is a `fit` callback that watches the validation loss, stops after
`patience` epochs without improvement and restores the weights of the best epoch.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from ._checks import check_bool, check_nonnegative, check_positive_int, fail
from .training import Callback, History

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stop training when the validation loss stops improving; restore the best weights (B1).

    An epoch *improves* when val_loss < best − min_delta. After `patience` epochs in a row
    without improvement training stops. With ``restore_best`` the weights of the best epoch (a
    deep copy of ``model.state_dict()`` taken at that epoch) are loaded back with
    ``model.load_state_dict`` when training ends — whether it stopped early, ran out of epochs,
    or was interrupted with Ctrl-C (`fit` then re-raises the KeyboardInterrupt). A nan validation
    loss never counts as an improvement, so with every loss nan there is no best epoch (None).
    Needs ``fit(..., validation=...)``.

    Attributes after training: ``best_epoch``, ``best_loss``, ``stopped_epoch`` (or None); the
    same numbers are written into the `History` (``best_epoch``, ``stopped_epoch``,
    ``restored_epoch``).
    """

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience = check_positive_int("EarlyStopping(patience)", patience)
        self.min_delta = check_nonnegative("EarlyStopping(min_delta)", min_delta)
        self.restore_best = check_bool("EarlyStopping(restore_best)", restore_best)
        self._reset()

    def _reset(self) -> None:
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._best_state: dict[str, Any] | None = None

    def on_train_begin(self, model: Any, history: History) -> None:
        """Start afresh (the same callback may serve several runs)."""
        if not (
            callable(getattr(model, "state_dict", None)) and callable(getattr(model, "load_state_dict", None))
        ):
            fail("EarlyStopping: the model", model, "a Module with state_dict() and load_state_dict()")
        self._reset()

    def on_epoch_end(self, epoch: int, model: Any, history: History) -> bool:
        """Record an improvement (and a copy of the weights); True once patience runs out."""
        if len(history.val_loss) <= epoch:
            raise ValueError(
                "EarlyStopping watches the validation loss: pass fit(..., validation=(X_val, y_val))."
            )
        loss = history.val_loss[epoch]
        if loss < self.best_loss - self.min_delta:
            state = copy.deepcopy(model.state_dict()) if self.restore_best else None
            # recorded together, after the copy: a Ctrl-C during the copy leaves the old best whole
            self._best_state, self.best_loss, self.best_epoch, self.wait = state, loss, epoch, 0
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

    def on_interrupt(self, model: Any, history: History) -> None:
        """Ctrl-C during training: load the best weights back as at the end of training."""
        self.on_train_end(model, history)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
            f"restore_best={self.restore_best})"
        )
