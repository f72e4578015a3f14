"""Activations (lecture A1, A2): values and gradients vs PyTorch and finite differences; PReLU's α."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips.activations import (
    ACTIVATIONS,
    ELU,
    Activation,
    Identity,
    Lambda,
    LeakyReLU,
    PReLU,
    ReLU,
    Sigmoid,
    Tanh,
    activation_names,
    get_activation,
    suited_init,
)
from micrograd_tips.engine import Value
from micrograd_tips.nn import Layer

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "linear"]
# Points include the kink z = 0 and large |z| (saturation, no overflow).
POINTS = [-800.0, -30.0, -2.5, -1.0, -0.3, -1e-9, 0.0, 1e-9, 0.3, 1.0, 2.5, 30.0, 800.0]


def value_and_grad(act, z: float) -> tuple[float, float]:
    zv = Value(z)
    a = act(zv)
    a.backward()
    return a.data, zv.grad


def torch_reference(torch, name: str):
    F = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
        "prelu": lambda t: F.prelu(t, torch.tensor([0.25], dtype=torch.float64)),
        "elu": F.elu,
        "linear": lambda t: t * 1.0,
    }[name]


def test_registry_has_exactly_the_lecture_activations():
    assert activation_names() == NAMES
    kinds = {n: type(get_activation(n, 3)) for n in NAMES}
    assert kinds == {
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "relu": ReLU,
        "leaky_relu": LeakyReLU,
        "prelu": PReLU,
        "elu": ELU,
        "linear": Identity,
    }


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError) as err:
        get_activation("swish")
    assert "'swish'" in str(err.value) and all(repr(n) in str(err.value) for n in NAMES)
    with pytest.raises(TypeError, match="activation"):
        get_activation(3)


@pytest.mark.parametrize("name", NAMES)
def test_values_and_gradients_match_torch(name):
    torch = pytest.importorskip("torch")
    act = get_activation(name, 1)
    ref = torch_reference(torch, name)
    for z in POINTS:
        t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
        ta = ref(t.reshape(1, 1)).reshape(())
        ta.backward()
        a, g = value_and_grad(act, z)
        assert a == pytest.approx(ta.item(), rel=1e-14, abs=1e-300), (name, z)
        assert g == pytest.approx(t.grad.item(), rel=1e-14, abs=1e-300), (name, z)


@pytest.mark.parametrize("name", NAMES)
@given(z=st.floats(-20, 20).filter(lambda z: abs(z) > 1e-4))
@settings(max_examples=40)
def test_gradients_match_central_finite_differences(name, z):
    act = get_activation(name, 1)
    h = 1e-6
    numeric = (act(Value(z + h)).data - act(Value(z - h)).data) / (2 * h)
    _, g = value_and_grad(act, z)
    assert g == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_closed_forms_from_the_lecture():
    assert value_and_grad(ReLU(), -2.0) == (0.0, 0.0)
    assert value_and_grad(ReLU(), 0.0) == (0.0, 0.0)  # relu'(0) = 0, PyTorch's choice
    assert value_and_grad(ReLU(), 3.0) == (3.0, 1.0)
    assert value_and_grad(LeakyReLU(), -2.0) == pytest.approx((-0.02, 0.01))
    assert value_and_grad(LeakyReLU(0.2), -2.0) == pytest.approx((-0.4, 0.2))
    assert value_and_grad(ELU(2.0), -1.0) == pytest.approx((2.0 * (math.exp(-1) - 1), 2.0 * math.exp(-1)))
    s = 1 / (1 + math.exp(-0.7))
    assert value_and_grad(Sigmoid(), 0.7) == pytest.approx((s, s * (1 - s)))
    assert value_and_grad(Sigmoid(), 0.0)[1] == 0.25  # σ' ≤ 1/4: the vanishing gradient (A1)
    z = Value(1.5)
    assert Identity()(z) is z


def test_elementwise_on_lists_and_numbers():
    out = Tanh()([0.5, Value(-1.0), 2])
    assert [v.data for v in out] == [math.tanh(0.5), math.tanh(-1.0), math.tanh(2.0)]
    assert ReLU()(-3).data == 0.0
    with pytest.raises(TypeError, match=r"\[1\]: got str"):
        ReLU()([1.0, "x"])
    with pytest.raises(TypeError, match="bool"):
        ReLU()([True])


def test_get_activation_accepts_modules_classes_and_callables():
    custom = get_activation(lambda z: z * z)
    assert isinstance(custom, Lambda) and custom(Value(3.0)).data == 9.0
    assert isinstance(get_activation(ELU), ELU)
    prelu = get_activation(PReLU, 4)
    assert isinstance(prelu, PReLU) and len(prelu.alpha) == 4
    leaky = LeakyReLU(0.1)
    assert get_activation(leaky) is leaky
    with pytest.raises(TypeError, match="returned float"):
        get_activation(lambda z: 1.0)(Value(2.0))


def test_bad_activation_arguments():
    with pytest.raises(ValueError, match="num_parameters"):
        PReLU(0)
    with pytest.raises(TypeError, match="init"):
        PReLU(1, init="0.25")
    with pytest.raises(ValueError, match="init"):
        PReLU(1, init=math.nan)
    with pytest.raises(TypeError, match="negative_slope"):
        LeakyReLU(None)
    with pytest.raises(ValueError, match="3 values"):
        PReLU(2)([1.0, 2.0, 3.0])


# -- PReLU: α is a parameter and gets ∂L/∂α = Σ_{z ≤ 0} z·upstream ------------------------------


def test_prelu_defaults_and_state_dict():
    per_neuron = Layer(3, 4, "prelu", seed=0)
    assert per_neuron.state_dict()["activation.alpha"] == [0.25] * 4
    assert all(a._role == "param" for a in per_neuron.activation.alpha)
    assert set(per_neuron.activation.alpha) <= set(per_neuron.parameters())
    shared = Layer(3, 4, PReLU(1, init=0.1), seed=0)
    assert shared.state_dict()["activation.alpha"] == [0.1]


zs_and_upstreams = st.lists(
    st.tuples(st.floats(-10, 10), st.floats(-5, 5)).map(lambda t: (round(t[0], 3), t[1])),
    min_size=1,
    max_size=6,
)


@given(pairs=zs_and_upstreams, alpha=st.floats(-1, 1))
def test_shared_prelu_alpha_gradient_is_the_sum_over_nonpositive_z(pairs, alpha):
    act = PReLU(1, init=alpha)
    zs = [Value(z) for z, _ in pairs]
    out = act(zs)
    for a, (z, c) in zip(out, pairs):
        assert a.data == (z if z > 0 else alpha * z)
        a.backward(c)  # upstream ∂L/∂a = c
    expected = math.fsum(z * c for z, c in pairs if z <= 0)
    assert act.alpha[0].grad == pytest.approx(expected, abs=1e-12)
    for zv, (z, c) in zip(zs, pairs):
        assert zv.grad == pytest.approx(c if z > 0 else alpha * c, abs=1e-15)


@given(pairs=zs_and_upstreams)
def test_per_neuron_prelu_alpha_gradients(pairs):
    act = PReLU(len(pairs), init=0.25)
    out = act([z for z, _ in pairs])
    for a, (_, c) in zip(out, pairs):
        a.backward(c)
    for alpha, (z, c) in zip(act.alpha, pairs):
        assert alpha.grad == (z * c if z <= 0 else 0.0)


def test_prelu_alpha_gradient_matches_torch_in_a_layer():
    torch = pytest.importorskip("torch")
    layer = Layer(2, 3, "prelu", seed=3)
    layer.load_state_dict(
        {
            "weight": [[1.0, 0.5], [-0.3, 0.9], [0.2, 0.2]],
            "bias": [0.1, -0.2, 0.0],
            "activation.alpha": [0.1, 0.3, 0.5],
        }
    )
    x = [0.7, -1.4]
    out = layer(x)
    assert [v.data > 0 for v in out] == [True, False, False]  # z = 0.1, −1.67, −0.14
    (out[0] * 2.0 + out[1] - out[2] * 0.5).backward()
    s = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in layer.state_dict().items()}
    z = torch.nn.functional.linear(torch.tensor([x], dtype=torch.float64), s["weight"], s["bias"])
    t = torch.nn.functional.prelu(z, s["activation.alpha"])[0]
    (t[0] * 2.0 + t[1] - t[2] * 0.5).backward()
    assert [a.grad for a in layer.activation.alpha] == pytest.approx(
        s["activation.alpha"].grad.tolist(), abs=1e-14
    )


# -- one table, one elementwise module per backend (issue 9) ------------------------------------


def test_named_classes_are_rows_of_the_one_table():
    for name, row in ACTIVATIONS.items():
        module = get_activation(name, 2)
        assert type(module).__name__ == row.cls and module.name == name
        assert row.section in ("A1", "A2") and row.init in ("he", "xavier") and row.derivative
        if name != "prelu":
            assert isinstance(module, Activation) and row.formula in (type(module).__doc__ or "")
    assert [n for n in NAMES if suited_init(get_activation(n, 1)) == "he"] == [
        "relu",
        "leaky_relu",
        "prelu",
        "elu",
    ]
    assert suited_init(Lambda(lambda z: z.tanh())) == "xavier"


@pytest.mark.parametrize("name", [n for n in NAMES if n != "prelu"])
def test_the_generic_module_equals_the_named_class(name):
    generic, named = Activation(name=name), get_activation(name)
    for z in (-2.0, -0.1, 0.0, 0.4, 3.0):
        assert value_and_grad(generic, z) == value_and_grad(named, z)


def test_constants_by_position_or_name_and_micrograds_nonlin_flag():
    assert LeakyReLU(negative_slope=0.2).negative_slope == LeakyReLU(0.2).negative_slope == 0.2
    assert ELU(alpha=2.0).alpha == 2.0 and repr(ELU(alpha=2.0)) == "ELU(alpha=2.0)"
    assert repr(Activation(name="tanh")) == "Activation(name='tanh')" and repr(ReLU()) == "ReLU()"
    assert type(get_activation(True)) is ReLU and type(get_activation(False)) is Identity
    with pytest.raises(TypeError, match="no constant"):
        ReLU(0.3)
    with pytest.raises(TypeError, match="alpha"):
        ELU(beta=1.0)
    with pytest.raises(ValueError, match="'sigmoid'"):
        Activation(name="prelu")  # PReLU learns α: it is its own module


def test_numpy_backend_uses_the_same_table():
    np = pytest.importorskip("numpy")
    from micrograd_tips.tensor import Tensor
    from micrograd_tips.tensor import activations as tact

    zs = [-3.0, -0.5, 0.0, 0.25, 2.0]
    for name in NAMES:
        t = Tensor(np.array(zs), requires_grad=True)
        module = tact.get_activation(name, len(zs))
        assert type(module).__name__ == ACTIVATIONS[name].cls
        out = module(t)
        out.backward(np.ones(len(zs)))
        scalar = get_activation(name, len(zs))
        vs = [Value(z) for z in zs]
        for a in scalar(vs):
            a.backward()
        np.testing.assert_allclose(out.data, [a.data for a in scalar(vs)], rtol=1e-15)
        np.testing.assert_allclose(t.grad, [v.grad for v in vs], rtol=1e-15)
