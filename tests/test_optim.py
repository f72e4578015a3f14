"""Optimizers without torch: the lecture's forms vs their closed forms, the API, and bad input."""

from __future__ import annotations

import math
import re
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import Value, optim

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False, allow_infinity=False)
nonzero = finite.filter(lambda g: abs(g) > 1e-3)
rates = st.floats(min_value=1e-4, max_value=1.0)


def run(opt_factory, start: float, grads: list[float]) -> list[float]:
    """Apply a scripted gradient sequence to one scalar parameter; return θ after each step."""
    p = Value.parameter(start)
    opt = opt_factory([p])
    out = []
    for g in grads:
        p.grad = g
        opt.step()
        out.append(p.data)
    return out


def close(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# ---------------------------------------------------------------------------------------------
# The lecture's forms vs the slides' closed forms
# ---------------------------------------------------------------------------------------------


@given(start=finite, grads=st.lists(finite, min_size=1, max_size=12), lr=rates, lam=st.floats(0.0, 0.99))
def test_momentum_is_the_weighted_sum_of_past_gradients(start, grads, lr, lam) -> None:
    """v^t = −η Σ_{k<t} λ^{t−1−k} g^k  and  θ^t = θ⁰ + Σ_{s≤t} v^s (lecture A4)."""
    thetas = run(lambda ps: optim.Momentum(ps, lr=lr, momentum=lam), start, grads)
    theta = start
    for t in range(1, len(grads) + 1):
        v = -lr * sum(lam ** (t - 1 - k) * grads[k] for k in range(t))
        theta += v
        assert close(thetas[t - 1], theta, 1e-8)


@given(start=finite, g=nonzero, lr=rates, lam=st.floats(0.0, 0.99), steps=st.integers(1, 30))
def test_momentum_constant_gradient_closed_form(start, g, lr, lam, steps) -> None:
    """Constant g: v^t = −ηg(1 − λ^t)/(1 − λ), so θ^T = θ⁰ − ηg Σ_{t=1..T} (1 − λ^t)/(1 − λ)."""
    thetas = run(lambda ps: optim.Momentum(ps, lr=lr, momentum=lam), start, [g] * steps)
    expected = start - lr * g * sum((1 - lam**t) / (1 - lam) for t in range(1, steps + 1))
    assert close(thetas[-1], expected, 1e-8)


@given(start=finite, grads=st.lists(nonzero, min_size=1, max_size=12), lr=rates)
def test_lecture_adagrad_divides_by_root_sum_of_squares(start, grads, lr) -> None:
    """w^{t+1} = w^t − η/√(Σ_{i≤t} (g^i)²) · g^t, no ε (lecture A4)."""
    thetas = run(lambda ps: optim.LectureAdagrad(ps, lr=lr), start, grads)
    w = start
    for t, g in enumerate(grads):
        w -= lr / math.sqrt(sum(gi * gi for gi in grads[: t + 1])) * g
        assert close(thetas[t], w)


@given(start=finite, g=nonzero, lr=rates, steps=st.integers(1, 40))
def test_lecture_adagrad_constant_gradient_steps_shrink_like_one_over_root_t(start, g, lr, steps) -> None:
    """Constant g: step t is η·sign(g)/√t, so w^T = w⁰ − η·sign(g)·Σ 1/√t."""
    thetas = run(lambda ps: optim.LectureAdagrad(ps, lr=lr), start, [g] * steps)
    expected = start - lr * math.copysign(1.0, g) * sum(1 / math.sqrt(t) for t in range(1, steps + 1))
    assert close(thetas[-1], expected)


@given(start=finite, grads=st.lists(nonzero, min_size=1, max_size=12), lr=rates, alpha=st.floats(0.0, 1.0))
def test_lecture_rmsprop_recursion(start, grads, lr, alpha) -> None:
    """σ⁰ = |g⁰|, σ^t = √(α(σ^{t−1})² + (1 − α)(g^t)²), w^{t+1} = w^t − η g^t/σ^t (lecture A4)."""
    thetas = run(lambda ps: optim.LectureRMSProp(ps, lr=lr, alpha=alpha), start, grads)
    w, sigma = start, abs(grads[0])
    for t, g in enumerate(grads):
        if t > 0:
            sigma = math.sqrt(alpha * sigma**2 + (1 - alpha) * g**2)
        w -= lr / sigma * g
        assert close(thetas[t], w)


@given(start=finite, g=nonzero, lr=rates)
def test_lecture_rmsprop_first_step_is_lr_times_sign(start, g, lr) -> None:
    (theta,) = run(lambda ps: optim.LectureRMSProp(ps, lr=lr), start, [g])
    assert close(theta, start - lr * math.copysign(1.0, g), 1e-12)


@given(start=finite, g=nonzero, lr=rates, steps=st.integers(1, 20))
def test_adam_constant_gradient_moves_lr_per_step(start, g, lr, steps) -> None:
    """Constant g: m̂ = g and v̂ = g² exactly (bias correction), so each step is lr·g/(|g| + ε)."""
    thetas = run(lambda ps: optim.Adam(ps, lr=lr), start, [g] * steps)
    expected = start - steps * lr * g / (abs(g) + 1e-8)
    assert close(thetas[-1], expected, 1e-7)


@given(start=finite, grads=st.lists(finite, min_size=1, max_size=10), lr=rates)
def test_plain_sgd_is_gradient_descent(start, grads, lr) -> None:
    thetas = run(lambda ps: optim.SGD(ps, lr=lr), start, grads)
    w = start
    for t, g in enumerate(grads):
        w -= lr * g
        assert close(thetas[t], w, 1e-12)


@settings(max_examples=60)
@given(
    start=finite,
    grads=st.lists(finite, min_size=1, max_size=12),
    lr=rates,
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.999),
)
def test_lecture_adam_is_the_slide_formula_unrolled(start, grads, lr, beta1, beta2) -> None:
    """The slide's recursions unrolled (lecture A4, Kingma & Ba Algorithm 1), computed from scratch:
    m_t = (1 − β₁) Σ_{k≤t} β₁^{t−k} g_k,  v_t = (1 − β₂) Σ_{k≤t} β₂^{t−k} g_k²,
    θ_t = θ_{t−1} − α·m̂/(√v̂ + ε) with m̂ = m_t/(1 − β₁ᵗ), v̂ = v_t/(1 − β₂ᵗ), ε = 1e−8."""
    thetas = run(lambda ps: optim.LectureAdam(ps, lr=lr, betas=(beta1, beta2)), start, grads)
    theta = start
    for t in range(1, len(grads) + 1):
        m = (1 - beta1) * sum(beta1 ** (t - k) * grads[k - 1] for k in range(1, t + 1))
        v = (1 - beta2) * sum(beta2 ** (t - k) * grads[k - 1] ** 2 for k in range(1, t + 1))
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta -= lr * m_hat / (math.sqrt(v_hat) + 1e-8)
        assert close(thetas[t - 1], theta, 1e-8)


