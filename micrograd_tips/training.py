"""The training loop `fit` and its `History` — lecture 0, step 3: "pick the best function".

`fit` is backend-agnostic (docs/design.md): it only calls ``model.forward_batch(X)``,
``loss(outputs, targets)`` (a node), ``node.backward()``, ``float(node)``, ``optimizer.zero_grad()``
and ``optimizer.step()``. What differs between the backends the model's class says itself
(the backend contract): ``type(model).losses`` (its losses module, for losses given by name) and
``type(model).no_grad()`` (the context in which evaluation builds no graph). Scalar models take
``X``/``y`` as lists; NumPy-backend models take arrays, batched with an index list.

Nothing fails silently: a non-finite training loss stops `fit` with a `FloatingPointError` before
the optimizer applies that step (or the batch is skipped, with ``on_nonfinite="skip"``), and nan
or inf in the data is a `ValueError` naming the first bad entry.

Callbacks protocol — any object with some of these methods (all optional; `Callback` is a
do-nothing base class to subclass):

* ``on_train_begin(model, history)`` — before the first epoch;
* ``on_epoch_end(epoch, model, history) -> bool | None`` — after each epoch, once ``history``
  holds that epoch's numbers; return True to stop training (as `EarlyStopping` does);
* ``on_train_end(model, history)`` — after the last epoch (stopped or not);
* ``on_interrupt(model, history)`` — when a KeyboardInterrupt (Ctrl-C) arrives during training,
  before `fit` re-raises it (`EarlyStopping` restores the best weights here).

Epochs and batches are numbered from 0 (the epoch is the index into the `History` lists).
"""

from __future__ import annotations

import math
import numbers
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from types import ModuleType
from typing import Any

from ._checks import (
    check_bool,
    check_callable,
    check_choice,
    check_int,
    check_positive_int,
    fail,
)
from ._modes import no_grad

__all__ = ["Callback", "History", "evaluate", "fit"]

_PROGRESS_EXTRA = 'pip install "micrograd-tips[progress]"'
_LOSS_NAMES = ("cross_entropy", "mse", "hinge")
_HOOKS = ("on_train_begin", "on_epoch_end", "on_train_end", "on_interrupt")


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
                     min_delta rule, otherwise the argmin), None without validation data or when
                     no validation loss is a number (every one nan).
    restored_epoch:  the epoch whose weights `EarlyStopping` restored, else None.
    skipped_batches: (epoch, batch) of every batch skipped for a non-finite loss
                     (``fit(on_nonfinite="skip")``).

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
    skipped_batches: list[tuple[int, int]] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.train_loss)

    @property
    def diverged_epoch(self) -> int | None:
        """The first epoch whose training or validation loss is nan or ±inf, else None."""
        for e in range(self.epochs):
            if not all(math.isfinite(s[e]) for s in (self.train_loss, self.val_loss) if e < len(s)):
                return e
        return None

    def summary(self) -> str:
        """One sentence on the run: how the training loss went, or that it diverged."""
        if not self.train_loss:
            return "No epochs ran."
        first, last = self.train_loss[0], self.train_loss[-1]
        diverged = self.diverged_epoch
        if diverged is not None:
            every = " in every epoch" if all(not math.isfinite(x) for x in self.train_loss) else ""
            return (
                f"Diverged: the loss is not a number from epoch {diverged} on{every} (training "
                f"loss {last:.4g} at epoch {self.epochs - 1}). Lower the learning rate or use an "
                "adaptive one (lecture A4), and check the data for nan/inf."
            )
        text = f"{self.epochs} epochs: training loss {first:.4g} → {last:.4g}"
        if self.best_epoch is not None:
            text += (
                f"; lowest validation loss {self.val_loss[self.best_epoch]:.4g} at epoch {self.best_epoch}"
            )
        return text + "."

    def __str__(self) -> str:
        return self.summary()

    def as_dict(self) -> dict[str, Any]:
        """The history as a plain dict (for JSON or plotting)."""
        return asdict(self)


