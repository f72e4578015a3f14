"""fit / History / EarlyStopping / diagnose (lecture 0 recipe, B1 early stopping)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import Value, losses, optim
from micrograd_tips.data import moons, xor
from micrograd_tips.early_stopping import EarlyStopping
from micrograd_tips.nn import MLP
from micrograd_tips.recipe import Verdict, diagnose
from micrograd_tips.regularization import L2, decay_groups
from micrograd_tips.training import Callback, History, evaluate, fit


def small_problem(n: int = 24):
    X, y = xor(n, seed=3)
    return X, y


# ---------------------------------------------------------------------------------------------
# fit against independent oracles
# ---------------------------------------------------------------------------------------------


def test_fit_matches_a_torch_training_loop() -> None:
    """Mini-batch SGD with momentum, no shuffling: the same weights and losses as torch."""
    torch = pytest.importorskip("torch")
    X, y = small_problem(10)
    model = MLP(2, [5, 3], seed=7)
    state = model.state_dict()
    W1 = torch.tensor(state["layers.0.weight"], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(state["layers.0.bias"], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(state["layers.1.weight"], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(state["layers.1.bias"], dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([W1, b1, W2, b2], lr=0.1, momentum=0.9)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
    epoch_losses = []
    for _ in range(3):
        total = 0.0
        for start in range(0, 10, 4):  # batches of 4, 4, 2
            xb, yb = Xt[start : start + 4], yt[start : start + 4]
            out = torch.relu(xb @ W1.T + b1) @ W2.T + b2
            loss = torch.nn.functional.cross_entropy(out, yb)
            topt.zero_grad()
            loss.backward()
            topt.step()
            total += loss.item() * len(yb)
        epoch_losses.append(total / 10)
    history = fit(
        model, optim.SGD(model.parameters(), lr=0.1, momentum=0.9), X, y,
        loss=losses.cross_entropy, epochs=3, batch_size=4, shuffle=False, progress=False,
    )  # fmt: skip
    for ours, ref in zip(history.train_loss, epoch_losses):
        assert math.isclose(ours, ref, rel_tol=1e-10)
    final = model.state_dict()
    for name, t in (("layers.0.weight", W1), ("layers.0.bias", b1), ("layers.1.weight", W2)):
        flat_ours = [v for row in final[name] for v in (row if isinstance(row, list) else [row])]
        flat_ref = t.detach().flatten().tolist()
        assert all(math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-12) for a, b in zip(flat_ours, flat_ref))


def test_numpy_backend_fit_follows_the_scalar_backend() -> None:
    """Same weights, same batches, same optimizer → the same trajectory on both backends."""
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import nn as tnn

    X, y = moons(30, seed=1)
    scalar = MLP(2, [6, 2], seed=4)
    tensor = tnn.MLP(2, [6, 2], seed=0, dtype="float64")
    tensor.load_state_dict(scalar.state_dict())
    kw = {"loss": "cross_entropy", "epochs": 4, "batch_size": 8, "seed": 5, "progress": False}
    valid = (X[:10], y[:10])
    hs = fit(scalar, optim.Adam(scalar.parameters(), lr=0.05), X, y, validation=valid, **kw)
    ht = fit(
        tensor, optim.Adam(tensor.parameters(), lr=0.05), np.array(X), np.array(y),
        validation=(np.array(valid[0]), np.array(valid[1])), **kw,
    )  # fmt: skip
    for a, b in zip(hs.train_loss + hs.val_loss, ht.train_loss + ht.val_loss):
        assert math.isclose(a, b, rel_tol=1e-9)
    assert hs.train_accuracy == pytest.approx(ht.train_accuracy)
    for name, arr in tensor.state_dict().items():
        assert np.allclose(arr, np.array(scalar.state_dict()[name]), rtol=1e-9, atol=1e-12)


def test_fit_learns_xor_and_records_history() -> None:
    X, y = small_problem(40)
    model = MLP(2, [8, 8, 2], seed=0)
    history = fit(
        model, optim.Adam(model.parameters(), lr=0.05), X, y, loss="cross_entropy", epochs=40,
        batch_size=10, validation=(X[:20], y[:20]), progress=False,
    )  # fmt: skip
    assert history.epochs == 40 and len(history.val_loss) == 40 and len(history.train_accuracy) == 40
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.train_accuracy[-1] >= 0.9
    assert history.best_epoch == min(range(40), key=lambda e: history.val_loss[e])
    assert str(history).startswith("40 epochs: training loss") and history.diverged_epoch is None
    val_loss, val_acc = evaluate(model, X[:20], y[:20], loss=losses.cross_entropy)
    assert math.isclose(val_loss, history.val_loss[-1], rel_tol=1e-12)
    assert val_acc == history.val_accuracy[-1]


def test_regularizer_penalty_equals_weight_decay_on_weights() -> None:
    """L + λ·½‖w‖² with plain SGD ≡ SGD with weight_decay λ on the weights only (lecture B2)."""
    X, y = small_problem(16)
    a, b = MLP(2, [4, 2], seed=2), MLP(2, [4, 2], seed=2)
    kw = {"loss": "cross_entropy", "epochs": 3, "batch_size": 5, "progress": False}
    ha = fit(a, optim.SGD(a.parameters(), lr=0.2), X, y, regularizer=L2(0.3), **kw)
    hb = fit(b, optim.SGD(decay_groups(b, 0.3), lr=0.2), X, y, **kw)
    assert ha.train_loss == pytest.approx(hb.train_loss, rel=1e-12)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert math.isclose(pa.data, pb.data, rel_tol=1e-12, abs_tol=1e-15)


def test_seed_reproduces_a_run_and_shuffling_changes_it() -> None:
    X, y = small_problem(20)

    def run(seed: int, shuffle: bool = True) -> list[float]:
        m = MLP(2, [4, 2], seed=1)
        h = fit(m, optim.SGD(m.parameters(), lr=0.1), X, y, loss="cross_entropy", epochs=2,
                batch_size=3, seed=seed, shuffle=shuffle, progress=False)  # fmt: skip
        return h.train_loss

    assert run(11) == run(11)
    assert run(11) != run(12)
    assert run(11, shuffle=False) == run(12, shuffle=False)


# ---------------------------------------------------------------------------------------------
# Modes and callbacks, with a tiny scripted model
# ---------------------------------------------------------------------------------------------


class OneWeight:
    """A model with one parameter w; forward_batch returns [w, w, ...] and records the mode."""

    def __init__(self) -> None:
        self.w = Value.parameter(0.0)
        self.training = True
        self.modes: list[bool] = []

    def forward_batch(self, X):
        self.modes.append(self.training)
        return [self.w * 1.0 for _ in X]

    def parameters(self):
        return [self.w]

    def train(self, mode: bool = True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)

    def state_dict(self):
        return {"w": self.w.data}

    def load_state_dict(self, state):
        self.w.data = state["w"]


class ScriptedLoss:
    """Training: the mean output (so SGD with lr=1 lowers w by 1 per batch).
    Evaluation: the scripted validation loss of the epoch that just ended (read from w)."""

    __name__ = "scripted"

    def __init__(self, model: OneWeight, script: list[float]) -> None:
        self.model, self.script = model, script

    def __call__(self, outputs, targets):
        if self.model.training:
            return sum(outputs, Value(0.0)) * (1.0 / len(outputs))
        epoch = round(-self.model.w.data) - 1
        return Value(self.script[epoch])


def scripted_fit(script: list[float], **es_kwargs):
    model = OneWeight()
    stopper = EarlyStopping(**es_kwargs)
    history = fit(
        model, optim.SGD(model.parameters(), lr=1.0), [[0.0]] * 4, [0] * 4,
        loss=ScriptedLoss(model, script), epochs=len(script), batch_size=4, shuffle=False,
        validation=([[0.0]], [0]), callbacks=[stopper], progress=False,
    )  # fmt: skip
    return model, history, stopper


def test_early_stopping_restores_the_best_epoch_weights() -> None:
    script = [5.0, 4.0, 3.0, 3.5, 2.9, 3.1, 3.2, 3.3, 2.0, 1.0]
    model, history, _ = scripted_fit(script, patience=3)
    assert history.stopped_epoch == 7  # 3 epochs without beating 2.9
    assert history.epochs == 8 and history.best_epoch == 4 and history.restored_epoch == 4
    assert model.w.data == -5.0  # the weights after epoch 4 (w = −(epoch + 1))


def test_early_stopping_min_delta_and_no_restore() -> None:
    script = [5.0, 4.0, 3.0, 2.9, 2.85, 2.84, 2.83, 1.0]
    model, history, _ = scripted_fit(script, patience=3, min_delta=0.2)
    assert (history.best_epoch, history.stopped_epoch) == (2, 5)
    assert model.w.data == -3.0
    model, history, _ = scripted_fit(script, patience=3, min_delta=0.2, restore_best=False)
    assert model.w.data == -6.0 and history.restored_epoch is None


@settings(max_examples=40)
@given(
    script=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=15),
    patience=st.integers(1, 4),
)
def test_early_stopping_stops_where_the_definition_says(script, patience) -> None:
    """Stop after `patience` epochs in a row without a new minimum; keep the minimum's weights."""
    best, best_epoch, wait, stop = math.inf, None, 0, None
    for e, v in enumerate(script):
        if v < best:
            best, best_epoch, wait = v, e, 0
        else:
            wait += 1
            if wait == patience:
                stop = e
                break
    model, history, _ = scripted_fit(script, patience=patience)
    assert history.stopped_epoch == stop
    assert history.best_epoch == best_epoch
    assert model.w.data == -(best_epoch + 1)


