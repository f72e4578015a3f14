"""Every PyTorch-compatible optimizer vs torch.optim in float64: the same trajectory over 100 steps.

The objective is a Rosenbrock-like function of several parameters; its gradient is computed by the
same Python function for both sides, so only the optimizers' arithmetic can differ. The same
optimizer classes also run on float64 ndarray parameters to show one implementation serves both
backends.
"""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from micrograd_tips import Value, optim  # noqa: E402

START = [-1.2, 1.0, 0.4, -0.7, 1.5]
STEPS = 100
RTOL = 1e-10


def gradient(x: list[float]) -> list[float]:
    """∇ of f(x) = Σᵢ (1 − xᵢ)² + 5·(x_{i+1} − xᵢ²)² + 0.05·Σ xᵢ⁴."""
    n = len(x)
    g = [-2.0 * (1.0 - xi) + 0.2 * xi**3 for xi in x]
    for i in range(n - 1):
        r = x[i + 1] - x[i] ** 2
        g[i] += 5.0 * 2.0 * r * (-2.0 * x[i])
        g[i + 1] += 5.0 * 2.0 * r
    return g


CASES = [
    ("SGD", {"lr": 1e-2}),
    ("SGD", {"lr": 1e-2, "momentum": 0.9}),
    ("SGD", {"lr": 1e-2, "momentum": 0.8, "dampening": 0.3}),
    ("SGD", {"lr": 1e-2, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 1e-2, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 1e-2, "weight_decay": 0.2}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.3, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 1e-3, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.9}),
    ("RMSprop", {"lr": 1e-3, "momentum": 0.5, "centered": True, "weight_decay": 0.1, "eps": 1e-4}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "eps": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
]


def torch_trajectory(name: str, groups_kwargs: list[dict], start: list[float]) -> list[list[float]]:
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    cls = getattr(torch.optim, name)
    if len(groups_kwargs) > 1:
        opt = cls([{"params": params[i::2], **kw} for i, kw in enumerate(groups_kwargs)])
    else:
        opt = cls(params, **groups_kwargs[0])
    out = []
    for _ in range(STEPS):
        for p, gi in zip(params, gradient([p.item() for p in params])):
            p.grad = torch.tensor(gi, dtype=torch.float64)
        opt.step()
        out.append([p.item() for p in params])
    return out


def value_trajectory(name: str, groups_kwargs: list[dict], start: list[float]) -> list[list[float]]:
    params = [Value.parameter(x) for x in start]
    cls = getattr(optim, name)
    if len(groups_kwargs) > 1:
        opt = cls([{"params": params[i::2], **kw} for i, kw in enumerate(groups_kwargs)])
    else:
        opt = cls(params, **groups_kwargs[0])
    out = []
    for _ in range(STEPS):
        for p, gi in zip(params, gradient([p.data for p in params])):
            p.grad = gi
        opt.step()
        out.append([p.data for p in params])
    return out


class ArrayParam:
    """A stand-in for a NumPy-backend parameter: `.data` and `.grad` are float64 ndarrays."""

    def __init__(self, data: list[float]) -> None:
        self.data = np.array(data, dtype=np.float64)
        self.grad = None


def array_trajectory(name: str, kwargs: dict, start: list[float]) -> list[list[float]]:
    p = ArrayParam(start)
    data_id = id(p.data)
    opt = getattr(optim, name)([p], **kwargs)
    out = []
    for _ in range(STEPS):
        grad = np.array(gradient(p.data.tolist()))
        p.grad = grad
        before = grad.copy()
        opt.step()
        assert np.array_equal(p.grad, before), "the optimizer must not modify p.grad"
        assert id(p.data) == data_id, "array parameters must be updated in place"
        out.append(p.data.tolist())
    return out


