"""Faults during training (issue 10, items 2 and 9): nothing fails silently in `fit`.

On both backends (the scalar MLP and `micrograd_tips.tensor.nn.MLP`):
- a non-finite training loss stops `fit` with a FloatingPointError naming the epoch, the batch
  and the loss, raised before that batch's step: the parameters equal a copy taken after the
  previous step (recorded by a wrapping optimizer, independently of `fit`);
- ``on_nonfinite="skip"`` leaves such a batch out: with plain SGD that is the same as a zero
  gradient for it (the oracle run multiplies that batch's loss by 0);
- nan/±inf in X, y or the validation data is a ValueError naming the array and the position;
- Ctrl-C (KeyboardInterrupt from a callback or from the loss) with EarlyStopping(restore_best=True)
  loads the weights of the lowest validation loss back (the copy taken after that epoch), then
  re-raises;
- a loss returning a number is a TypeError; all-nan validation losses give no best epoch, and
  `diagnose`/`History` call such a run "diverged".
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import pytest

from micrograd_tips import losses as scalar_losses
from micrograd_tips import optim
from micrograd_tips.data import load_mnist_5k, moons
from micrograd_tips.early_stopping import EarlyStopping
from micrograd_tips.nn import MLP
from micrograd_tips.recipe import Verdict, diagnose
from micrograd_tips.training import Callback, History, fit

np = pytest.importorskip("numpy")
tensor = pytest.importorskip("micrograd_tips.tensor")
from micrograd_tips.tensor import nn as tnn  # noqa: E402

BACKENDS = ["scalar", "tensor"]
N, BATCH = 40, 8  # 5 batches per epoch
NAN, INF = float("nan"), float("inf")


def problem(backend: str, seed: int = 1) -> tuple[Any, Any, Any]:
    """(model, X, y): a 2 → 6 → 2 ReLU net on two moons, the same weights on both backends."""
    X, y = moons(N, seed=seed)
    scalar = MLP(2, [6, 2], seed=4)
    if backend == "scalar":
        return scalar, X, y
    model = tnn.MLP(2, [6, 2], seed=0, dtype="float64")
    model.load_state_dict(scalar.state_dict())
    return model, np.array(X), np.array(y)


def backend_losses(backend: str) -> Any:
    return scalar_losses if backend == "scalar" else tensor.losses


def snapshot(model: Any) -> dict[str, Any]:
    """A copy of the weights as float64 arrays (scalar nested lists included)."""
    return {k: np.array(v, dtype=np.float64) for k, v in model.state_dict().items()}


def assert_same_weights(model: Any, expected: dict[str, Any]) -> None:
    got = snapshot(model)
    assert got.keys() == expected.keys()
    for k in got:
        np.testing.assert_array_equal(got[k], expected[k], err_msg=k)  # nan == nan here


class Recording:
    """Wraps an optimizer; keeps a copy of the weights before the first step and after each."""

    def __init__(self, optimizer: Any, model: Any) -> None:
        self.optimizer, self.model = optimizer, model
        self.copies = [snapshot(model)]

    def zero_grad(self) -> None:
        self.optimizer.zero_grad()

    def step(self) -> None:
        self.optimizer.step()
        self.copies.append(snapshot(self.model))


class NanAt:
    """The backend's cross-entropy, times nan (or 0, or raising Ctrl-C) at training call `k`."""

    def __init__(
        self, backend: str, model: Any, k: int, factor: float = NAN, interrupt: bool = False
    ) -> None:
        self.ce, self.model, self.k = backend_losses(backend).cross_entropy, model, k
        self.factor, self.interrupt, self.calls = factor, interrupt, 0

    def __call__(self, outputs: Any, targets: Any) -> Any:
        loss = self.ce(outputs, targets)
        if not self.model.training:
            return loss
        self.calls += 1
        if self.calls == self.k:
            if self.interrupt:
                raise KeyboardInterrupt
            return loss * self.factor
        return loss