def test_train_mode_for_batches_eval_mode_for_validation_and_mode_restored() -> None:
    model = OneWeight().eval()
    fit(model, optim.SGD(model.parameters(), lr=0.1), [[0.0]] * 3, [0] * 3,
        loss=ScriptedLoss(model, [1.0, 1.0]), epochs=2, batch_size=2, validation=([[0.0]], [0]),
        progress=False)  # fmt: skip
    assert model.modes == [True, True, False, True, True, False]
    assert model.training is False


def test_callback_hooks_run_in_order_and_can_stop() -> None:
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, model, history):
            calls.append("begin")

        def on_epoch_end(self, epoch, model, history):
            calls.append((epoch, len(history.train_loss)))
            return epoch == 1

        def on_train_end(self, model, history):
            calls.append("end")

    model = OneWeight()
    history = fit(model, optim.SGD(model.parameters(), lr=0.1), [[0.0]], [0],
                  loss=ScriptedLoss(model, [0.0]), epochs=5, batch_size=1, callbacks=[Recorder()],
                  progress=False)  # fmt: skip
    assert calls == ["begin", (0, 1), (1, 2), "end"]
    assert history.stopped_epoch == 1 and history.epochs == 2


def test_early_stopping_without_validation_data_says_so() -> None:
    model = OneWeight()
    with pytest.raises(ValueError, match="validation"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), [[0.0]], [0], loss=ScriptedLoss(model, [0.0]),
            epochs=2, batch_size=1, callbacks=[EarlyStopping(1)], progress=False)  # fmt: skip


