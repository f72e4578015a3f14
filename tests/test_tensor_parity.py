"""Backend parity: the scalar engine and the NumPy backend give the same losses and gradients.

The scalar engine is the reference. Same weights (copied through the state dict) and the same
inputs must give the same loss, parameter gradients and input gradients (float64, 1e-9), for
every activation, Maxout, fixed dropout masks in both scalings, L1/L2 penalties, and the same
optimizer trajectories with the shared optimizers.
"""

from __future__ import annotations

import re

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from micrograd_tips import losses as slosses  # noqa: E402
from micrograd_tips import nn as snn  # noqa: E402
from micrograd_tips import optim  # noqa: E402
from micrograd_tips.dropout import Dropout as SDropout  # noqa: E402
from micrograd_tips.engine import Value  # noqa: E402
from micrograd_tips.maxout import Maxout as SMaxout  # noqa: E402
from micrograd_tips.regularization import L1, L2  # noqa: E402
from micrograd_tips.tensor import Tensor  # noqa: E402
from micrograd_tips.tensor import losses as tlosses  # noqa: E402
from micrograd_tips.tensor import nn as tnn  # noqa: E402

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "linear"]
TOL = dict(rtol=1e-9, atol=1e-9)
_INDEX = re.compile(r"\[(\d+)\]")


def scalar_grads(model) -> dict[str, np.ndarray]:
    """The scalar model's parameter gradients gathered into state-dict shaped arrays."""
    out = {k: np.zeros(np.shape(v)) for k, v in model.state_dict().items()}
    for name, v in model.named_parameters():
        base = name.split("[", 1)[0]
        out[base][tuple(int(i) for i in _INDEX.findall(name))] = v.grad
    return out


def run_scalar(model, X: np.ndarray, y, loss_name: str, penalty=None):
    xs = [[Value(float(v)) for v in row] for row in X]
    outs = model.forward_batch(xs)
    loss = getattr(slosses, loss_name)(outs, y)
    if penalty is not None:
        loss = loss + penalty(model)
    loss.backward()
    return float(loss), scalar_grads(model), np.array([[v.grad for v in row] for row in xs])


def run_tensor(model, X: np.ndarray, y, loss_name: str, penalty=None):
    x = Tensor(X, requires_grad=True)
    loss = getattr(tlosses, loss_name)(model.forward_batch(x), np.asarray(y))
    if penalty is not None:
        loss = loss + penalty(model)
    loss.backward()
    return float(loss), {n: p.grad for n, p in model.named_parameters()}, x.grad


def assert_same(scalar_result, tensor_result) -> None:
    (sl, sg, sx), (tl, tg, tx) = scalar_result, tensor_result
    assert np.isclose(sl, tl, **TOL), (sl, tl)
    assert set(sg) == set(tg)
    for name in sg:
        np.testing.assert_allclose(tg[name], sg[name], err_msg=name, **TOL)
    np.testing.assert_allclose(tx, sx, **TOL)


def twin(scalar_model, tensor_model):
    """Copy the scalar model's weights (and nudge PReLU α's and biases off their defaults)."""
    rng = np.random.default_rng(7)
    state = {k: np.asarray(v) + rng.normal(0, 0.3, np.shape(v)) for k, v in scalar_model.state_dict().items()}
    scalar_model.load_state_dict(state)
    tensor_model.load_state_dict(scalar_model.state_dict())
    return scalar_model, tensor_model


def data(seed: int, n: int, nin: int, k: int):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, nin)), [int(c) for c in rng.integers(0, k, n)]


@settings(max_examples=12, deadline=None)
@given(
    act=st.sampled_from(ACTIVATIONS),
    seed=st.integers(0, 10_000),
    nin=st.integers(1, 4),
    hidden=st.lists(st.integers(1, 5), min_size=1, max_size=2),
    k=st.integers(2, 4),
)
def test_mlp_parity_for_every_activation(act, seed, nin, hidden, k) -> None:
    s, t = twin(snn.MLP(nin, [*hidden, k], act, seed=seed), tnn.MLP(nin, [*hidden, k], act, seed=seed))
    X, y = data(seed, 3, nin, k)
    assert_same(run_scalar(s, X, y, "cross_entropy"), run_tensor(t, X, y, "cross_entropy"))


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_single_output_mlp_parity_with_mse_and_hinge(act) -> None:
    s, t = twin(snn.MLP(2, [4, 1], act, seed=3), tnn.MLP(2, [4, 1], act, seed=3))
    X, _ = data(3, 5, 2, 2)
    targets = [1.0, -1.0, 1.0, 1.0, -1.0]
    for loss in ("mse", "hinge"):
        s.zero_grad()
        t.zero_grad()
        assert_same(run_scalar(s, X, targets, loss), run_tensor(t, X, targets, loss))