def test_lecture_adam_two_steps_by_hand() -> None:
    """g = +1 then −1, α = 0.1, the slide's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e−8:
    t = 1: m = 0.1, v = 0.001, m̂ = 1, v̂ = 1, so θ₁ = −0.1/(1 + ε);
    t = 2: m = 0.09 − 0.1 = −0.01, m̂ = −0.01/0.19 = −1/19; v = 0.000999 + 0.001 = 0.001999,
    v̂ = 0.001999/(1 − 0.998001) = 1, so θ₂ = θ₁ + 0.1/19/(1 + ε) = −0.1·(18/19)/(1 + ε)."""
    theta1, theta2 = run(lambda ps: optim.LectureAdam(ps, lr=0.1), 0.0, [1.0, -1.0])
    assert close(theta1, -0.1 / (1 + 1e-8), 1e-12)
    assert close(theta2, -0.1 * (18 / 19) / (1 + 1e-8), 1e-12)


@pytest.mark.parametrize("name", ["Adam", "LectureAdam"])
def test_lecture_adam_and_adam_share_the_constant_gradient_closed_form(name) -> None:
    thetas = run(lambda ps: getattr(optim, name)(ps, lr=0.01), 2.0, [-3.0] * 7)
    assert close(thetas[-1], 2.0 + 7 * 0.01 * 3.0 / (3.0 + 1e-8), 1e-12)


def test_lecture_adam_takes_only_the_slides_arguments() -> None:
    with pytest.raises(TypeError):
        optim.LectureAdam([Value.parameter(0.0)], weight_decay=0.1)  # type: ignore[call-arg]
    assert set(optim.LectureAdam([Value.parameter(0.0)]).defaults) == {"lr", "betas", "eps"}