def test_progress_bar_on_request_and_off_when_not_a_tty(capsys) -> None:
    pytest.importorskip("tqdm")
    model = OneWeight()
    kw = {"loss": ScriptedLoss(model, [0.0] * 3), "epochs": 3, "batch_size": 1}
    fit(model, optim.SGD(model.parameters(), lr=0.1), [[0.0]], [0], progress=True, **kw)
    assert "3/3" in capsys.readouterr().err
    fit(model, optim.SGD(model.parameters(), lr=0.1), [[0.0]], [0], progress=None, **kw)
    assert capsys.readouterr().err == ""  # pytest's stderr is not a TTY


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"y": [0, 1]}, ValueError, "X has 3 examples but y has 2"),
        ({"X": [], "y": []}, ValueError, "empty"),
        ({"X": "abc"}, TypeError, "X is str"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.0}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"loss": "l1"}, ValueError, "cross_entropy"),
        ({"loss": 3}, TypeError, "loss"),
        ({"callbacks": EarlyStopping(2)}, TypeError, "list of callbacks"),
        ({"callbacks": [object()]}, TypeError, "hooks"),
        ({"validation": [[0.0, 0.0]]}, TypeError, "X_val, y_val"),
        ({"shuffle": 1}, TypeError, "shuffle"),
        ({"progress": "yes"}, TypeError, "progress"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"regularizer": 0.1}, TypeError, "regularizer"),
        ({"accuracy": "yes"}, TypeError, "accuracy"),
        ({"model": object()}, TypeError, "forward_batch"),
        ({"optimizer": object()}, TypeError, "step"),
    ],
)
def test_fit_rejects_bad_input(change, error, words) -> None:
    model = MLP(2, [2], seed=0)
    args = {
        "model": model, "optimizer": optim.SGD(model.parameters(), lr=0.1), "X": [[0.0, 1.0]] * 3,
        "y": [0, 1, 0], "loss": "cross_entropy", "epochs": 1, "batch_size": 2, "progress": False,
    }  # fmt: skip
    args.update(change)
    with pytest.raises(error, match=words):
        fit(args.pop("model"), args.pop("optimizer"), args.pop("X"), args.pop("y"), **args)


def test_early_stopping_rejects_bad_arguments() -> None:
    for kwargs, error in (
        ({"patience": 0}, ValueError),
        ({"patience": 2.0}, TypeError),
        ({"patience": 2, "min_delta": -0.1}, ValueError),
        ({"patience": 2, "restore_best": "yes"}, TypeError),
    ):
        with pytest.raises(error, match=next(iter(k for k in kwargs if k != "patience"), "patience")):
            EarlyStopping(**kwargs)


# ---------------------------------------------------------------------------------------------
# The recipe
# ---------------------------------------------------------------------------------------------


def hist(train_acc, val_acc=None, train_loss=None, val_loss=None) -> History:
    n = len(train_acc) if train_acc else len(train_loss)
    return History(
        train_loss=train_loss or [1.0] * n,
        train_accuracy=train_acc or [],
        val_loss=val_loss or ([1.0] * n if val_acc else []),
        val_accuracy=val_acc or [],
    )