class Callback:
    """Base class for fit callbacks: override any of the hooks (see the module docstring)."""

    def on_train_begin(self, model: Any, history: History) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, model: Any, history: History) -> bool | None:
        """Called after each epoch; return True to stop training."""
        return None

    def on_train_end(self, model: Any, history: History) -> None:
        """Called once after the last epoch."""

    def on_interrupt(self, model: Any, history: History) -> None:
        """Called when Ctrl-C (KeyboardInterrupt) stops training, before fit re-raises it."""


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
    on_nonfinite: str = "raise",
) -> History:
    """Train `model` with mini-batch gradient descent; return the per-epoch `History`.

    For each epoch (model in train mode): shuffle the example order (``random.Random(seed)``, one
    generator for the whole run, so a seed reproduces a run), then for every mini-batch B:
    L_B = loss(model.forward_batch(X_B), y_B) [+ regularizer(model)], zero the gradients,
    backpropagate, ``optimizer.step()`` (θ ← θ − η∇L_B for plain SGD). After the epoch the model
    is evaluated on `validation` = (X_val, y_val) in eval mode (lecture B1: watch the
    *validation* loss), then the callbacks run. The model's train/eval mode is restored at the end.

    Args:
        loss: ``loss(outputs, targets) -> node``, or the name of one of the backend's losses
            ("cross_entropy", "mse", "hinge").
        regularizer: ``regularizer(model) -> node`` added to every batch loss (e.g. ``L2(1e-3)``).
        progress: a tqdm bar: None = when stderr is a TTY and tqdm is installed, True = always
            (needs tqdm), False = never.
        accuracy: None = computed for cross_entropy/hinge losses with the backend's
            ``losses.accuracy``; True/False to force; or a callable (outputs, targets) -> float.
        on_nonfinite: what a batch whose loss is nan or ±inf does. "raise" (default): a
            `FloatingPointError` naming the epoch, the batch and the loss, raised before that
            batch's backward and optimizer step, so the parameters are those from before it.
            "skip": the batch is left out (no step) and noted in ``history.skipped_batches``.

    Raises:
        ValueError: nan or ±inf in X or y (or the validation data), naming the first bad entry.
        FloatingPointError: a non-finite training loss (with on_nonfinite="raise").
        KeyboardInterrupt: re-raised after every callback's ``on_interrupt`` ran (EarlyStopping
            with restore_best=True loads the best weights back there).
    """
    n = _check_data("fit", X, y)
    _check_has("fit(model)", model, ("forward_batch", "train", "eval"), "a Module")
    _check_has("fit(optimizer)", optimizer, ("step", "zero_grad"), "an optimizer")
    epochs = check_positive_int("fit(epochs)", epochs)
    batch_size = check_positive_int("fit(batch_size)", batch_size)
    seed = check_int("fit(seed)", seed)
    shuffle = check_bool("fit(shuffle)", shuffle)
    if progress is not None:
        check_bool("fit(progress)", progress)
    if validation is not None:
        _check_validation(validation)
    if regularizer is not None:
        check_callable("fit(regularizer)", regularizer)
    on_nonfinite = check_choice("fit(on_nonfinite)", on_nonfinite, ("raise", "skip"))
    cbs = _check_callbacks(callbacks)
    loss_fn = _resolve_loss(loss, model)
    metric = _resolve_metric(accuracy, loss_fn, model)
    step = _Step(model, optimizer, loss_fn, regularizer, metric, on_nonfinite)

    history = History()
    rng = random.Random(seed)
    order = list(range(n))
    was_training = bool(getattr(model, "training", True))
    bar = _progress(epochs, progress)
    _call(cbs, "on_train_begin", model, history)
    try:
        for epoch in range(epochs):
            if shuffle:
                rng.shuffle(order)
            train_loss, train_acc = _train_epoch(step, X, y, _batches(order, batch_size), epoch, history)
            history.train_loss.append(train_loss)
            if train_acc is not None:
                history.train_accuracy.append(train_acc)
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
            if _stop_requested(cbs, epoch, model, history):
                history.stopped_epoch = epoch
                break
        _call(cbs, "on_train_end", model, history)
    except KeyboardInterrupt:
        _call(cbs, "on_interrupt", model, history)  # e.g. EarlyStopping loads the best weights back
        raise
    finally:
        if bar is not None:
            bar.close()
        model.train(was_training)
    if history.best_epoch is None:
        history.best_epoch = _argmin(history.val_loss)
    return history


