"""micrograd's code runs on our engine after an import swap: its constructor, the lecture's manual
backprop node by node, ops written micrograd's way (a `_backward` closure, also in a subclass),
its printing, and interrupts that leave a graph reusable. Oracles: micrograd 0.1.0 itself where
installed, closed forms and central differences otherwise."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips import engine
from micrograd_tips.engine import Value

finite = st.floats(-3.0, 3.0, allow_nan=False)


def lecture_neuron(V: type, x1: float, x2: float, w1: float, w2: float, b: float) -> dict[str, Any]:
    """The lecture's neuron o = tanh(x1·w1 + x2·w2 + b), tanh written with exp as in the lecture."""
    nodes: dict[str, Any] = {"x1": V(x1), "x2": V(x2), "w1": V(w1), "w2": V(w2), "b": V(b)}
    nodes["x1w1"] = nodes["x1"] * nodes["w1"]
    nodes["x2w2"] = nodes["x2"] * nodes["w2"]
    nodes["n"] = nodes["x1w1"] + nodes["x2w2"] + nodes["b"]
    nodes["e"] = (2 * nodes["n"]).exp()
    nodes["o"] = (nodes["e"] - 1) / (nodes["e"] + 1)
    return nodes


def lecture_topo(root: Value) -> list[Value]:
    """The lecture's recursive topological sort (our own wording of it): inputs before outputs."""
    topo: list[Value] = []
    visited: set[Value] = set()

    def build(v: Value) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(root)
    return topo


@given(finite, finite, finite, finite, finite)
@settings(max_examples=40, deadline=None)
def test_manual_backprop_node_by_node_equals_backward(x1, x2, w1, w2, b) -> None:
    auto = lecture_neuron(Value, x1, x2, w1, w2, b)
    auto["o"].backward()
    manual = lecture_neuron(Value, x1, x2, w1, w2, b)
    manual["o"].grad = 1.0
    for node in reversed(lecture_topo(manual["o"])):
        node._backward()
    for name in ("x1", "x2", "w1", "w2", "b", "n"):
        assert manual[name].grad == auto[name].grad, name
    # the closed form: ∂o/∂w1 = (1 − o²)·x1
    o = math.tanh(x1 * w1 + x2 * w2 + b)
    assert manual["w1"].grad == pytest.approx((1 - o * o) * x1, rel=1e-9, abs=1e-9)


def micrograd_package_expression(V: type, x1: float, w1: float, b: float) -> dict[str, Any]:
    """An expression using only the ops micrograd 0.1.0 has (+ − · / **number, relu, neg)."""
    x1_, w1_, b_ = V(x1), V(w1), V(b)
    n = x1_ * w1_ + b_
    o = (n.relu() * 3 + n**2 - 1) / (n**2 + 10) - (-n) ** 3
    return {"x1": x1_, "w1": w1_, "b": b_, "n": n, "o": o}


def test_numbers_match_micrograd_itself() -> None:
    mg = pytest.importorskip("micrograd.engine")
    for point in ((2.0, -3.0, 6.8813735870195432), (0.1, 0.2, 0.3), (-1.5, 0.5, 0.25)):
        ours = micrograd_package_expression(Value, *point)
        theirs = micrograd_package_expression(mg.Value, *point)
        ours["o"].backward()
        theirs["o"].backward()
        for name in ("o", "n", "x1", "w1", "b"):
            assert ours[name].data == theirs[name].data
            assert ours[name].grad == pytest.approx(theirs[name].grad, rel=1e-14, abs=1e-14), name
            data_part = repr(ours[name]).split(", grad")[0]
            assert data_part == repr(theirs[name]).split(", grad")[0]  # full precision, same format


def test_constructor_is_micrograds() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    positional = Value(a.data + b.data, (a, b), "+")
    keyword = Value(a.data * b.data, _children=(a, b), _op="*", label="ab")
    assert positional._prev == (a, b) and positional._op == "+" and keyword.label == "ab"
    (positional * keyword).backward()  # the table knows '+' and '*' whoever built the node
    # d/da [(a + b)·(a·b)] = a·b + (a + b)·b = −6 + 3 = −3;  d/db = a·b + (a + b)·a = −6 − 2 = −8
    assert (a.grad, b.grad) == (-3.0, -8.0)
    from_set = Value(1.0, {a}, "neg")  # micrograd's lecture stores _children as a set
    assert from_set._prev == (a,)
    assert a._op == "" and (a * 2)._prev[1]._op == ""  # leaves have no op, constants included
    assert repr(Value(0.1)) == "Value(data=0.1, grad=0.0)"


