"""Reference replay: the engine equals float64 PyTorch and the NumPy backend on random graphs,
kinks included; a wrong step is located."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from micrograd_tips.engine import Value, define_unary
from micrograd_tips.testing.replay import ENGINE, Backend, assert_matches, compare, replay
from micrograd_tips.testing.strategies import STEP_NAMES, Expression, expressions

torch = pytest.importorskip("torch")
from micrograd_tips.testing.replay import torch_backend  # noqa: E402

TORCH = torch_backend()


def test_backends_implement_every_step() -> None:
    assert set(ENGINE.ops) == set(STEP_NAMES) == set(TORCH.ops)


@settings(max_examples=300)
@given(expressions(kinks="seek"))  # at kinks and ties: both sides follow PyTorch's conventions
def test_engine_equals_pytorch_on_random_graphs(expr: Expression) -> None:
    assert_matches(expr, TORCH)


def test_replay_returns_every_node() -> None:
    expr = Expression((Value(3.0), Value(-2.0)), Value(0.0), 0.0, (), math.inf, {})
    from micrograd_tips.testing.strategies import Step

    expr = Expression(
        (Value(3.0), Value(-2.0)), Value(0.0), 0.0, (Step("mul", (0, 1)), Step("relu", (2,))), math.inf, {}
    )
    r = replay(expr, TORCH)
    assert r.values == (3.0, -2.0, -6.0, 0.0) and r.grads == (0.0, 0.0, 0.0, 1.0)
    e = replay(expr, ENGINE)
    assert e.values == r.values and e.grads == r.grads


def test_a_wrong_step_is_located() -> None:
    from micrograd_tips.testing.strategies import Step

    def lossy_mul(a: list[Value], c: float) -> Value:  # x·x keeps only one term
        x, y = a
        out = Value(x.data * y.data, (x, y), "*")

        def _backward() -> None:
            x.grad += y.data * out.grad
            if y is not x:
                y.grad += x.data * out.grad

        out._backward = _backward
        return out

    buggy = ENGINE.with_ops({"mul": lossy_mul}, name="lossy")
    program = (Step("add_const", (0,), 1.0), Step("mul", (1, 1)), Step("tanh", (2,)))
    expr = Expression((Value(0.5),), Value(0.0), 0.0, program, math.inf, {})
    result = compare(expr, TORCH, buggy)
    assert not result.ok and result.value_diff is None and result.grad_diff == 1
    report = result.report()
    assert "n1 = add_const(n0; 1.0)" in report and "GRADIENT DIFFERS" in report
    assert "n2 = mul" in report.split("what to do")[1]


def test_user_ops_need_an_implementation_on_other_backends() -> None:
    softplus = define_unary(
        "test_replay_softplus",
        lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
        lambda x, y: -math.expm1(-y),
    )
    strategy = expressions(ops=["+"], unary_ops={"softplus": (softplus, lambda x: math.log1p(math.exp(x)))})
    from hypothesis import find

    expr = find(
        strategy, lambda e: any(s.op == "u:softplus" for s in e.program), settings=settings(database=None)
    )
    with pytest.raises(ValueError, match="softplus"):
        replay(expr, TORCH)
    assert_matches(expr, TORCH, unary_ops={"softplus": torch.nn.functional.softplus})


def test_replay_arguments() -> None:
    with pytest.raises(TypeError, match="Expression"):
        replay("n0 + n1", TORCH)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Backend"):
        replay(Expression((Value(1.0),), Value(1.0), 1.0, (), math.inf, {}), "torch")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step name"):
        ENGINE.with_ops({"matmul": lambda a, c: a[0]})
    partial = Backend(
        "partial", Value, {"add": ENGINE.ops["add"]}, ENGINE.value, ENGINE.backward, ENGINE.grad
    )
    from micrograd_tips.testing.strategies import Step

    expr = Expression((Value(1.0),), Value(1.0), 1.0, (Step("tanh", (0,)),), math.inf, {})
    with pytest.raises(ValueError, match="tanh"):
        replay(expr, partial)