@dataclass(frozen=True)
class _Step:
    """What one training step needs: the model, its optimizer, the loss, penalty and metric."""

    model: Any
    optimizer: Any
    loss: Callable[[Any, Any], Any]
    regularizer: Callable[[Any], Any] | None
    metric: Callable[..., float] | None
    on_nonfinite: str


def _train_epoch(
    s: _Step, X: Any, y: Any, batches: Iterator[list[int]], epoch: int, history: History
) -> tuple[float, float | None]:
    """One pass over the batches: L_B, check it is a number, backward, θ ← optimizer step.

    Returns the epoch's (mean data loss, mean accuracy or None) over the batches that were used
    (nan when every batch was skipped).
    """
    s.model.train()
    used, total, correct = 0, 0.0, 0.0
    for b, idx in enumerate(batches):
        xb, yb = _take(X, idx), _take(y, idx)
        outputs = s.model.forward_batch(xb)
        data_loss = _as_node(s.loss(outputs, yb))
        objective = data_loss + s.regularizer(s.model) if s.regularizer is not None else data_loss
        value = float(objective)
        if not math.isfinite(value):  # checked before backward: no step is taken from a nan
            if s.on_nonfinite == "raise":
                raise FloatingPointError(_nonfinite_message(value, epoch, b, idx))
            history.skipped_batches.append((epoch, b))
            continue
        s.optimizer.zero_grad()
        objective.backward()
        s.optimizer.step()
        used += len(idx)
        total += float(data_loss) * len(idx)
        if s.metric is not None:
            correct += float(s.metric(outputs, yb)) * len(idx)
    if used == 0:
        return math.nan, (math.nan if s.metric is not None else None)
    return total / used, (correct / used if s.metric is not None else None)


def _nonfinite_message(value: float, epoch: int, batch: int, idx: Sequence[int]) -> str:
    shown = ", ".join(map(str, idx[:5])) + (", ..." if len(idx) > 5 else "")
    return (
        f"fit: the training loss is {value} at epoch {epoch}, batch {batch} (examples {shown}). "
        "Training stopped before this batch's backward and optimizer step, so the parameters are "
        "those from before it. Usual causes: a learning rate too large (lecture A4), nan/inf "
        "produced by the loss or the model. Pass on_nonfinite='skip' to leave such batches out."
    )


def _stop_requested(callbacks: list[Any], epoch: int, model: Any, history: History) -> bool:
    """Every callback's on_epoch_end runs; training stops if any of them returns True."""
    stops = [bool(cb.on_epoch_end(epoch, model, history)) for cb in callbacks if hasattr(cb, "on_epoch_end")]
    return any(stops)


def _call(callbacks: list[Any], hook: str, model: Any, history: History) -> None:
    for cb in callbacks:
        fn = getattr(cb, hook, None)
        if fn is not None:
            fn(model, history)