def test_lecture_forms_read_zero_over_zero_as_no_step() -> None:
    ada = run(lambda ps: optim.LectureAdagrad(ps, lr=0.1), 1.5, [0.0, 0.0, 2.0])
    assert ada[:2] == [1.5, 1.5]
    assert close(ada[2], 1.4)  # then a normal first step: −η·g/|g|
    rms = run(lambda ps: optim.LectureRMSProp(ps, lr=0.1, alpha=0.9), 1.5, [0.0, 0.0, 2.0])
    assert rms[:2] == [1.5, 1.5]
    assert close(rms[2], 1.5 - 0.1 * 2.0 / math.sqrt(0.1 * 2.0**2))  # σ⁰ = |g⁰| = 0, then the recursion


# ---------------------------------------------------------------------------------------------
# One implementation for floats and arrays
# ---------------------------------------------------------------------------------------------


class ArrayParam:
    def __init__(self, data) -> None:
        self.data = data
        self.grad = None


@pytest.mark.parametrize(
    "factory",
    [
        lambda ps: optim.Momentum(ps, lr=0.1, momentum=0.8),
        lambda ps: optim.LectureAdagrad(ps, lr=0.3),
        lambda ps: optim.LectureRMSProp(ps, lr=0.2, alpha=0.7),
        lambda ps: optim.LectureAdam(ps, lr=0.1, betas=(0.5, 0.9)),
        lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.1, initial_accumulator_value=0.2),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.3, weight_decay=0.2),
        lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.3),
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1),
        lambda ps: optim.RMSprop(ps, centered=True, momentum=0.2),
        lambda ps: optim.AdamW(ps, lr=0.1, amsgrad=True),
    ],
)
def test_array_parameters_match_scalar_parameters_elementwise(factory) -> None:
    numpy = pytest.importorskip("numpy")
    start = [0.5, -1.0, 0.0, 2.0]
    grads = [[1.0, -2.0, 0.0, 0.5], [0.3, 0.0, 0.0, -4.0], [-1.0, 1.0, 0.0, 0.1]]
    scalars = [Value.parameter(x) for x in start]
    arr = ArrayParam(numpy.array(start))
    opt_s, opt_a = factory(scalars), factory([arr])
    for g in grads:
        for p, gi in zip(scalars, g):
            p.grad = gi
        arr.grad = numpy.array(g)
        opt_s.step()
        opt_a.step()
    assert [p.data for p in scalars] != start
    assert numpy.allclose(arr.data, [p.data for p in scalars], rtol=1e-14, atol=1e-15)


def test_params_with_grad_none_are_skipped() -> None:
    numpy = pytest.importorskip("numpy")
    frozen, live = ArrayParam(numpy.ones(3)), ArrayParam(numpy.ones(3))
    opt = optim.Adam([frozen, live], lr=0.1)
    live.grad = numpy.ones(3)
    opt.step()
    assert numpy.array_equal(frozen.data, numpy.ones(3))
    assert not opt.state[0][0]
    assert numpy.all(live.data < 1.0)


def test_zero_grad_floats_to_zero_arrays_to_none_or_zero_in_place() -> None:
    numpy = pytest.importorskip("numpy")
    v, a = Value.parameter(1.0), ArrayParam(numpy.ones(2))
    v.grad, a.grad = 3.0, numpy.full(2, 5.0)
    opt = optim.SGD([v, a], lr=0.1)
    opt.zero_grad()
    assert v.grad == 0.0 and type(v.grad) is float
    assert a.grad is None
    buf = numpy.full(2, 5.0)
    a.grad = buf
    opt.zero_grad(set_to_none=False)
    assert a.grad is buf and numpy.array_equal(buf, [0.0, 0.0])


# ---------------------------------------------------------------------------------------------
# Groups, state_dict, input checks
# ---------------------------------------------------------------------------------------------


