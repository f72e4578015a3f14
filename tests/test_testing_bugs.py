"""Injected bugs are found by the shipped helpers within a bounded number of examples, and
correct ops give no false failure over many examples.

Each hunt is deterministic (derandomized Hypothesis): the number of the first failing example and
the shrunk counterexample are recorded in `FOUND` and printed with ``pytest -s``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from micrograd_tips.engine import Value, define_unary
from micrograd_tips.testing import check_kink_conventions, gradcheck
from micrograd_tips.testing.replay import ENGINE, Backend, compare
from micrograd_tips.testing.strategies import Expression, expressions, floats

FOUND: dict[str, tuple[int | None, Any]] = {}


def hunt(
    name: str, strategy: st.SearchStrategy[Any], prop: Callable[[Any], None], max_examples: int
) -> int | None:
    """Run `prop` on up to max_examples examples; record (first failing example, shrunk example)."""
    state: dict[str, Any] = {"n": 0, "first": None, "shrunk": None}

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(example: Any) -> None:
        state["n"] += 1
        try:
            prop(example)
        except AssertionError:
            if state["first"] is None:
                state["first"] = state["n"]
            state["shrunk"] = example  # the last failing run is the shrunk example
            raise

    try:
        run()
    except AssertionError:
        pass
    FOUND[name] = (state["first"], state["shrunk"])
    print(f"\n{name}: first failing example #{state['first']}; shrunk: {state['shrunk']!r}")
    return state["first"]


# -- the injected bugs ------------------------------------------------------------------------


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


bad_tanh = define_unary("test_bugs_tanh_off", math.tanh, lambda x, y: 1.0001 * (1.0 - y * y))
bad_relu = define_unary("test_bugs_relu_at_0", _relu, lambda x, y: 1.0 if x >= 0.0 else 0.0, kinks=[0.0])


def max_last(xs: list[Value]) -> Value:
    """max whose tie goes to the highest index."""
    k = max(range(len(xs)), key=lambda i: (xs[i].data, i))
    out = Value(xs[k].data, tuple(xs), "max")

    def _backward() -> None:
        xs[k].grad += out.grad

    out._backward = _backward
    return out


def lossy_mul(x: Value, y: Value) -> Value:
    """x·y whose backward loses a term when x is y (x·x gets x, not 2x)."""
    out = Value(x.data * y.data, (x, y), "*")

    def _backward() -> None:
        x.grad += y.data * out.grad
        if y is not x:
            y.grad += x.data * out.grad

    out._backward = _backward
    return out


def _ieee_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


wrong_exp = define_unary("test_bugs_wrong_exp", _ieee_exp, lambda x, y: -12345.0)

BUGGY: dict[str, Backend] = {
    "relu": ENGINE.with_ops({"relu": lambda a, c: bad_relu(a[0])}, name="relu′(0)=1"),
    "max": ENGINE.with_ops({"max": lambda a, c: max_last(list(a))}, name="max tie → last"),
    "mul": ENGINE.with_ops({"mul": lambda a, c: lossy_mul(a[0], a[1])}, name="lossy x·x"),
}


@pytest.fixture(scope="module")
def torch_ref() -> Backend:
    pytest.importorskip("torch")
    from micrograd_tips.testing.replay import torch_backend

    return torch_backend()


def test_tanh_derivative_off_by_1e_4_is_found_by_gradcheck() -> None:
    first = hunt("tanh′×1.0001 / gradcheck on floats()", floats(), lambda x: gradcheck(bad_tanh, [x]), 100)
    assert first is not None and first <= 10
    graphs = expressions(ops=["+", "*", "neg"], unary_ops={"tanh": (bad_tanh, math.tanh)})
    first = hunt(
        "tanh′×1.0001 / gradcheck on expressions()", graphs, lambda e: gradcheck(e.rebuild, e.leaf_data), 200
    )
    assert first is not None and first <= 20


def test_relu_derivative_at_zero_is_found(torch_ref: Backend) -> None:
    assert not check_kink_conventions(ops={"relu": bad_relu}, raise_exception=False).ok  # one call
    first = hunt(
        "relu′(0)=1 / replay vs torch",
        expressions(kinks="seek"),
        lambda e: _assert_ok(compare(e, torch_ref, BUGGY["relu"])),
        300,
    )
    assert first is not None and first <= 200  # 20 seeds: median 34, max 138


def test_max_tie_to_the_highest_index_is_found(torch_ref: Backend) -> None:
    assert not check_kink_conventions(ops={"max_of": max_last}, raise_exception=False).ok  # one call
    first = hunt(
        "max tie → highest index / replay vs torch",
        expressions(kinks="seek", ops=["max_of", "+", "*", "relu"]),
        lambda e: _assert_ok(compare(e, torch_ref, BUGGY["max"])),
        300,
    )
    assert first is not None and first <= 100  # 20 seeds: median 8, max 48


def test_x_times_x_losing_a_term_is_found(torch_ref: Backend) -> None:
    assert (
        hunt(
            "lossy x·x / gradcheck on floats()",
            floats(),
            lambda x: gradcheck(lambda a: lossy_mul(a, a), [x]),
            50,
        )
        <= 5
    )
    first = hunt(
        "lossy x·x / replay vs torch",
        expressions(),
        lambda e: _assert_ok(compare(e, torch_ref, BUGGY["mul"])),
        300,
    )
    assert first is not None and first <= 50


def test_an_infinite_numeric_derivative_is_a_failure() -> None:
    x = 709.782712893384  # the point: e^x finite, e^(x + step) = inf
    result = gradcheck(wrong_exp, [x], raise_exception=False)
    assert not result.ok and result.status == ("numeric not finite",)
    first = hunt(
        "infinite numeric derivative / gradcheck on the overflow window",
        floats(709.7820, 709.78271289338397),
        lambda x: gradcheck(wrong_exp, [x]),
        50,
    )
    assert first == 1


def _assert_ok(result: Any) -> None:
    assert result.ok, result.report()


# -- no false failures --------------------------------------------------------------------------

relu6 = define_unary(
    "test_bugs_relu6",
    lambda x: min(max(x, 0.0), 6.0),
    lambda x, y: 1.0 if 0.0 < x < 6.0 else 0.0,
    kinks=[0.0, 6.0],
)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


softplus = define_unary("test_bugs_softplus", _softplus, lambda x, y: _sigmoid(x))
USER_OPS = {"relu6": (relu6, lambda x: min(max(x, 0.0), 6.0)), "softplus": (softplus, _softplus)}


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, database=None)
@given(expressions(max_ops=12, unary_ops=USER_OPS))
def test_no_false_failure_of_gradcheck_on_correct_random_graphs(expr: Expression) -> None:
    gradcheck(expr.rebuild, expr.leaf_data)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, database=None)
@given(floats(avoid=[0.0, 600.0], margin=0.1), floats(-700, 700))
def test_no_false_failure_of_gradcheck_on_correct_user_ops(x: float, y: float) -> None:
    gradcheck(softplus, [x])
    gradcheck(lambda a: (a * 0.01).tanh() + relu6(a * 0.01), [x])
    gradcheck(lambda a: a.exp(), [y])


@pytest.mark.slow
@settings(max_examples=500, deadline=None, database=None)
@given(expr=expressions(max_ops=12, kinks="seek"))
def test_no_false_failure_of_the_replay_with_kinks(torch_ref: Backend, expr: Expression) -> None:
    _assert_ok(compare(expr, torch_ref))