def test_same_seed_builds_the_same_weights_in_both_backends() -> None:
    for s, t in [
        (
            snn.MLP(3, [4, 2], "prelu", seed=11, init="xavier"),
            tnn.MLP(3, [4, 2], "prelu", seed=11, init="xavier"),
        ),
        (SMaxout(3, 2, 3, seed=5, init="he"), tnn.Maxout(3, 2, 3, seed=5, init="he")),
    ]:
        ss, ts = s.state_dict(), t.state_dict()
        assert list(ss) == list(ts)
        for name in ss:
            np.testing.assert_array_equal(ts[name], np.asarray(ss[name]))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), pieces=st.integers(1, 3), zero=st.booleans())
def test_maxout_parity(seed, pieces, zero) -> None:
    pieces = max(pieces, 2) if zero else pieces
    s = snn.Sequential(SMaxout(3, 4, pieces, zero_piece=zero, seed=seed), snn.Linear(4, 3, seed=seed))
    t = tnn.Sequential(tnn.Maxout(3, 4, pieces, zero_piece=zero, seed=seed), tnn.Linear(4, 3, seed=seed))
    s, t = twin(s, t)
    X, y = data(seed, 4, 3, 3)
    assert_same(run_scalar(s, X, y, "cross_entropy"), run_tensor(t, X, y, "cross_entropy"))
    # the winners per example agree, the zero piece counted as index 0
    for i, row in enumerate(X):
        s[0](row.tolist())
        assert tuple(t[0].last_winners[i]) == s[0].last_winners


@pytest.mark.parametrize("scaling", ["lecture", "inverted"])
@pytest.mark.parametrize("training", [True, False])
def test_dropout_parity_with_fixed_masks(scaling, training) -> None:
    kw = dict(dropout=0.5, input_dropout=0.25, dropout_scaling=scaling)
    s, t = twin(snn.MLP(3, [5, 4, 2], "relu", seed=2, **kw), tnn.MLP(3, [5, 4, 2], "relu", seed=2, **kw))
    masks = [[1, 0, 1], [0, 1, 1, 1, 0], [1, 1, 0, 1]]
    for mods in (
        [m for m in s.modules() if isinstance(m, SDropout)],
        [m for m in t.modules() if isinstance(m, tnn.Dropout)],
    ):
        assert len(mods) == 3
        for d, mask in zip(mods, masks):
            d.set_mask(mask)
    s.train(training)
    t.train(training)
    X, y = data(2, 4, 3, 2)
    assert_same(run_scalar(s, X, y, "cross_entropy"), run_tensor(t, X, y, "cross_entropy"))


@pytest.mark.parametrize("penalty", [L1(0.03), L2(0.05), L2(0.05, include_bias=True)])
def test_penalty_parity(penalty) -> None:
    s, t = twin(snn.MLP(2, [3, 2], "tanh", seed=4), tnn.MLP(2, [3, 2], "tanh", seed=4))
    X, y = data(4, 3, 2, 2)
    assert_same(run_scalar(s, X, y, "cross_entropy", penalty), run_tensor(t, X, y, "cross_entropy", penalty))


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
        lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
        lambda ps: optim.AdamW(ps, lr=0.01),
        lambda ps: optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.5),
        lambda ps: optim.Adagrad(ps, lr=0.1),
        lambda ps: optim.Momentum(ps, lr=0.05),
    ],
)
def test_optimizer_trajectories_agree(make) -> None:
    s, t = twin(snn.MLP(2, [4, 3], "relu", seed=9), tnn.MLP(2, [4, 3], "relu", seed=9))
    X, y = data(9, 6, 2, 3)
    s_opt, t_opt = make(s.parameters()), make(t.parameters())
    for _ in range(8):
        s_opt.zero_grad()
        t_opt.zero_grad()
        run_scalar(s, X, y, "cross_entropy")
        run_tensor(t, X, y, "cross_entropy")
        s_opt.step()
        t_opt.step()
    for name, value in s.state_dict().items():
        np.testing.assert_allclose(t.state_dict()[name], np.asarray(value), err_msg=name, **TOL)