def test_group_values_override_defaults_and_named_pairs_are_accepted() -> None:
    a, b = Value.parameter(1.0), Value.parameter(1.0)
    opt = optim.SGD([{"params": [("w", a)]}, {"params": [("b", b)], "lr": 0.5}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (1.0 - 0.1, 1.0 - 0.5)
    assert opt.param_groups[0]["param_names"] == ["w"]


def test_state_dict_round_trip_continues_the_same_trajectory() -> None:
    def make():
        ps = [Value.parameter(x) for x in (0.3, -0.8)]
        return ps, optim.Adam(ps, lr=0.1, amsgrad=True)

    ps1, opt1 = make()
    for k in range(5):
        for p in ps1:
            p.grad = p.data - k
        opt1.step()
    saved = opt1.state_dict()
    assert saved["state"][0]["step"] == 5 and saved["param_groups"][0]["params"] == [0, 1]
    ps2, opt2 = make()
    for p2, p1 in zip(ps2, ps1):
        p2.data = p1.data
    opt2.load_state_dict(saved)
    saved["state"][0]["exp_avg"] = 1e9  # a deep copy: the optimizer is unaffected
    for ps, opt in ((ps1, opt1), (ps2, opt2)):
        for p in ps:
            p.grad = 2.0 * p.data
        opt.step()
    assert [p.data for p in ps1] == [p.data for p in ps2]


def test_load_state_dict_rejects_other_group_sizes() -> None:
    opt = optim.SGD([Value.parameter(0.0)], lr=0.1)
    other = optim.SGD([Value.parameter(0.0), Value.parameter(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="group sizes"):
        opt.load_state_dict(other.state_dict())


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: optim.SGD(Value.parameter(1.0), lr=0.1), TypeError, "iterable"),
        (lambda: optim.SGD([1.0, 2.0], lr=0.1), TypeError, "expected a parameter"),
        (lambda: optim.SGD([Value.parameter(1.0)], lr="0.1"), TypeError, "lr"),
        (lambda: optim.SGD([Value.parameter(1.0)], lr=True), TypeError, "lr"),
        (lambda: optim.Adam([Value.parameter(1.0)], amsgrad=1), TypeError, "amsgrad"),
        (lambda: optim.Adam([Value.parameter(1.0)], betas=0.9), TypeError, "betas"),
        (lambda: optim.SGD([{"params": [Value.parameter(1.0)], "lrr": 0.1}], lr=0.1), KeyError, "lrr"),
        (lambda: optim.Momentum([Value.parameter(1.0)], momentum=1.5), ValueError, "momentum"),
        (lambda: optim.LectureRMSProp([Value.parameter(1.0)], alpha=-0.1), ValueError, "alpha"),
        (lambda: optim.LectureAdagrad([Value.parameter(1.0)], lr=-1.0), ValueError, "lr"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(make, error, words) -> None:
    with pytest.raises(error, match=words):
        make()


def test_the_same_parameter_twice_is_rejected() -> None:
    p = Value.parameter(1.0)
    with pytest.raises(ValueError, match="twice"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(ValueError, match="more than one"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


@settings(max_examples=30)
@given(lr=rates)
def test_lr_changed_in_a_group_takes_effect_next_step(lr) -> None:
    p = Value.parameter(0.0)
    opt = optim.SGD([p], lr=1.0)
    opt.param_groups[0]["lr"] = lr
    p.grad = 1.0
    opt.step()
    assert p.data == -lr


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_array_state_is_updated_in_place_and_scratch_is_not_exported(name) -> None:
    numpy = pytest.importorskip("numpy")
    p = ArrayParam(numpy.linspace(-1.0, 1.0, 6))
    kwargs = {"lr": 0.1, "momentum": 0.5} if name in ("SGD", "RMSprop") else {}
    opt = getattr(optim, name)([p], weight_decay=0.1, **kwargs)
    p.grad = numpy.ones(6)
    opt.step()
    arrays = {k: v for k, v in opt.state[0][0].items() if hasattr(v, "shape")}
    ids = {k: id(v) for k, v in arrays.items()}
    data_id = id(p.data)
    for _ in range(3):
        p.grad = numpy.arange(6.0)
        opt.step()
    assert id(p.data) == data_id
    assert {k: id(v) for k, v in opt.state[0][0].items() if k in ids} == ids
    exported = opt.state_dict()["state"][0]
    assert exported and not any(k.startswith("_") for k in exported)


# ---------------------------------------------------------------------------------------------
# Non-finite hyperparameters, weight decay written once, no allocation on arrays
# ---------------------------------------------------------------------------------------------


def test_sgd_rejects_nan_dampening() -> None:
    """Issue 10, item 9: ``SGD(momentum=.9, dampening=nan)`` was accepted (and made every step nan)."""
    with pytest.raises(ValueError, match="dampening"):
        optim.SGD([Value.parameter(1.0)], lr=0.1, momentum=0.9, dampening=math.nan)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", [n for n in optim.__all__ if n != "Optimizer"])
def test_every_non_finite_hyperparameter_is_rejected_naming_it(name, bad) -> None:
    cls = getattr(optim, name)
    defaults = cls([Value.parameter(0.0)]).defaults
    numeric = [k for k, v in defaults.items() if not isinstance(v, bool)]
    assert "lr" in numeric
    for key in numeric:
        value, label = ((bad, 0.999), "betas[0]") if key == "betas" else (bad, key)
        with pytest.raises(ValueError, match=re.escape(label)):
            cls([Value.parameter(0.0)], **{key: value})
        if key == "betas":
            with pytest.raises(ValueError, match=re.escape("betas[1]")):
                cls([Value.parameter(0.0)], betas=(0.9, bad))


def test_non_finite_values_are_rejected_in_groups_and_state_dicts_too() -> None:
    p, q = Value.parameter(1.0), Value.parameter(2.0)
    opt = optim.Adam([p], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.add_param_group({"params": [q], "lr": math.inf})
    saved = opt.state_dict()
    saved["param_groups"][0]["eps"] = math.nan
    with pytest.raises(ValueError, match="eps"):
        opt.load_state_dict(saved)
    assert opt.param_groups[0]["eps"] == 1e-8 and len(opt.param_groups) == 1


L2_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "nesterov": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.2}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
]


@pytest.mark.parametrize(("name", "kwargs"), L2_CASES, ids=[n for n, _ in L2_CASES])
@settings(max_examples=25)
@given(start=finite, grads=st.lists(finite, min_size=1, max_size=8), decay=st.floats(0.0, 0.5))
def test_weight_decay_is_the_l2_gradient(name, kwargs, start, grads, decay) -> None:
    """Lecture B2: weight_decay λ minimises L + λ/2·θ², i.e. it feeds the gradient g + λθ."""
    cls = getattr(optim, name)
    decayed = run(lambda ps: cls(ps, weight_decay=decay, **kwargs), start, grads)
    p = Value.parameter(start)
    opt = cls([p], **kwargs)
    for t, g in enumerate(grads):
        p.grad = g + decay * p.data
        opt.step()
        assert close(p.data, decayed[t], 1e-9)


@settings(max_examples=25)
@given(start=finite, grads=st.lists(finite, min_size=1, max_size=8), decay=st.floats(0.0, 0.5), lr=rates)
def test_adamw_shrinks_theta_then_takes_the_adam_step(start, grads, decay, lr) -> None:
    """Decoupled weight decay: θ ← (1 − ηλ)θ, then Adam on the plain gradient."""
    decayed = run(lambda ps: optim.AdamW(ps, lr=lr, weight_decay=decay), start, grads)
    p = Value.parameter(start)
    opt = optim.Adam([p], lr=lr)
    for t, g in enumerate(grads):
        p.data *= 1 - lr * decay
        p.grad = g
        opt.step()
        assert close(p.data, decayed[t], 1e-9)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SGD", {"lr": 0.01, "momentum": 0.9}),
        ("SGD", {"lr": 0.01}),
        ("Adagrad", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("AdamW", {"lr": 0.01}),
        ("Momentum", {"lr": 0.01}),
        ("LectureAdagrad", {"lr": 0.01}),
        ("LectureRMSProp", {"lr": 0.01}),
        ("LectureAdam", {"lr": 0.01}),
    ],
)
def test_array_steps_allocate_nothing_after_the_first(name, kwargs) -> None:
    """The in-place helper's promise: state and θ are overwritten, temporaries reuse one scratch array."""
    numpy = pytest.importorskip("numpy")
    p = ArrayParam(numpy.linspace(-1.0, 1.0, 50_000))
    p.grad = numpy.cos(3.0 * p.data)
    opt = getattr(optim, name)([p], **kwargs)
    before = p.data.copy()
    opt.step()
    tracemalloc.start()
    try:
        for _ in range(3):
            opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # not one float array (400 kB); the lecture's forms make a boolean mask (50 kB) for their 0/0
    assert peak < p.data.nbytes // 4, f"{name} allocated {peak} bytes in 3 steps"
    assert not numpy.array_equal(p.data, before)