def assert_same(ours: list[list[float]], ref: list[list[float]]) -> None:
    for step, (a, b) in enumerate(zip(ours, ref)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert math.isclose(x, y, rel_tol=RTOL, abs_tol=1e-13), (
                f"step {step}, param {i}: {x} vs torch {y}"
            )
    # the run must actually move, or the comparison proves nothing
    assert max(abs(x - s) for x, s in zip(ref[-1], START)) > 1e-3


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_scalar_values_follow_torch(name: str, kwargs: dict) -> None:
    assert_same(value_trajectory(name, [kwargs], START), torch_trajectory(name, [kwargs], START))


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_ndarray_parameters_follow_torch(name: str, kwargs: dict) -> None:
    assert_same(array_trajectory(name, kwargs, START), torch_trajectory(name, [kwargs], START))


@pytest.mark.parametrize(
    ("name", "group_kwargs"),
    [
        ("SGD", [{"lr": 1e-2, "momentum": 0.9}, {"lr": 2e-3, "weight_decay": 0.5}]),
        ("Adam", [{"lr": 0.05}, {"lr": 0.01, "betas": (0.5, 0.9), "amsgrad": True}]),
        ("AdamW", [{"lr": 0.05, "weight_decay": 0.0}, {"lr": 0.02}]),
        ("RMSprop", [{"lr": 1e-3, "centered": True}, {"lr": 2e-3, "momentum": 0.3}]),
        ("Adagrad", [{"lr": 0.1}, {"lr": 0.05, "lr_decay": 0.1}]),
    ],
)
def test_param_groups_follow_torch(name: str, group_kwargs: list[dict]) -> None:
    assert_same(value_trajectory(name, group_kwargs, START), torch_trajectory(name, group_kwargs, START))


def test_float32_arrays_stay_float32_and_track_torch_float32() -> None:
    p = ArrayParam(START)
    p.data = p.data.astype(np.float32)
    t = torch.tensor(START, dtype=torch.float32, requires_grad=True)
    ours, ref = optim.Adam([p], lr=0.05), torch.optim.Adam([t], lr=0.05)
    for _ in range(20):
        g = gradient(p.data.tolist())
        p.grad = np.array(g, dtype=np.float32)
        t.grad = torch.tensor(gradient(t.tolist()), dtype=torch.float32)
        ours.step()
        ref.step()
    assert p.data.dtype == np.float32
    assert np.allclose(p.data, t.detach().numpy(), rtol=1e-4)


BAD = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": 0.1, "momentum": -0.5}),
    ("SGD", {"lr": 0.1, "weight_decay": -1.0}),
    ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adagrad", {"lr": -1.0}),
    ("Adagrad", {"lr_decay": -0.1}),
    ("Adagrad", {"initial_accumulator_value": -0.1}),
    ("Adagrad", {"eps": -1e-10}),
    ("RMSprop", {"lr": -1.0}),
    ("RMSprop", {"alpha": -0.1}),
    ("RMSprop", {"eps": -1.0}),
    ("RMSprop", {"momentum": -0.1}),
    ("Adam", {"lr": -1.0}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}),
    ("Adam", {"eps": -1.0}),
    ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"betas": (0.9, 1.5)}),
    ("AdamW", {"lr": float("nan")}),
    ("Adam", {"betas": (float("nan"), 0.999)}),
    ("RMSprop", {"alpha": float("nan")}),
    ("Adagrad", {"eps": float("nan")}),
    ("RMSprop", {"weight_decay": float("nan")}),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD, ids=[f"{n}-{k}" for n, k in BAD])
def test_invalid_arguments_raise_value_error_like_torch(name: str, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError):
        getattr(optim, name)([Value.parameter(0.0)], **kwargs)


LECTURE_ADAM = [{}, {"lr": 0.05, "betas": (0.8, 0.99)}, {"lr": 0.05, "eps": 1e-3}]


@pytest.mark.parametrize("kwargs", LECTURE_ADAM, ids=[str(k) for k in LECTURE_ADAM])
def test_lecture_adam_follows_torch_adam(kwargs: dict) -> None:
    """The slide's Adam is torch.optim.Adam without weight_decay/amsgrad: the same trajectory."""
    ref = torch_trajectory("Adam", [kwargs], START)
    assert_same(value_trajectory("LectureAdam", [kwargs], START), ref)
    assert_same(array_trajectory("LectureAdam", kwargs, START), ref)


def test_empty_parameter_list_raises_like_torch() -> None:
    with pytest.raises(ValueError):
        torch.optim.Adam([])
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])


def test_momentum_equals_torch_sgd_momentum_with_v_equal_minus_lr_b() -> None:
    """The lecture's v ← λv − η∇L, θ ← θ + v is torch's SGD momentum with v = −lr·b."""
    lr, lam = 0.01, 0.9
    ours = [Value.parameter(x) for x in START]
    ref = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    opt, topt = optim.Momentum(ours, lr=lr, momentum=lam), torch.optim.SGD(ref, lr=lr, momentum=lam)
    for _ in range(STEPS):
        for p, g in zip(ours, gradient([p.data for p in ours])):
            p.grad = g
        for p, g in zip(ref, gradient([p.item() for p in ref])):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        topt.step()
        for j, (p, t) in enumerate(zip(ours, ref)):
            assert math.isclose(p.data, t.item(), rel_tol=RTOL, abs_tol=1e-13)
            b = topt.state[t]["momentum_buffer"].item()
            assert math.isclose(opt.state[0][j]["velocity"], -lr * b, rel_tol=RTOL, abs_tol=1e-13)
