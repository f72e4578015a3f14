"""The training loop `fit` and its `History` — lecture 0, step 3: "pick the best function".

`fit` is backend-agnostic (docs/design.md): it only calls ``model.forward_batch(X)``,
``loss(outputs, targets)`` (a node), ``node.backward()``, ``float(node)``, ``optimizer.zero_grad()``
and ``optimizer.step()``. Scalar models take ``X``/``y`` as lists; NumPy-backend models take arrays,
batched with an index array.

Callbacks protocol — any object with some of these methods (all optional; `Callback` is a
do-nothing base class to subclass):

* ``on_train_begin(model, history)`` — before the first epoch;
* ``on_epoch_end(epoch, model, history) -> bool | None`` — after each epoch, once ``history``
  holds that epoch's numbers; return True to stop training (as `EarlyStopping` does);
* ``on_train_end(model, history)`` — after the last epoch (stopped or not).

Epochs are numbered from 0, the index into the `History` lists.
"""

from __future__ import annotations

import importlib
import math
import numbers
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any

__all__ = ["Callback", "History", "evaluate", "fit"]

_PROGRESS_EXTRA = 'pip install "micrograd-tips[progress]"'


@dataclass
class History:
    """Per-epoch numbers of one `fit` run (lists indexed by epoch, from 0).

    train_loss:      mean data loss over the epoch's mini-batches (penalty excluded), weighted by
                     batch size, computed in training mode (dropout on) as the batches went by.
    train_accuracy:  likewise, from the same outputs; empty when accuracy is not computed.
    val_loss / val_accuracy: on the validation set in eval mode after the epoch; empty without
                     validation data (or accuracy).
    stopped_epoch:   the epoch after which a callback stopped training, else None.
    best_epoch:      the epoch with the lowest validation loss (set by `EarlyStopping` with its
                     min_delta rule, otherwise the argmin), None without validation data.
    restored_epoch:  the epoch whose weights `EarlyStopping` restored, else None.

    Formulas: train_loss[e] = (1/N) Σ_B |B|·L(B) over epoch e's mini-batches B (likewise the
    accuracies); best_epoch = argmin_e val_loss[e]. Lecture 0, step 3 (pick the best function)
    and B1 (early stopping: keep the epoch where the validation loss is lowest).
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    stopped_epoch: int | None = None
    best_epoch: int | None = None
    restored_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.train_loss)

    def as_dict(self) -> dict[str, Any]:
        """The history as a plain dict (for JSON or plotting)."""
        return asdict(self)


class Callback:
    """Base class for fit callbacks: override any of the three hooks (see the module docstring)."""

    def on_train_begin(self, model: Any, history: History) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, model: Any, history: History) -> bool | None:
        """Called after each epoch; return True to stop training."""
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        """Called once after the last epoch."""


_HOOKS = ("on_train_begin", "on_epoch_end", "on_train_end")


# ---------------------------------------------------------------------------------------------
# Backend discovery: the losses module and a no-grad context, without importing NumPy needlessly
# ---------------------------------------------------------------------------------------------


def _losses_module(model: Any) -> ModuleType:
    """The model's backend losses module: ``type(model).losses_module`` (a module or its dotted
    name) if set, else ``micrograd_tips.tensor.losses`` for NumPy-backend models, else
    ``micrograd_tips.losses``."""
    declared = getattr(type(model), "losses_module", None)
    if isinstance(declared, ModuleType):
        return declared
    if isinstance(declared, str):
        return importlib.import_module(declared)
    if type(model).__module__.startswith("micrograd_tips.tensor"):
        return importlib.import_module("micrograd_tips.tensor.losses")
    return importlib.import_module("micrograd_tips.losses")


def _no_grad(model: Any) -> AbstractContextManager[Any]:
    """``tensor.no_grad()`` for NumPy-backend models (no graph during evaluation), else nothing."""
    if type(model).__module__.startswith("micrograd_tips.tensor"):
        from .tensor import no_grad

        return no_grad()
    return nullcontext()


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _is_array(x: object) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _check_data(X: Any, y: Any, who: str) -> int:
    for name, value in (("X", X), ("y", y)):
        if not (_is_array(value) or isinstance(value, (list, tuple))):
            raise TypeError(
                f"{who}: {name} is {type(value).__name__}; expected a list of examples (scalar models) "
                "or a NumPy array (NumPy-backend models)."
            )
    n, m = len(X), len(y)
    if n != m:
        raise ValueError(f"{who}: X has {n} examples but y has {m}; they must match.")
    if n == 0:
        raise ValueError(f"{who}: X and y are empty; need at least one example.")
    return n


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"fit({name}=...): got {type(value).__name__} {value!r}; expected an int >= {minimum}."
        )
    if value < minimum:
        raise ValueError(f"fit({name}=...): got {value}; expected an int >= {minimum}.")
    return int(value)


def _check_flag(value: object, name: str, allow_none: bool = False) -> None:
    if not (isinstance(value, bool) or (allow_none and value is None)):
        accepted = "True, False or None" if allow_none else "True or False"
        raise TypeError(f"fit({name}=...): got {type(value).__name__} {value!r}; expected {accepted}.")


def _resolve_loss(loss: Any, losses: ModuleType) -> Callable[[Any, Any], Any]:
    if isinstance(loss, str):
        names = [n for n in ("cross_entropy", "mse", "hinge") if hasattr(losses, n)]
        if loss not in names:
            raise ValueError(f"fit(loss=...): got {loss!r}; expected a callable or one of {names}.")
        fn: Callable[[Any, Any], Any] = getattr(losses, loss)
        return fn
    if not callable(loss):
        raise TypeError(
            f"fit(loss=...): got {type(loss).__name__}; expected a callable loss(outputs, targets)."
        )
    return loss


def _resolve_metric(
    accuracy: Any, loss: Callable[..., Any], losses: ModuleType
) -> Callable[..., float] | None:
    """The accuracy function, or None. Auto (None): on for cross_entropy and hinge losses."""
    if accuracy is None:
        accuracy = getattr(loss, "__name__", "") in ("cross_entropy", "hinge")
    if accuracy is False:
        return None
    if accuracy is True:
        metric = getattr(losses, "accuracy", None)
        if metric is None:
            raise ValueError(f"fit(accuracy=True): {losses.__name__} has no accuracy function.")
        return metric
    if callable(accuracy):
        return accuracy
    raise TypeError(
        f"fit(accuracy=...): got {type(accuracy).__name__}; expected None (auto), True, False or a "
        "callable accuracy(outputs, targets) -> float."
    )


def _check_callbacks(callbacks: Any) -> list[Any]:
    if (
        isinstance(callbacks, (str, bytes))
        or not isinstance(callbacks, Iterable)
        or hasattr(callbacks, _HOOKS[1])
    ):
        raise TypeError(f"fit(callbacks=...): got {type(callbacks).__name__}; expected a list of callbacks.")
    out = list(callbacks)
    for i, cb in enumerate(out):
        if not any(callable(getattr(cb, h, None)) for h in _HOOKS):
            raise TypeError(
                f"fit(callbacks=...): item {i} ({type(cb).__name__}) has none of the hooks {list(_HOOKS)}."
            )
    return out


# ---------------------------------------------------------------------------------------------
# Batches, evaluation, progress
# ---------------------------------------------------------------------------------------------


def _take(data: Any, idx: Sequence[int]) -> Any:
    """The examples at `idx`: a list for lists, fancy indexing (an index array) for arrays."""
    if _is_array(data):
        import numpy

        return data[numpy.asarray(idx, dtype=numpy.intp)]
    return [data[i] for i in idx]


def _batches(n: int, batch_size: int, order: list[int]) -> Iterator[list[int]]:
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def evaluate(
    model: Any,
    X: Any,
    y: Any,
    *,
    loss: Any,
    batch_size: int | None = None,
    accuracy: Any = None,
) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) of `model` on (X, y) in eval mode, without updating anything.

    L = (1/N) Σ_B |B|·loss(B), accuracy = (1/N) Σ_B |B|·acc(B) — lecture 0 ("good results on
    training / testing data?") and B1 (the validation loss that early stopping watches).

    The mean is over examples (batch losses weighted by batch size). The model's train/eval mode
    is restored afterwards.
    """
    n = _check_data(X, y, "evaluate")
    size = n if batch_size is None else _check_int(batch_size, "batch_size", 1)
    losses = _losses_module(model)
    loss_fn = _resolve_loss(loss, losses)
    metric = _resolve_metric(accuracy, loss_fn, losses)
    was_training = bool(getattr(model, "training", True))
    model.eval()
    total, correct = 0.0, 0.0
    try:
        with _no_grad(model):
            for idx in _batches(n, size, list(range(n))):
                xb, yb = _take(X, idx), _take(y, idx)
                outputs = model.forward_batch(xb)
                total += float(loss_fn(outputs, yb)) * len(idx)
                if metric is not None:
                    correct += float(metric(outputs, yb)) * len(idx)
    finally:
        model.train(was_training)
    return total / n, (correct / n if metric is not None else None)