def where(error: BaseException) -> tuple[int, int, str]:
    m = re.search(r"loss is (\S+) at epoch (\d+), batch (\d+)", str(error))
    assert m, str(error)
    return int(m.group(2)), int(m.group(3)), m.group(1)


# ---------------------------------------------------------------------------------------------
# A non-finite loss: stop before the step
# ---------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.parametrize("backend", BACKENDS)
def test_huge_learning_rate_stops_before_the_step_that_would_use_a_nan_loss(backend) -> None:
    """SGD(lr=1e300): the weights blow up; fit stops at the first non-finite loss."""
    model, X, y = problem(backend)
    opt = Recording(optim.SGD(model.parameters(), lr=1e300), model)
    with pytest.raises(FloatingPointError) as info:
        fit(model, opt, X, y, loss="cross_entropy", epochs=5, batch_size=BATCH, progress=False)
    epoch, batch, value = where(info.value)
    assert value in ("nan", "inf", "-inf")
    assert len(opt.copies) - 1 == epoch * (N // BATCH) + batch  # steps taken before the bad batch
    assert_same_weights(model, opt.copies[-1])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("k", [1, 7, 13])
def test_one_nan_batch_under_adam_stops_with_the_weights_from_before_it(backend, k) -> None:
    model, X, y = problem(backend)
    opt = Recording(optim.Adam(model.parameters(), lr=0.05), model)
    with pytest.raises(FloatingPointError) as info:
        fit(model, opt, X, y, loss=NanAt(backend, model, k), epochs=4, batch_size=BATCH, progress=False)
    assert where(info.value) == ((k - 1) // 5, (k - 1) % 5, "nan")
    assert len(opt.copies) == k  # k − 1 steps: none for the nan batch
    assert_same_weights(model, opt.copies[-1])
    assert all(np.isfinite(v).all() for v in snapshot(model).values())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("factor", [INF, -INF])
def test_an_infinite_loss_stops_too(backend, factor) -> None:
    model, X, y = problem(backend)
    opt = Recording(optim.SGD(model.parameters(), lr=0.1, momentum=0.9), model)
    with pytest.raises(FloatingPointError, match=r"loss is -?inf at epoch 0, batch 3"):
        fit(model, opt, X, y, loss=NanAt(backend, model, 4, factor), epochs=2, batch_size=BATCH,
            shuffle=False, progress=False)  # fmt: skip
    assert_same_weights(model, opt.copies[3])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("k", [3, 9])
def test_skip_mode_equals_a_zero_gradient_for_that_batch_under_plain_sgd(backend, k) -> None:
    runs = []
    for factor, mode in ((NAN, "skip"), (0.0, "raise")):
        model, X, y = problem(backend)
        h = fit(model, optim.SGD(model.parameters(), lr=0.2), X, y, loss=NanAt(backend, model, k, factor),
                epochs=3, batch_size=BATCH, seed=2, on_nonfinite=mode, progress=False)  # fmt: skip
        runs.append((model, h))
    (skipped, hs), (zeroed, hz) = runs
    assert hs.skipped_batches == [((k - 1) // 5, (k - 1) % 5)] and hz.skipped_batches == []
    assert_same_weights(skipped, snapshot(zeroed))
    assert all(math.isfinite(v) for v in hs.train_loss)
    e = (k - 1) // 5  # that epoch's mean leaves the skipped batch out; elsewhere the runs agree
    assert [a for i, a in enumerate(hs.train_loss) if i != e] == [
        b for i, b in enumerate(hz.train_loss) if i != e
    ]


def test_on_nonfinite_is_checked() -> None:
    model, X, y = problem("scalar")
    with pytest.raises(ValueError, match="on_nonfinite"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, loss="cross_entropy", epochs=1,
            batch_size=BATCH, on_nonfinite="ignore")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Non-finite data
# ---------------------------------------------------------------------------------------------


def with_bad_entry(X: Any, i: int, j: int, bad: float) -> Any:
    X = copy.deepcopy(X)
    X[i][j] = bad
    return X


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [NAN, INF, -INF])
@pytest.mark.parametrize(("i", "j"), [(0, 0), (17, 1), (N - 1, 0)])
def test_nonfinite_inputs_are_a_value_error_naming_the_position(backend, bad, i, j) -> None:
    model, X, y = problem(backend)
    before = snapshot(model)
    Xbad = with_bad_entry(X, i, j, bad)
    if backend == "tensor":
        Xbad[i + 1 :] = np.where(np.arange(2) == j, NAN, Xbad[i + 1 :])  # later bad entries: still the first
    with pytest.raises(ValueError, match=rf"X\[{i}\]\[{j}\] is {re.escape(str(bad))}"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), Xbad, y, loss="cross_entropy", epochs=1,
            batch_size=BATCH, progress=False)  # fmt: skip
    assert_same_weights(model, before)


@pytest.mark.parametrize("backend", BACKENDS)
def test_nonfinite_targets_and_validation_data_are_named(backend) -> None:
    model, X, y = problem(backend)
    targets = [[float(v == 0), float(v == 1)] for v in y]  # one-hot targets for mse
    targets[5][1] = NAN
    if backend == "tensor":
        targets = np.array(targets)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"y\[5\]\[1\] is nan"):
        fit(model, opt, X, targets, loss="mse", epochs=1, batch_size=BATCH, progress=False)
    Xv = with_bad_entry(X[:10], 3, 0, -INF)
    with pytest.raises(ValueError, match=r"fit\(validation\): X_val\[3\]\[0\] is -inf"):
        fit(model, opt, X, y, loss="cross_entropy", epochs=1, batch_size=BATCH, validation=(Xv, y[:10]),
            progress=False)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Ctrl-C: restore the best weights, then re-raise
# ---------------------------------------------------------------------------------------------


class Watch(Callback):
    """Keeps the History and a copy of the weights after every epoch; may raise Ctrl-C at one."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        self.interrupt_at, self.copies = interrupt_at, []

    def on_train_begin(self, model, history):
        self.history = history

    def on_epoch_end(self, epoch, model, history):
        self.copies.append(snapshot(model))
        if epoch == self.interrupt_at:
            raise KeyboardInterrupt


def flipped(y: Any) -> Any:
    """Opposite labels: the better the net fits the training set, the worse it does on these."""
    return [1 - v for v in y] if isinstance(y, list) else 1 - y


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("source", ["callback", "loss"])
def test_ctrl_c_restores_the_best_weights_then_reraises(backend, source) -> None:
    model, X, y = problem(backend)
    watch = Watch(interrupt_at=3 if source == "callback" else None)
    stopper = EarlyStopping(patience=100)
    loss: Any = NanAt(backend, model, k=4 * 5 + 2, interrupt=True) if source == "loss" else "cross_entropy"
    with pytest.raises(KeyboardInterrupt):
        fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, loss=loss, epochs=10, batch_size=BATCH,
            validation=(X, flipped(y)), callbacks=[stopper, watch], progress=False)  # fmt: skip
    h = watch.history
    assert h.epochs == 4  # epochs 0-3 finished
    best = min(range(h.epochs), key=lambda e: h.val_loss[e])
    assert best != h.epochs - 1  # the test means something: the last epoch was not the best
    assert (stopper.best_epoch, h.best_epoch, h.restored_epoch) == (best, best, best)
    assert_same_weights(model, watch.copies[best])
    assert model.training  # the mode is restored as well


@pytest.mark.parametrize("restore_best", [False, None])
def test_ctrl_c_without_restoring_keeps_the_current_weights(restore_best) -> None:
    model, X, y = problem("scalar")
    watch = Watch(interrupt_at=2)
    callbacks: list[Any] = (
        [watch] if restore_best is None else [EarlyStopping(100, restore_best=False), watch]
    )
    with pytest.raises(KeyboardInterrupt):
        fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, loss="cross_entropy", epochs=5,
            batch_size=BATCH, validation=(X, flipped(y)), callbacks=callbacks, progress=False)  # fmt: skip
    assert_same_weights(model, watch.copies[-1])
    assert watch.history.restored_epoch is None


# ---------------------------------------------------------------------------------------------
# Smaller items: a loss that is not a node, all-nan validation, diverged runs, data loaders
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("result", [1.0, None, "loss"])
def test_a_loss_returning_no_graph_node_is_a_type_error(backend, result) -> None:
    model, X, y = problem(backend)
    with pytest.raises(TypeError, match=r"loss\(outputs, targets\) returned.*backward"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, loss=lambda o, t: result, epochs=1,
            batch_size=BATCH, progress=False)  # fmt: skip


class NanWhenEvaluating:
    """Cross-entropy in training, nan on the validation set."""

    def __init__(self, backend: str, model: Any) -> None:
        self.inner = NanAt(backend, model, k=-1)

    def __call__(self, outputs, targets):
        loss = self.inner(outputs, targets)
        return loss if self.inner.model.training else loss * NAN


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("with_stopper", [False, True])
def test_all_nan_validation_losses_give_no_best_epoch_and_a_diverged_verdict(backend, with_stopper) -> None:
    model, X, y = problem(backend)
    callbacks = [EarlyStopping(patience=2)] if with_stopper else []
    h = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, loss=NanWhenEvaluating(backend, model),
            epochs=3, batch_size=BATCH, validation=(X, y), callbacks=callbacks, accuracy=False,
            progress=False)  # fmt: skip
    assert all(math.isnan(v) for v in h.val_loss) and h.epochs == (2 if with_stopper else 3)
    assert h.best_epoch is None and h.restored_epoch is None
    d = diagnose(h, max_train_loss=10.0, max_loss_gap=1.0)
    assert d.verdict is Verdict.DIVERGED and "Diverged" in str(d) and "not overfitting" in str(d)
    assert str(h).startswith("Diverged")


def test_diagnose_and_history_call_an_all_nan_run_diverged() -> None:
    h = History(train_loss=[NAN] * 3, train_accuracy=[0.5] * 3, val_loss=[NAN] * 3, val_accuracy=[0.5] * 3)
    d = diagnose(h)
    assert d.verdict is Verdict.DIVERGED and d.verdict.value == "diverged"
    assert "Diverged" in d.message and "every epoch" in d.message and "learning rate" in d.message
    assert h.diverged_epoch == 0 and "every epoch" in h.summary()
    late = History(train_loss=[0.9, 0.5, INF], val_loss=[0.8, 0.6, 0.7])
    assert late.diverged_epoch == 2 and "epoch 2" in late.summary()
    assert diagnose(late, max_train_loss=1.0, max_loss_gap=1.0).verdict is Verdict.DIVERGED
    assert diagnose(late, max_train_loss=1.0, max_loss_gap=1.0, epoch=1).verdict is Verdict.GOOD


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"seed": -1}, ValueError, r"load_mnist_5k\(seed\): got int -1; expected an int >= 0"),
        ({"seed": "0"}, TypeError, r"load_mnist_5k\(seed\)"),
        ({"seed": None}, TypeError, r"load_mnist_5k\(seed\)"),
        ({"val_size": -3}, ValueError, r"load_mnist_5k\(val_size\)"),
        ({"test_size": 1.5}, ValueError, r"load_mnist_5k\(test_size\)"),
        ({"dtype": "int8"}, ValueError, r"load_mnist_5k\(dtype\)"),
        ({"path": 42}, TypeError, r"load_mnist_5k\(path\)"),
    ],
)
def test_data_loader_arguments_are_named_before_any_file_is_read(tmp_path, kwargs, error, words) -> None:
    kwargs.setdefault("path", tmp_path / "does-not-exist.csv.gz")  # an argument error comes first
    with pytest.raises(error, match=words):
        load_mnist_5k(**kwargs)
