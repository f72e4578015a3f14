"""L1/L2 (lecture B2): update rules vs the slides' formulas, penalty gradients, torch's weight decay."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_tips import Value, optim
from micrograd_tips.nn import MLP
from micrograd_tips.regularization import (
    L1,
    L2,
    decay_groups,
    is_bias,
    l1_penalty,
    l1_update,
    l2_penalty,
    l2_update,
    split_parameters,
)

reals = st.floats(min_value=-10.0, max_value=10.0, allow_nan=False)
small = st.floats(min_value=0.0, max_value=0.5)


def sign(x: float) -> float:
    return 0.0 if x == 0 else math.copysign(1.0, x)


def named(ws: list[float], gs: list[float], bias: float, gb: float) -> list[tuple[str, Value]]:
    params = [(f"layer.weight[{i}]", Value.parameter(w)) for i, w in enumerate(ws)]
    params.append(("layer.bias[0]", Value.parameter(bias)))
    for (_, p), g in zip(params, [*gs, gb]):
        p.grad = g
    return params


def test_is_bias_reads_the_name_without_its_index() -> None:
    assert is_bias("layers.0.bias[3]") and is_bias("bias") and is_bias("0.bias")
    assert not is_bias("layers.0.weight[3][1]") and not is_bias("bias.weight") and not is_bias("alpha")


pairs = st.lists(st.tuples(reals, reals), min_size=1, max_size=6)


@given(wg=pairs, b=reals, gb=reals, lr=small, lam=small)
def test_l2_update_rule_is_the_slide_formula(wg, b, gb, lr, lam) -> None:
    """w ← (1 − ηλ)w − η∂L/∂w for weights; biases: w ← w − η∂L/∂w."""
    params = named([w for w, _ in wg], [g for _, g in wg], b, gb)
    l2_update(params, lr, lam)
    for (_, p), (w, g) in zip(params, wg):
        assert math.isclose(p.data, (1 - lr * lam) * w - lr * g, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(params[-1][1].data, b - lr * gb, rel_tol=1e-12, abs_tol=1e-12)


@given(wg=pairs, b=reals, gb=reals, lr=small, lam=small)
def test_l1_update_rule_is_the_slide_formula(wg, b, gb, lr, lam) -> None:
    """w ← w − η∂L/∂w − ηλ·sgn(w) for weights; biases: w ← w − η∂L/∂w."""
    params = named([w for w, _ in wg], [g for _, g in wg], b, gb)
    l1_update(params, lr, lam)
    for (_, p), (w, g) in zip(params, wg):
        assert math.isclose(p.data, w - lr * g - lr * lam * sign(w), rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(params[-1][1].data, b - lr * gb, rel_tol=1e-12, abs_tol=1e-12)


@given(wg=pairs, b=reals, gb=reals, lr=small, lam=small)
def test_include_bias_regularizes_biases_too(wg, b, gb, lr, lam) -> None:
    params = named([w for w, _ in wg], [g for _, g in wg], b, gb)
    L2(lam, include_bias=True).update(params, lr)
    assert math.isclose(params[-1][1].data, (1 - lr * lam) * b - lr * gb, rel_tol=1e-12, abs_tol=1e-12)


def model() -> MLP:
    m = MLP(3, [4, 2], seed=1)
    for k, (_, p) in enumerate(m.named_parameters()):  # non-zero biases, some exact zeros
        p.data = 0.0 if k % 7 == 3 else math.sin(k + 1.0)
    return m


@given(lam=st.floats(min_value=1e-3, max_value=3.0))
def test_l2_penalty_value_and_gradient_lambda_theta(lam) -> None:
    m = model()
    penalty = l2_penalty(m, lam)
    weights = [p.data for n, p in m.named_parameters() if not is_bias(n)]
    assert math.isclose(float(penalty), lam * 0.5 * sum(w * w for w in weights), rel_tol=1e-12)
    penalty.backward()
    for name, p in m.named_parameters():
        expected = 0.0 if is_bias(name) else lam * p.data
        assert math.isclose(p.grad, expected, rel_tol=1e-12, abs_tol=1e-15), name


@given(lam=st.floats(min_value=1e-3, max_value=3.0))
def test_l1_penalty_value_and_gradient_lambda_sign_theta(lam) -> None:
    m = model()
    penalty = L1(lam)(m)
    weights = [p.data for n, p in m.named_parameters() if not is_bias(n)]
    assert math.isclose(float(penalty), lam * sum(abs(w) for w in weights), rel_tol=1e-12)
    penalty.backward()
    for name, p in m.named_parameters():
        expected = 0.0 if is_bias(name) else lam * sign(p.data)
        assert math.isclose(p.grad, expected, rel_tol=1e-12, abs_tol=1e-15), name


def test_penalty_gradients_match_finite_differences() -> None:
    m = model()
    params = m.parameters()
    for make in (
        lambda: l1_penalty(m, 0.7, include_bias=True),
        lambda: l2_penalty(m, 0.7, include_bias=True),
    ):
        m.zero_grad()
        make().backward()
        for p in params:
            if p.data == 0.0:
                continue  # |θ| has a kink at 0
            x, h = p.data, 1e-6
            p.data = x + h
            up = float(make())
            p.data = x - h
            down = float(make())
            p.data = x
            assert math.isclose(p.grad, (up - down) / (2 * h), rel_tol=1e-6, abs_tol=1e-8)


def test_penalties_on_numpy_tensors_give_lambda_theta_and_lambda_sign() -> None:
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import Tensor

    w = Tensor.parameter(np.array([[1.5, -2.0], [0.0, 0.25]]))
    b = Tensor.parameter(np.array([3.0, -1.0]))
    params = [("0.weight", w), ("0.bias", b)]
    l2 = l2_penalty(params, 0.4)
    assert math.isclose(float(l2), 0.2 * (1.5**2 + 4 + 0.25**2), rel_tol=1e-12)
    l2.backward()
    assert np.allclose(w.grad, 0.4 * w.data) and (b.grad is None or not b.grad.any())
    w.grad = None
    l1_penalty(params, 0.4).backward()
    assert np.array_equal(w.grad, 0.4 * np.sign(w.data))


def test_update_rules_work_in_place_on_arrays() -> None:
    np = pytest.importorskip("numpy")

    class P:
        def __init__(self, data, grad):
            self.data, self.grad = np.array(data), np.array(grad)

    w, b = P([1.0, -2.0, 0.0], [0.5, 0.5, 0.5]), P([1.0], [1.0])
    buf = w.data
    l1_update([("w", w), ("b.bias", b)], 0.1, 0.5)
    assert w.data is buf
    assert np.allclose(w.data, [1.0 - 0.05 - 0.05, -2.0 - 0.05 + 0.05, -0.05])
    assert np.allclose(b.data, [0.9])


@given(
    data=st.lists(st.tuples(reals, reals), min_size=1, max_size=5),
    lr=small,
    lam=small,
    steps=st.integers(1, 5),
)
def test_l2_update_equals_torch_sgd_weight_decay(data, lr, lam, steps) -> None:
    torch = pytest.importorskip("torch")
    ours = [(f"w[{i}]", Value.parameter(w)) for i, (w, _) in enumerate(data)]
    ref = torch.tensor([w for w, _ in data], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([ref], lr=lr, weight_decay=lam)
    for k in range(steps):
        grads = [g * (k + 1) for _, g in data]
        for (_, p), g in zip(ours, grads):
            p.grad = g
        ref.grad = torch.tensor(grads, dtype=torch.float64)
        l2_update(ours, lr, lam)
        opt.step()
    for (_, p), r in zip(ours, ref.tolist()):
        assert math.isclose(p.data, r, rel_tol=1e-10, abs_tol=1e-12)


def test_decay_groups_exclude_biases_from_optimizer_weight_decay() -> None:
    m = model()
    groups = decay_groups(m, 0.1)
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    weights, biases = split_parameters(m)
    assert groups[0]["params"] == weights and groups[1]["params"] == biases
    before = {n: p.data for n, p in m.named_parameters()}
    for p in m.parameters():
        p.grad = 0.0
    optim.SGD(groups, lr=0.5).step()
    for n, p in m.named_parameters():
        expected = before[n] if is_bias(n) else before[n] * (1 - 0.05)
        assert math.isclose(p.data, expected, rel_tol=1e-14, abs_tol=0.0), n


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: l2_penalty([Value.parameter(1.0)], 0.1), TypeError, "include_bias=True"),
        (lambda: l2_penalty(model(), -0.1), ValueError, "lam"),
        (lambda: l1_penalty(model(), float("nan")), ValueError, "lam"),
        (lambda: L2(True), TypeError, "lam"),
        (lambda: l2_update(model(), -1.0, 0.1), ValueError, "lr"),
        (lambda: l1_penalty(42, 0.1), TypeError, "Module"),
        (lambda: l1_penalty(model(), 0.1, include_bias=1), TypeError, "include_bias"),
    ],
)
def test_bad_input_raises_naming_the_argument(call, error, words) -> None:
    with pytest.raises(error, match=words):
        call()


def test_bare_parameters_are_accepted_with_include_bias() -> None:
    ps = [Value.parameter(2.0), Value.parameter(-3.0)]
    assert float(l2_penalty(ps, 1.0, include_bias=True)) == 0.5 * (4 + 9)