def test_bad_training_results_are_not_overfitting() -> None:
    """He et al. 2015: the 56-layer plain net is worse on *training* data — not well trained."""
    d = diagnose(hist([0.90, 0.945], [0.80, 0.87]), min_train_accuracy=0.97)
    assert d.verdict is Verdict.NOT_WELL_TRAINED
    assert (d.train, d.validation, d.epoch, d.metric) == (0.945, 0.87, 1, "accuracy")
    assert "not overfitting" in str(d) and "activation" in str(d) and "optimizer" in str(d)


def test_good_training_bad_validation_is_overfitting() -> None:
    d = diagnose(hist([0.999], [0.90]))
    assert d.verdict is Verdict.OVERFITTING
    assert d.gap == pytest.approx(0.099)
    assert all(w in d.message for w in ("early stopping", "regularization", "dropout"))


def test_good_on_both_and_without_validation() -> None:
    assert diagnose(hist([0.97], [0.95])).verdict is Verdict.GOOD
    assert diagnose(hist([0.97])).verdict is Verdict.NO_VALIDATION


def test_diagnose_by_loss_needs_thresholds_and_uses_them() -> None:
    h = hist(None, train_loss=[0.5, 0.1], val_loss=[0.6, 0.4])
    with pytest.raises(ValueError, match="max_train_loss"):
        diagnose(h)
    assert diagnose(h, max_train_loss=0.2, max_loss_gap=0.1).verdict is Verdict.OVERFITTING
    assert diagnose(h, max_train_loss=0.2, max_loss_gap=0.5).verdict is Verdict.GOOD
    assert diagnose(h, max_train_loss=0.05, max_loss_gap=0.5).verdict is Verdict.NOT_WELL_TRAINED
    h.train_loss[-1] = float("nan")  # a nan loss is never good: the run diverged
    assert diagnose(h, max_train_loss=0.2, max_loss_gap=0.5).verdict is Verdict.DIVERGED


def test_diagnose_judges_the_restored_epoch_by_default() -> None:
    h = hist([0.95, 0.99, 0.999], [0.94, 0.93, 0.80])
    assert diagnose(h).verdict is Verdict.OVERFITTING
    h.restored_epoch = 0
    d = diagnose(h)
    assert (d.verdict, d.epoch) == (Verdict.GOOD, 0)
    assert diagnose(h.as_dict()).verdict is Verdict.GOOD
    assert diagnose(h, epoch=2).verdict is Verdict.OVERFITTING


def test_diagnose_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="no epochs"):
        diagnose(History())
    with pytest.raises(ValueError, match="min_train_accuracy"):
        diagnose(hist([0.9]), min_train_accuracy=1.5)
    with pytest.raises(ValueError, match="epoch"):
        diagnose(hist([0.9]), epoch=3)
    with pytest.raises(ValueError, match="metric"):
        diagnose(hist([0.9]), metric="f1")
    with pytest.raises(TypeError, match="History"):
        diagnose(object())


# ---------------------------------------------------------------------------------------------
# The backend contract: generic code asks the model's class, never the module name
# ---------------------------------------------------------------------------------------------


def test_fit_uses_the_losses_and_no_grad_the_models_class_declares() -> None:
    """A third backend (here: OneWeight plus two class attributes) plugs in without detection."""
    import contextlib
    import types

    entered = []

    @contextlib.contextmanager
    def recording_no_grad():
        entered.append(True)
        yield

    def mean_output(outputs, targets):
        return sum(outputs, Value(0.0)) * (1.0 / len(outputs))

    fake_losses = types.ModuleType("fake_losses")
    fake_losses.mse = mean_output  # type: ignore[attr-defined]

    class Declared(OneWeight):
        losses = fake_losses
        no_grad = staticmethod(recording_no_grad)

    model = Declared()
    h = fit(model, optim.SGD(model.parameters(), lr=1.0), [[0.0]] * 2, [0] * 2, loss="mse", epochs=2,
            batch_size=2, validation=([[0.0]], [0]), progress=False)  # fmt: skip
    assert model.w.data == -2.0 and h.val_loss == [-1.0, -2.0]  # fake_losses.mse was used
    assert entered == [True, True]  # evaluation ran inside the declared no_grad
    with pytest.raises(TypeError, match="losses"):  # no declaration: a loss by name is an error
        plain = OneWeight()
        fit(plain, optim.SGD(plain.parameters(), lr=1.0), [[0.0]], [0], loss="mse", epochs=1, batch_size=1)


def test_generic_training_code_has_no_backend_detection() -> None:
    import inspect

    from micrograd_tips import early_stopping, regularization, training

    for module in (training, regularization, early_stopping):
        source = inspect.getsource(module)
        for banned in ("__module__", "importlib", "micrograd_tips.tensor", "from .engine", "from .tensor"):
            assert banned not in source, (module.__name__, banned)