def _progress(epochs: int, progress: bool | None) -> Any:
    """A tqdm bar over the epochs, or None (off when not a TTY unless progress=True)."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as e:
        if progress:
            raise ModuleNotFoundError(f"fit(progress=True) needs tqdm: {_PROGRESS_EXTRA}") from e
        return None
    return tqdm(total=epochs, unit="epoch", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------------------------


def fit(
    model: Any,
    optimizer: Any,
    X: Any,
    y: Any,
    *,
    loss: Any,
    epochs: int,
    batch_size: int,
    validation: tuple[Any, Any] | None = None,
    shuffle: bool = True,
    seed: int = 0,
    callbacks: Iterable[Any] = (),
    regularizer: Callable[[Any], Any] | None = None,
    progress: bool | None = None,
    accuracy: Any = None,
) -> History:
    """Train `model` with mini-batch gradient descent; return the per-epoch `History`.

    For each epoch (model in train mode): shuffle the example order (``random.Random(seed)``, one
    generator for the whole run, so a seed reproduces a run), then for every mini-batch
    B: L_B = loss(model.forward_batch(X_B), y_B) [+ regularizer(model)], zero the gradients,
    backpropagate, ``optimizer.step()``. After the epoch the model is evaluated on `validation`
    = (X_val, y_val) in eval mode (lecture B1: watch the *validation* loss), then the callbacks
    run. The model's train/eval mode is restored at the end.

    Args:
        loss: ``loss(outputs, targets) -> node``, or the name of one of the backend's losses
            ("cross_entropy", "mse", "hinge").
        regularizer: ``regularizer(model) -> node`` added to every batch loss (e.g. ``L2(1e-3)``).
        progress: a tqdm bar: None = when stderr is a TTY and tqdm is installed, True = always
            (needs tqdm), False = never.
        accuracy: None = computed for cross_entropy/hinge losses with the backend's
            ``losses.accuracy``; True/False to force; or a callable (outputs, targets) -> float.
    """
    n = _check_data(X, y, "fit")
    for attr in ("forward_batch", "train", "eval"):
        if not callable(getattr(model, attr, None)):
            raise TypeError(f"fit(model=...): {type(model).__name__} has no {attr}(); expected a Module.")
    for attr in ("step", "zero_grad"):
        if not callable(getattr(optimizer, attr, None)):
            raise TypeError(
                f"fit(optimizer=...): {type(optimizer).__name__} has no {attr}(); expected an optimizer."
            )
    epochs = _check_int(epochs, "epochs", 1)
    batch_size = _check_int(batch_size, "batch_size", 1)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"fit(seed=...): got {type(seed).__name__} {seed!r}; expected an int.")
    _check_flag(shuffle, "shuffle")
    _check_flag(progress, "progress", allow_none=True)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit(validation=...): got {type(validation).__name__}; expected (X_val, y_val).")
        _check_data(*validation, "fit(validation)")
    if regularizer is not None and not callable(regularizer):
        raise TypeError(
            f"fit(regularizer=...): got {type(regularizer).__name__}; expected regularizer(model) -> node."
        )
    cbs = _check_callbacks(callbacks)
    losses = _losses_module(model)
    loss_fn = _resolve_loss(loss, losses)
    metric = _resolve_metric(accuracy, loss_fn, losses)

    history = History()
    rng = random.Random(seed)
    order = list(range(n))
    was_training = bool(getattr(model, "training", True))
    bar = _progress(epochs, progress)
    _call(cbs, "on_train_begin", model, history)
    try:
        for epoch in range(epochs):
            model.train()
            if shuffle:
                rng.shuffle(order)
            total, correct = 0.0, 0.0
            for idx in _batches(n, batch_size, order):
                xb, yb = _take(X, idx), _take(y, idx)
                outputs = model.forward_batch(xb)
                data_loss = loss_fn(outputs, yb)
                objective = data_loss + regularizer(model) if regularizer is not None else data_loss
                optimizer.zero_grad()
                objective.backward()
                optimizer.step()
                total += float(data_loss) * len(idx)
                if metric is not None:
                    correct += float(metric(outputs, yb)) * len(idx)
            history.train_loss.append(total / n)
            if metric is not None:
                history.train_accuracy.append(correct / n)
            if validation is not None:
                vl, va = evaluate(
                    model, *validation, loss=loss_fn, batch_size=batch_size, accuracy=metric or False
                )
                history.val_loss.append(vl)
                if va is not None:
                    history.val_accuracy.append(va)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(_postfix(history))
            stops = [
                bool(cb.on_epoch_end(epoch, model, history)) for cb in cbs if hasattr(cb, "on_epoch_end")
            ]
            if any(stops):
                history.stopped_epoch = epoch
                break
        _call(cbs, "on_train_end", model, history)
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
    if history.best_epoch is None and history.val_loss:
        history.best_epoch = _argmin(history.val_loss)
    return history


def _call(callbacks: list[Any], hook: str, model: Any, history: History) -> None:
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(model, history)


def _argmin(xs: list[float]) -> int:
    """Index of the smallest value, the first on ties; nan never wins."""
    best = 0
    for i, x in enumerate(xs):
        if x < xs[best] or (xs[best] != xs[best] and x == x):
            best = i
    return best


def _postfix(history: History) -> dict[str, str]:
    out = {"loss": f"{history.train_loss[-1]:.4g}"}
    if history.val_loss:
        out["val_loss"] = f"{history.val_loss[-1]:.4g}"
    if history.val_accuracy:
        out["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
    elif history.train_accuracy:
        out["acc"] = f"{history.train_accuracy[-1]:.3f}"
    if not math.isfinite(history.train_loss[-1]):
        out["warning"] = "non-finite loss"
    return out