def _argmin(xs: list[float]) -> int | None:
    """Index of the smallest number, the first on ties; None when there is none (all nan)."""
    numbers_only = [i for i, x in enumerate(xs) if x == x]
    return min(numbers_only, key=lambda i: xs[i]) if numbers_only else None


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


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

    The mean is over examples (batch losses weighted by batch size). No graph is built (the
    backend's ``no_grad``); the model's train/eval mode is restored afterwards.
    """
    n = _check_data("evaluate", X, y)
    size = n if batch_size is None else check_positive_int("evaluate(batch_size)", batch_size)
    loss_fn = _resolve_loss(loss, model)
    metric = _resolve_metric(accuracy, loss_fn, model)
    was_training = bool(getattr(model, "training", True))
    model.eval()
    total, correct = 0.0, 0.0
    try:
        with _no_grad(model):
            for idx in _batches(list(range(n)), size):
                xb, yb = _take(X, idx), _take(y, idx)
                outputs = model.forward_batch(xb)
                total += float(loss_fn(outputs, yb)) * len(idx)
                if metric is not None:
                    correct += float(metric(outputs, yb)) * len(idx)
    finally:
        model.train(was_training)
    return total / n, (correct / n if metric is not None else None)


# ---------------------------------------------------------------------------------------------
# The backend contract: what the model's class declares
# ---------------------------------------------------------------------------------------------


def _losses_of(model: Any) -> ModuleType:
    """The model's backend losses module: ``type(model).losses`` (the backend contract)."""
    declared = getattr(type(model), "losses", None)
    if not isinstance(declared, ModuleType):
        fail(
            "model",
            model,
            "a Module whose class names its backend's losses (pass loss as a function otherwise)",
        )
    return declared


def _no_grad(model: Any) -> Any:
    """The backend's no-graph context, ``type(model).no_grad()``; the shared grad mode otherwise."""
    return getattr(type(model), "no_grad", no_grad)()


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------


def _is_array(x: object) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, (list, tuple))


def _check_data(who: str, X: Any, y: Any, names: tuple[str, str] = ("X", "y")) -> int:
    """len(X) after checking X and y: lists or arrays, as long as each other, not empty, finite."""
    for name, value in zip(names, (X, y)):
        if not (_is_array(value) or isinstance(value, (list, tuple))):
            raise TypeError(
                f"{who}: {name} is {type(value).__name__}; expected a list of examples (scalar models) "
                "or a NumPy array (NumPy-backend models)."
            )
    n, m = len(X), len(y)
    if n != m:
        raise ValueError(f"{who}: {names[0]} has {n} examples but {names[1]} has {m}; they must match.")
    if n == 0:
        raise ValueError(f"{who}: {names[0]} and {names[1]} are empty; need at least one example.")
    for name, value in zip(names, (X, y)):
        _check_finite_data(who, name, value)
    return n


def _check_finite_data(who: str, name: str, data: Any) -> None:
    """ValueError naming the first nan or ±inf entry of `data` (a nested list or an array)."""
    where = _first_nonfinite(data)
    if where is not None:
        position = "".join(f"[{i}]" for i in where)
        bad = data
        for i in where:
            bad = bad[i]
        raise ValueError(
            f"{who}: {name}{position} is {bad}; the data must be finite numbers "
            "(a single nan or inf would turn every parameter into nan)."
        )


def _first_nonfinite(data: Any) -> tuple[int, ...] | None:
    """The index of the first nan or ±inf in `data` (row-major), or None."""
    if _is_array(data):
        if getattr(data.dtype, "kind", "") not in ("f", "c"):
            return None
        bad = (data != data) | (abs(data) == math.inf)  # x ≠ x only for nan
        if not bad.any():
            return None
        return tuple(int(axis[0]) for axis in bad.nonzero()) if bad.ndim else ()
    stack: list[tuple[tuple[int, ...], Any]] = [((), data)]
    while stack:  # depth first, in order, without recursion
        where, item = stack.pop()
        if _is_array(item):
            inner = _first_nonfinite(item)
            if inner is not None:
                return where + inner
        elif isinstance(item, (list, tuple)):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, numbers.Real) and not isinstance(item, numbers.Integral):
            if not math.isfinite(item):
                return where
    return None