def test_state_dicts_cross_both_ways_and_bad_ones_change_nothing() -> None:
    s, t = snn.MLP(2, [3, 1], seed=1), tnn.MLP(2, [3, 1], seed=2)
    t.load_state_dict(s.state_dict())
    back = snn.MLP(2, [3, 1], seed=3)
    back.load_state_dict(t.state_dict())
    assert back.state_dict() == s.state_dict()
    before = t.state_dict()
    bad = dict(before, **{"layers.0.weight": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"layers\.0\.weight"):
        t.load_state_dict(bad)
    with pytest.raises(KeyError, match=r"layers\.1\.bias"):
        t.load_state_dict({k: v for k, v in before.items() if k != "layers.1.bias"})
    for name, value in t.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_accuracy_and_softmax_agree() -> None:
    logits = np.array([[1.0, 3.0, 3.0], [0.5, -1.0, 0.0], [2.0, 2.0, 1.0]])
    targets = [1, 0, 1]
    assert tlosses.accuracy(Tensor(logits), targets) == slosses.accuracy(logits.tolist(), targets) == 2 / 3
    scores, pm = np.array([[0.3], [-0.2], [0.0]]), np.array([1, 1, -1])
    assert tlosses.accuracy(Tensor(scores), pm) == slosses.accuracy(scores[:, 0].tolist(), pm.tolist())
    soft = tlosses.softmax(Tensor([[1000.0, -1000.0, 0.0]])).data[0]
    ref = [v.data for v in slosses.softmax([1000.0, -1000.0, 0.0])]
    np.testing.assert_allclose(soft, ref, **TOL)


def test_loss_input_errors() -> None:
    z = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        tlosses.cross_entropy(z, [0, 3])
    with pytest.raises(TypeError, match="int classes"):
        tlosses.cross_entropy(z, [0.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        tlosses.mse(z, np.zeros(3))
    with pytest.raises(ValueError, match="−1 or \\+1"):
        tlosses.hinge(Tensor(np.zeros(2)), [0.5, 1.0])
    for hinge in (tlosses.hinge, lambda s, t: slosses.hinge(s.data.tolist(), t)):
        with pytest.raises(ValueError, match=r"signed_labels"):  # 0/1 labels: the way to ±1
            hinge(Tensor(np.zeros(3)), [0, 1, 1])
    with pytest.raises(TypeError, match="float32"):
        tnn.MLP(3, [2]).forward_batch(Tensor(np.zeros((1, 3), np.float32)))
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        tnn.MLP(3, [2]).forward_batch(np.zeros((1, 4)))


def test_cross_entropy_matches_torch_in_float32() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z = rng.normal(0, 30, size=(16, 10)).astype(np.float32)
    y = rng.integers(0, 10, 16)
    t = Tensor(z, requires_grad=True)
    loss = tlosses.cross_entropy(t, y)
    loss.backward()
    p = torch.tensor(z, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(p, torch.tensor(y))
    ref.backward()
    assert loss.dtype == np.float32 and t.grad.dtype == np.float32
    np.testing.assert_allclose(float(loss), ref.item(), rtol=1e-5)
    np.testing.assert_allclose(t.grad, p.grad.numpy(), atol=1e-6)


# -- IEEE edge points: both backends and PyTorch float64 agree ---------------------------------------

EDGE_BASES = [0.0, -0.0, 5e-324, -5e-324, 1e-310, float("nan"), float("inf"), -float("inf"), 2.0, -3.0]


@pytest.mark.parametrize("base", EDGE_BASES)
def test_pow_zero_exponent_gradient_parity_at_every_base(base: float) -> None:
    torch = pytest.importorskip("torch")
    v = Value(base)
    (v**0).backward()
    t = Tensor([base], requires_grad=True)
    (t**0).sum().backward()
    p = torch.tensor([base], dtype=torch.float64, requires_grad=True)
    (p**0).sum().backward()
    assert v.grad == t.grad[0] == p.grad.item() == 0.0  # y = x⁰ = 1: constant in x


@pytest.mark.parametrize("z", [-800.0, -100.0, -40.0, -36.7, -20.0, -1.0, -1e-300, -0.0, 0.0, 1e-300, 2.5])
@pytest.mark.parametrize("alpha", [1.0, 0.7])
def test_elu_gradient_parity_far_to_the_left(z: float, alpha: float) -> None:
    torch = pytest.importorskip("torch")
    v = Value(z)
    v.elu(alpha).backward()
    t = Tensor([z], requires_grad=True)
    t.elu(alpha).sum().backward()
    p = torch.tensor([z], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.elu(p, alpha).sum().backward()
    closed = 1.0 if z > 0 else alpha * np.exp(z)  # α·eᶻ for z ≤ 0 (e⁻⁴⁰ ≈ 4.25e-18, not 0)
    for got in (v.grad, t.grad[0], p.grad.item()):
        assert got == pytest.approx(closed, rel=1e-15, abs=0.0)