def test_constructor_rejects_children_that_are_not_values() -> None:
    with pytest.raises(TypeError, match=r"Value\(_children\).*str"):
        Value(1.0, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Value\(_children\).*float"):
        Value(1.0, [2.0])  # type: ignore[list-item]
    built_by_hand = Value(3.0, (Value(1.0), 2.0), "+")  # type: ignore[arg-type]  # a tuple: checked lazily
    with pytest.raises(TypeError, match=r"_children.*float 2\.0.*a Value"):
        built_by_hand.backward()


def micrograd_style_cube(self: Value) -> Value:
    """An op written the micrograd way: the node gets a `_backward` closure."""
    out = Value(self.data**3, (self,), "cube")

    def _backward() -> None:
        self.grad += 3 * self.data**2 * out.grad

    out._backward = _backward
    return out


@given(finite)
@settings(max_examples=30, deadline=None)
def test_an_op_with_a_backward_closure_backprops_inside_backward(x: float) -> None:
    v = Value(x)
    y = micrograd_style_cube(v * 2) + v  # y = 8x³ + x
    y.backward()
    h = 1e-6
    numeric = ((8 * (x + h) ** 3 + x + h) - (8 * (x - h) ** 3 + x - h)) / (2 * h)
    assert v.grad == pytest.approx(numeric, rel=1e-6, abs=1e-6)
    assert v.grad == pytest.approx(24 * x * x + 1, rel=1e-12, abs=1e-12)


class ValueExt(Value):
    """A subclass written micrograd's way: builds its nodes with the constructor and closures."""

    def sin(self) -> ValueExt:
        out = ValueExt(math.sin(self.data), (self,), "sin")

        def _backward() -> None:
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    def __add__(self, other: Any) -> ValueExt:
        other = other if isinstance(other, Value) else ValueExt(other)
        return ValueExt(self.data + other.data, (self, other), "+")  # no closure: the table's '+'


@given(finite)
@settings(max_examples=30, deadline=None)
def test_a_subclass_of_value_backprops(x: float) -> None:
    v = ValueExt(x)
    y = (v.sin() + v).sin()  # y = sin(sin x + x)
    assert isinstance(y, ValueExt)
    y.backward()
    assert v.grad == pytest.approx(math.cos(math.sin(x) + x) * (math.cos(x) + 1), rel=1e-12, abs=1e-12)


def test_an_op_with_no_derivative_is_a_clear_error() -> None:
    a = Value(2.0)
    y = Value(4.0, (a,), "square")  # built by hand, with neither a closure nor define_unary
    with pytest.raises(NotImplementedError, match=r"'square'.*_backward.*define_unary"):
        y.backward()
    assert a.grad == 0.0  # the earlier value of the leaf survives the failed pass
    with pytest.raises(TypeError, match="_backward"):
        y._backward = 3.0  # type: ignore[assignment]


# -- interrupts ---------------------------------------------------------------------------------


def small_graph() -> tuple[Value, list[Value]]:
    x, w, b = Value(0.7, label="x"), Value(-1.3, label="w"), Value(0.2, label="b")
    h = (x * w + b).tanh()
    y = engine.max_of([h * h, h.relu(), engine.dot([w, x], [h, h], b)]) + h.sigmoid() * x
    return y, [x, w, b]


def interrupt_at_line_events(targets: set[int]) -> Callable[[FrameType, str, Any], Any]:
    """A trace function raising KeyboardInterrupt at the given line events of engine code."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != engine.__file__:
            return None
        if event == "line":
            count += 1
            if count in targets:
                raise KeyboardInterrupt
        return trace

    return trace


def line_events_of_one_backward() -> int:
    y, _ = small_graph()
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename != engine.__file__:
            return None
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        y.backward()
    finally:
        sys.settrace(None)
    return count


def test_two_interrupts_at_every_point_of_a_backward_leave_the_graph_exact() -> None:
    expected_y, expected_leaves = small_graph()
    expected_y.backward()
    expected = [v.grad for v in expected_leaves]
    n = line_events_of_one_backward()
    assert n > 50
    tried = interrupted = 0
    for first in range(1, n + 1, 3):
        for second in (first + 1, first + 7):
            y, leaves = small_graph()
            sys.settrace(interrupt_at_line_events({first, second}))
            try:
                y.backward()
            except KeyboardInterrupt:
                interrupted += 1
            finally:
                sys.settrace(None)
            y.zero_grad()
            y.backward()
            assert [v.grad for v in leaves] == expected, (first, second)
            tried += 1
    assert tried > 30 and interrupted == tried