def _check_validation(validation: Any) -> None:
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        fail("fit(validation)", validation, "a pair (X_val, y_val)")
    X_val, y_val = validation
    _check_data("fit(validation)", X_val, y_val, names=("X_val", "y_val"))


def _check_has(name: str, x: object, methods: tuple[str, ...], kind: str) -> None:
    if not all(callable(getattr(x, m, None)) for m in methods):
        fail(name, x, f"{kind} (with {', '.join(m + '()' for m in methods)})")


def _check_callbacks(callbacks: Any) -> list[Any]:
    if (
        isinstance(callbacks, (str, bytes))
        or not isinstance(callbacks, Iterable)
        or hasattr(callbacks, _HOOKS[1])
    ):
        fail("fit(callbacks)", callbacks, "a list of callbacks")
    out = list(callbacks)
    for i, cb in enumerate(out):
        if not any(callable(getattr(cb, h, None)) for h in _HOOKS):
            fail(f"fit(callbacks)[{i}]", cb, f"a callback with one of the hooks {list(_HOOKS)}")
    return out


def _resolve_loss(loss: Any, model: Any) -> Callable[[Any, Any], Any]:
    """A loss function: `loss` itself, or the backend's loss of that name."""
    if isinstance(loss, str):
        fn: Callable[[Any, Any], Any] = getattr(_losses_of(model), check_choice("loss", loss, _LOSS_NAMES))
        return fn
    if not callable(loss):
        fail("loss", loss, f"a callable loss(outputs, targets) or one of {', '.join(_LOSS_NAMES)}")
    return loss


def _as_node(result: Any) -> Any:
    """The loss's result if it is a graph node (it has backward()); a TypeError otherwise."""
    if not callable(getattr(result, "backward", None)):
        fail("loss(outputs, targets) returned", result, "a graph node with backward() (a Value or a Tensor)")
    return result


def _resolve_metric(accuracy: Any, loss: Callable[..., Any], model: Any) -> Callable[..., float] | None:
    """The accuracy function, or None. Auto (None): on for cross_entropy and hinge losses."""
    if accuracy is None:
        accuracy = getattr(loss, "__name__", "") in ("cross_entropy", "hinge")
    if accuracy is False:
        return None
    if accuracy is True:
        metric: Callable[..., float] = _losses_of(model).accuracy
        return metric
    if not callable(accuracy):
        fail("accuracy", accuracy, "None (auto), True, False or a callable accuracy(outputs, targets)")
    return accuracy


# ---------------------------------------------------------------------------------------------
# Batches and progress
# ---------------------------------------------------------------------------------------------


def _batches(order: list[int], batch_size: int) -> Iterator[list[int]]:
    """The example indices of each mini-batch, in `order`."""
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def _take(data: Any, idx: list[int]) -> Any:
    """The examples at `idx`: a list for lists; for arrays, indexing with the index list."""
    return data[idx] if _is_array(data) else [data[i] for i in idx]


def _progress(epochs: int, progress: bool | None) -> Any:
    """A tqdm bar over the epochs, or None (off when not a TTY unless progress=True)."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm  # optional third-party
    except ImportError as e:
        if progress:
            raise ModuleNotFoundError(f"fit(progress=True) needs tqdm: {_PROGRESS_EXTRA}") from e
        return None
    return tqdm(total=epochs, unit="epoch", file=sys.stderr)


def _postfix(history: History) -> dict[str, str]:
    out = {"loss": f"{history.train_loss[-1]:.4g}"}
    if history.val_loss:
        out["val_loss"] = f"{history.val_loss[-1]:.4g}"
    if history.val_accuracy:
        out["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
    elif history.train_accuracy:
        out["acc"] = f"{history.train_accuracy[-1]:.3f}"
    if history.skipped_batches:
        out["skipped"] = str(len(history.skipped_batches))
    return out
