"""The scalar engine against independent oracles: `math` formulas, central differences on those
formulas (not on the engine), closed forms, and IEEE-754 facts. No torch needed here."""

from __future__ import annotations

import gc
import math
import sys
import weakref
from collections.abc import Callable, Sequence

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_tips import engine
from micrograd_tips.engine import (
    Value,
    argmax,
    define_unary,
    detect_anomaly,
    dot,
    is_anomaly_enabled,
    max_of,
    sum_of,
)
from micrograd_tips.testing import gradcheck
from micrograd_tips.testing.strategies import expressions, floats

# ---------------------------------------------------------------------------------------------
# Oracle: central differences of the plain-float formula (the engine is not used for them).
# ---------------------------------------------------------------------------------------------


def central_difference(f: Callable[..., float], xs: Sequence[float], i: int) -> float:
    """(f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h) in float64, h relative to |xᵢ|."""
    h = 1e-6 * max(1.0, abs(xs[i]))
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (up[i] - down[i])


def check_against_formula(
    build: Callable[..., Value],
    formula: Callable[..., float],
    xs: Sequence[float],
    constants: tuple[int, ...] = (),
    rtol: float = 2e-6,
    fwd_abs: float = 1e-300,
) -> None:
    """Forward equals the formula; the gradient of every non-constant input equals its central
    difference. `constants`: inputs that `build` turns into plain numbers (no gradient)."""
    leaves = [Value(x) for x in xs]
    out = build(*leaves)
    expected = formula(*xs)
    assert out.data == pytest.approx(expected, rel=1e-12, abs=fwd_abs)
    out.backward()
    for i, leaf in enumerate(leaves):
        if i in constants:
            assert leaf.grad == 0.0  # it never entered the graph
            continue
        numeric = central_difference(formula, xs, i)
        scale = max(1.0, abs(expected), *(abs(x) for x in xs))
        assert leaf.grad == pytest.approx(numeric, rel=rtol, abs=1e-8 * scale), f"input #{i}"


def sigmoid_formula(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))  # the textbook form; fine for |x| ≤ 30 (no overflow)


away_from_zero = floats(-50, 50).filter(lambda x: abs(x) > 1e-3)
moderate = floats(-20, 20)
positive = floats(1e-2, 1e3)
nonzero = floats(-1e2, 1e2).filter(lambda x: abs(x) > 1e-2)
slope = floats(0.0, 3.0)

# name: (strategy of the inputs, engine expression, float formula[, indices of constant inputs])
OPS: dict[str, tuple] = {
    "add": (st.tuples(moderate, moderate), lambda a, b: a + b, lambda a, b: a + b),
    "sub": (st.tuples(moderate, moderate), lambda a, b: a - b, lambda a, b: a - b),
    "mul": (st.tuples(moderate, moderate), lambda a, b: a * b, lambda a, b: a * b),
    "div": (st.tuples(moderate, nonzero), lambda a, b: a / b, lambda a, b: a / b),
    "pow_const": (
        st.tuples(positive, floats(-3, 3)),
        lambda a, c: a**c.data,  # c stays a constant: only d/da is compared
        lambda a, c: a**c,
        (1,),
    ),
    "pow_int_negative_base": (
        st.tuples(floats(-10, -1e-2), st.sampled_from([-2.0, -1.0, 2.0, 3.0])),
        lambda a, c: a**c.data,
        lambda a, c: a**c,
        (1,),
    ),
    "pow_value_value": (st.tuples(floats(0.05, 20), floats(-3, 3)), lambda a, b: a**b, math.pow),
    "radd": (st.tuples(moderate, moderate), lambda c, b: c.data + b, lambda c, b: c + b, (0,)),
    "rsub": (st.tuples(moderate, moderate), lambda c, b: c.data - b, lambda c, b: c - b, (0,)),
    "rmul": (st.tuples(moderate, moderate), lambda c, b: c.data * b, lambda c, b: c * b, (0,)),
    "rdiv": (st.tuples(moderate, nonzero), lambda c, b: c.data / b, lambda c, b: c / b, (0,)),
    "rpow": (st.tuples(floats(0.1, 5), floats(-5, 5)), lambda c, b: c.data**b, math.pow, (0,)),
    "neg": (st.tuples(moderate), lambda a: -a, lambda a: -a),
    "exp": (st.tuples(floats(-50, 50)), lambda a: a.exp(), math.exp),
    "log": (st.tuples(positive), lambda a: a.log(), math.log),
    "tanh": (st.tuples(moderate), lambda a: a.tanh(), math.tanh),
    "sigmoid": (st.tuples(floats(-30, 30)), lambda a: a.sigmoid(), sigmoid_formula),
    "relu": (st.tuples(away_from_zero), lambda a: a.relu(), lambda a: max(a, 0.0)),
    "leaky_relu": (
        st.tuples(away_from_zero, slope),
        lambda a, s: a.leaky_relu(s.data),
        lambda a, s: a if a > 0 else s * a,
        (1,),
    ),
    "elu": (
        st.tuples(away_from_zero, slope),
        lambda a, al: a.elu(al),  # alpha as a Value: it must get ∂y/∂α = eᶻ − 1 too
        lambda a, al: a if a > 0 else al * (math.exp(a) - 1.0),
    ),
    "prelu": (
        st.tuples(away_from_zero, floats(-2, 2)),
        lambda a, al: a.prelu(al),
        lambda a, al: a if a > 0 else al * a,
    ),
    "sum_of": (
        st.lists(moderate, min_size=1, max_size=6),
        lambda *xs: sum_of(xs),
        lambda *xs: math.fsum(xs),
    ),
    "dot": (
        st.integers(1, 4).flatmap(lambda n: st.lists(moderate, min_size=2 * n, max_size=2 * n)),
        lambda *v: dot(v[: len(v) // 2], v[len(v) // 2 :]),
        lambda *v: math.fsum(w * x for w, x in zip(v[: len(v) // 2], v[len(v) // 2 :])),
    ),
    "dot_bias": (
        st.integers(1, 4).flatmap(lambda n: st.lists(moderate, min_size=2 * n + 1, max_size=2 * n + 1)),
        lambda *v: dot(v[: len(v) // 2], v[len(v) // 2 : -1], v[-1]),
        lambda *v: math.fsum([*(w * x for w, x in zip(v[: len(v) // 2], v[len(v) // 2 : -1])), v[-1]]),
    ),
    "max_of": (
        st.lists(moderate, min_size=1, max_size=6, unique=True).filter(
            lambda xs: len(xs) == 1 or sorted(xs)[-1] - sorted(xs)[-2] > 1e-3  # no near-ties
        ),
        lambda *xs: max_of(xs),
        lambda *xs: max(xs),
    ),
}


# Sums round each partial sum (fsum does not): their error is relative to Σ|terms|, not to the result.
SUM_TERMS = {
    "sum_of": lambda xs: sum(map(abs, xs)),
    "dot": lambda v: sum(abs(w * x) for w, x in zip(v[: len(v) // 2], v[len(v) // 2 :])),
    "dot_bias": lambda v: abs(v[-1]) + sum(abs(w * x) for w, x in zip(v[: len(v) // 2], v[len(v) // 2 : -1])),
}


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_every_op_matches_formula_and_central_difference(name: str, data: st.DataObject) -> None:
    strategy, build, formula, *constants = OPS[name]
    xs = data.draw(strategy)
    fwd_abs = SUM_TERMS[name](xs) * 1e-15 if name in SUM_TERMS else 1e-300
    check_against_formula(build, formula, xs, *constants, fwd_abs=fwd_abs)


def test_every_engine_op_is_covered() -> None:
    covered = {"+", "-", "*", "/", "**", "neg", "prelu", "leaky_relu", "elu", "sum", "dot", "max"}
    covered |= {"exp", "log", "tanh", "sigmoid", "relu"}
    assert covered >= set(engine._BUILTIN_OPS)


# -- closed forms, including the reflected and Value ** Value forms ----------------------------


@given(floats(-5, 5))
def test_reflected_forms_closed_form(x: float) -> None:
    assume(abs(x) > 1e-3)
    v = Value(x)
    (2 - v).backward()
    assert v.grad == -1.0
    v = Value(x)
    out = 2 / v
    out.backward()
    assert out.data == 2 / x
    assert v.grad == pytest.approx(-2 / x**2, rel=1e-14)
    v = Value(x)
    out = 2**v
    out.backward()
    assert out.data == pytest.approx(2.0**x, rel=1e-15)
    assert v.grad == pytest.approx(2.0**x * math.log(2.0), rel=1e-14)


@given(floats(0.1, 10), floats(-3, 3))
def test_value_pow_value_closed_form(a: float, b: float) -> None:
    base, exponent = Value(a), Value(b)
    out = base**exponent
    out.backward()
    assert base.grad == pytest.approx(b * a ** (b - 1), rel=1e-13)
    assert exponent.grad == pytest.approx(a**b * math.log(a), rel=1e-13, abs=1e-300)


@given(away_from_zero, floats(-2, 2))
def test_prelu_alpha_gets_its_gradient(z: float, alpha: float) -> None:
    zv, av = Value(z), Value(alpha)
    zv.prelu(av).backward()
    assert av.grad == (0.0 if z > 0 else z)
    assert zv.grad == (1.0 if z > 0 else alpha)


def test_activations_at_zero_follow_pytorch_convention() -> None:
    # At the kink z = 0 PyTorch uses the z ≤ 0 branch: relu' = 0, leaky' = slope, elu' = α, prelu' = α.
    for build, expected in [
        (lambda z: z.relu(), 0.0),
        (lambda z: z.leaky_relu(0.2), 0.2),
        (lambda z: z.elu(1.5), 1.5),
        (lambda z: z.prelu(0.3), 0.3),
    ]:
        z = Value(0.0)
        build(z).backward()
        assert z.grad == expected


def test_sum_of_and_dot_with_reused_inputs() -> None:
    x, y = Value(3.0), Value(-2.0)
    s = sum_of([x, x, y, 4])
    assert s.data == 8.0
    s.backward()
    assert (x.grad, y.grad) == (2.0, 1.0)
    x, b = Value(3.0), Value(0.5)
    z = dot([x, 2.0], [x, x], b)  # x·x + 2·x + b
    assert z.data == 9.0 + 6.0 + 0.5
    z.backward()
    assert (x.grad, b.grad) == (2 * 3.0 + 2.0, 1.0)
    assert sum_of([]).data == 0.0


def test_max_of_tie_lowest_index_gets_whole_gradient() -> None:
    a, b, c = Value(1.0), Value(3.0), Value(3.0)
    m = max_of([a, b, c])
    m.backward(5.0)
    assert (m.data, a.grad, b.grad, c.grad) == (3.0, 0.0, 5.0, 0.0)
    x = Value(2.0)
    max_of([x, x]).backward()
    assert x.grad == 1.0  # one winner, counted once
    assert argmax([Value(0.0), Value(1.0), Value(1.0)]) == 1


@given(st.lists(st.integers(-3, 3), min_size=1, max_size=8))
def test_max_of_tie_rule_property(ints: list[int]) -> None:
    xs = [Value(float(i)) for i in ints]
    max_of(xs).backward()
    winner = ints.index(max(ints))  # first index of the maximum
    assert [x.grad for x in xs] == [1.0 if i == winner else 0.0 for i in range(len(xs))]


def test_max_of_reproduces_relu_with_zero_piece_first() -> None:
    # Maxout's ReLU special case (lecture A3): max(0, z) with the 0 piece listed first.
    for z in (-1.5, 0.0, 2.5):
        zv = Value(z)
        out = max_of([Value(0.0), zv])
        out.backward()
        assert out.data == max(0.0, z)
        assert zv.grad == (1.0 if z > 0 else 0.0)


# -- random expression graphs vs central differences on the engine's forward ------------------


@settings(max_examples=150)
@given(expressions())
def test_random_graphs_forward_reference_and_gradcheck(expr) -> None:
    assert expr.root.data == pytest.approx(expr.reference, rel=1e-12, abs=1e-12)
    assume(expr.kink_margin > 1e-3)
    gradcheck(expr.rebuild, expr.leaf_data, atol=1e-5, rtol=1e-4)


# -- algebraic laws ------------------------------------------------------------------------------


@given(moderate, moderate)
def test_commutativity_is_exact(a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    assert (x + y).data == (y + x).data
    assert (x * y).data == (y * x).data


@given(moderate, moderate, moderate)
def test_associativity_and_distributivity_of_forward(a: float, b: float, c: float) -> None:
    x, y, z = Value(a), Value(b), Value(c)
    scale = abs(a) + abs(b) + abs(c)
    assert ((x + y) + z).data == pytest.approx((x + (y + z)).data, abs=4e-16 * scale + 1e-300)
    assert ((x * y) * z).data == pytest.approx((x * (y * z)).data, rel=4e-16)
    assert (x * (y + z)).data == pytest.approx((x * y + x * z).data, abs=4e-16 * abs(a) * scale + 1e-300)


@given(floats(-1e6, 1e6))
def test_self_cancellation_and_identities(a: float) -> None:
    x = Value(a)
    d = x - x
    d.backward()
    assert d.data == 0.0 and x.grad == 0.0
    x = Value(a)
    minus_x = -x
    assert (-minus_x).data == a and (x + 0).data == a and (x * 1).data == a and (x**1).data == a
    assume(a != 0.0)
    x = Value(a)
    q = x / x
    q.backward()
    assert q.data == 1.0
    assert x.grad == pytest.approx(0.0, abs=1e-15 / abs(a))


@given(moderate)
def test_function_identities(a: float) -> None:
    x = Value(a)
    assert x.exp().log().data == pytest.approx(a, abs=1e-14 * max(1, abs(a)))
    assert (x.sigmoid() + (-x).sigmoid()).data == pytest.approx(1.0, abs=1e-15)
    assert x.tanh().data == pytest.approx((2 * (2 * x).sigmoid() - 1).data, abs=1e-15)
    assert (x.relu() - (-x).relu()).data == a
    assert x.leaky_relu(1.0).data == a and x.prelu(1.0).data == a


# -- accumulation and reuse -------------------------------------------------------------------------


def _all_nodes(root: Value) -> list[Value]:
    seen, order, stack = {root}, [root], [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                order.append(child)
                stack.append(child)
    return order


@given(expressions())
def test_backward_twice_doubles_leaf_gradients_and_repeats_intermediate_ones(expr) -> None:
    # PyTorch's semantics: leaves accumulate over passes; an intermediate gradient is this pass's.
    nodes = _all_nodes(expr.root)
    expr.root.backward()
    first = [n.grad for n in nodes]
    expr.root.backward()
    expected = [g if n._prev else 2 * g for n, g in zip(nodes, first)]
    assert [n.grad for n in nodes] == expected


def test_backward_twice_through_a_chain_closed_form() -> None:
    # z = 4·(3x): dz/dx = 12, so two passes give 24 (an old grad must not be multiplied in).
    x = Value(3.0)
    z = (x * 3) * 4
    z.backward()
    z.backward()
    assert x.grad == 24.0


def test_two_roots_sharing_a_node_accumulate() -> None:
    x = Value(1.5)
    h = x * 2
    (h * 3).backward()
    (h * 5).backward()
    assert (x.grad, h.grad) == (16.0, 5.0)  # the leaf accumulates; h holds this pass's ∂/∂h


@given(moderate)
def test_reused_nodes_sum_their_contributions(a: float) -> None:
    x = Value(a)
    (x * x).backward()
    assert x.grad == 2 * a
    x = Value(a)
    (x + x + x).backward()
    assert x.grad == 3.0
    x = Value(a)
    y = x * x
    (y * y + y).backward()  # x⁴ + x² → 4x³ + 2x
    assert x.grad == pytest.approx(4 * a**3 + 2 * a, rel=1e-13, abs=1e-13)


def test_zero_grad_resets_the_graph() -> None:
    x = Value(2.0)
    y = x * x + x
    y.backward()
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0
    y.backward()
    assert x.grad == 5.0


def test_backward_seed_is_validated() -> None:
    x = Value(2.0)
    with pytest.raises(TypeError, match="str"):
        (x * 2).backward("1")
    assert x.grad == 0.0


# -- big graphs and memory ------------------------------------------------------------------------


def test_chain_of_a_million_nodes_runs_backward() -> None:
    n = 1_000_000
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + x  # y = (k + 1)·x, every node one deeper than the last
    assert y.data == (n + 1) * 0.5
    assert sys.getrecursionlimit() < n
    y.backward()
    assert x.grad == float(n + 1)
    del y  # freeing a million-deep chain must not overflow the C stack either


def test_graph_is_freed_by_refcounting_when_root_dropped() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = Value(1.0)
        hidden = (x * 2).tanh()
        root = max_of([hidden, x.exp()]) + dot([hidden], [x], 1.0)
        root.backward()
        refs = [weakref.ref(n) for n in _all_nodes(root) if n is not x]
        assert len(refs) > 5
        del hidden, root
        assert [r() for r in refs] == [None] * len(refs)
        assert x.grad != 0.0  # the leaf we hold survives with its gradient
    finally:
        if was_enabled:
            gc.enable()


def test_no_reference_cycles() -> None:
    gc.collect()
    flags = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)  # everything the collector finds unreachable lands in gc.garbage
    try:
        x = Value(0.3)
        w = Value.parameter(-1.2, "w")
        y = (x * w).sigmoid().log() + (x**2).elu() + max_of([x, w]).relu() + sum_of([x, w]) / 2
        y.backward()
        del x, w, y
        gc.collect()
        ours = [o for o in gc.garbage if isinstance(o, Value)]
        assert ours == []
    finally:
        gc.set_debug(flags)
        gc.garbage.clear()


# -- IEEE-754 behaviour -------------------------------------------------------------------------------


def test_ieee_results_like_pytorch() -> None:
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    for x in (1000.0, -1000.0):
        v = Value(x)
        v.sigmoid().backward()
        assert v.grad == 0.0  # finite: σ(1 − σ) = 0, not nan
    assert Value(355.0).tanh().data == 1.0
    assert Value(1000.0).exp().data == math.inf
    assert Value(0.0).log().data == -math.inf
    assert math.isnan(Value(-1.0).log().data)
    assert (1 / Value(0.0)).data == math.inf
    assert (-1 / Value(0.0)).data == -math.inf
    assert math.isnan((Value(0.0) / 0).data)
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)
    assert (Value(0.0) ** -1).data == math.inf
    assert (Value(-0.0) ** -1).data == -math.inf
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf
    assert math.isnan(Value(math.nan).relu().data)  # nan propagates, as torch.relu


def test_pow_gradient_edge_cases() -> None:
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0  # d/dx x⁰ = 0, also at 0 (PyTorch)
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf
    base, exponent = Value(0.0), Value(2.0)
    (base**exponent).backward()
    assert exponent.grad == 0.0  # the limit of y·ln a at a = 0


# -- anomaly mode ---------------------------------------------------------------------------------------


def test_anomaly_mode_forward_names_op_and_inputs() -> None:
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
        with pytest.raises(FloatingPointError, match=r"'log'.*-inf.*0\.0"):
            Value(0.0, label="z").log()
        with pytest.raises(FloatingPointError, match=r"'/'"):
            Value(1.0) / 0
    assert not is_anomaly_enabled()
    assert Value(0.0).log().data == -math.inf  # off again: plain IEEE


def test_anomaly_mode_backward_names_op() -> None:
    x = Value(0.0, label="x")
    y = x**0.5  # forward 0.0 is fine, d/dx = 0.5 / sqrt(0) = inf
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"backward.*'\*\*'.*inf"):
        y.backward()


def test_anomaly_mode_restores_state_after_error_and_nesting() -> None:
    with pytest.raises(RuntimeError), detect_anomaly():
        with detect_anomaly():
            pass
        assert is_anomaly_enabled()
        raise RuntimeError
    assert not is_anomaly_enabled()


def test_anomaly_in_backward_keeps_earlier_gradients() -> None:
    x = Value(0.0)
    x.grad = 7.0
    with detect_anomaly(), pytest.raises(FloatingPointError):
        (x**0.5).backward()
    assert x.grad != 0.0  # the 7.0 is not lost (it is 7 + inf here)


def test_a_backward_interrupted_by_anomaly_leaves_the_graph_reusable() -> None:
    # An aborted pass must leave nothing on the nodes that changes the next pass.
    x, w = Value(0.0, label="x"), Value(3.0, label="w")
    h = x**0.5  # its backward gives inf: anomaly mode raises in the middle of the pass
    y = h * w + w * w
    with detect_anomaly(), pytest.raises(FloatingPointError):
        y.backward()
    x.grad = w.grad = h.grad = y.grad = 0.0
    y.backward()  # outside anomaly mode: a complete pass
    assert w.grad == h.data + 2 * w.data  # ∂y/∂w = h + 2w, so w was reached
    assert x.grad == math.inf  # 3 · 0.5/√0


# -- bad inputs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "type_name"), [("a", "str"), (None, "NoneType"), ([1], "list"), (True, "bool"), (1j, "complex")]
)
def test_value_rejects_non_numbers(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name) as info:
        Value(bad)  # type: ignore[arg-type]
    assert "expected" in str(info.value)


def test_ints_beyond_float64_are_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"Value\(data\).*float64's range"):
        Value(10**400)
    with pytest.raises(ValueError, match=r"operand of '\*'.*float64's range"):
        Value(1.0) * -(10**400)


def test_operators_reject_non_numbers() -> None:
    v = Value(1.0)
    with pytest.raises(TypeError, match=r"operand of '\+'.*str"):
        v + "x"  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"operand of '\*'.*str"):
        "x" * v  # type: ignore[operator]
    with pytest.raises(TypeError, match="bool"):
        v * True
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_helpers_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="2 weights vs 1 inputs"):
        dot([1.0, 2.0], [Value(1.0)])
    with pytest.raises(ValueError, match="at least one"):
        max_of([])
    with pytest.raises(ValueError, match="empty"):
        argmax([])
    with pytest.raises(TypeError, match="str"):
        sum_of("abc")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Value"):
        sum_of(Value(1.0))  # type: ignore[arg-type]


def test_numpy_scalars_are_accepted_as_floats() -> None:
    np = pytest.importorskip("numpy")  # an optional dependency of the core package
    for scalar in (np.float64(1.5), np.float32(1.5), np.int64(3), np.int8(-2)):
        v = Value(scalar)
        assert type(v.data) is float and v.data == float(scalar)
    v = Value(2.0)
    assert (v + np.float64(1.0)).data == 3.0
    left = np.float64(3.0) * v
    assert isinstance(left, Value) and left.data == 6.0
    with pytest.raises(TypeError, match="bool"):
        Value(np.bool_(True))


# -- define_unary --------------------------------------------------------------------------------------------


def test_define_unary_works_and_passes_gradcheck() -> None:
    cube = define_unary("test_engine_cube", lambda x: x**3, lambda x, y: 3.0 * x * x)
    v = Value(-1.5)
    out = cube(v)
    assert out._op == "test_engine_cube" and out._prev == (v,)
    assert out.data == -3.375
    out.backward()
    assert v.grad == 3 * 2.25
    assert cube(2).data == 8.0  # numbers are wrapped
    assert gradcheck(lambda a, b: cube(a * b) + a, [0.7, -1.3]).ok


def test_define_unary_rejects_bad_definitions() -> None:
    for name in ("exp", "relu", "+", "max"):
        with pytest.raises(ValueError, match=repr(name).replace("+", r"\+")):
            define_unary(name, math.sin, lambda x, y: math.cos(x))
    with pytest.raises(ValueError, match="empty"):
        define_unary("", math.sin, lambda x, y: math.cos(x))
    with pytest.raises(TypeError, match="int"):
        define_unary(3, math.sin, lambda x, y: math.cos(x))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="derivative"):
        define_unary("test_engine_sin", math.sin, 1.0)  # type: ignore[arg-type]
    assert Value(1.0).exp().data == math.e  # the built-in is untouched


# -- graph structure -----------------------------------------------------------------------------------------


def test_prev_is_a_tuple_in_operand_order() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    for op in ("+", "-", "*", "/", "**"):
        out = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "**": a**b}[op]
        assert type(out._prev) is tuple and out._prev == (a, b) and out._op == op
    r = 2 - a
    assert r._prev[1] is a and r._prev[0]._role == "const" and r._prev[0]._op == "" and r._prev[0].data == 2.0
    z = dot([a, b], [b, a], 1.0)
    assert z._prev[:4] == (a, b, b, a) and z._prev[4].data == 1.0
    assert (-a)._prev == (a,) and a.tanh()._prev == (a,)
    assert max_of([b, a])._prev == (b, a) and sum_of([b, a, b])._prev == (b, a, b)
    alpha = Value.parameter(0.25, "alpha")
    p = a.prelu(alpha)
    assert p._prev == (a, alpha) and alpha._role == "param" and alpha._op == "" and a._op == ""
    assert a._prev == ()


# -- issue 10's smaller items: clear errors instead of silent or odd results ---------------------------


def test_numpy_array_plus_value_is_a_clear_type_error() -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError, match=r"operand of '\+'.*ndarray"):
        np.array([1.0, 2.0]) + Value(2.0)
    with pytest.raises(TypeError, match="ndarray"):
        Value(2.0) * np.array([1.0, 2.0])


def test_argmax_takes_numbers_and_values() -> None:
    assert argmax([1.0, 2.0]) == 1 and argmax([Value(3.0), 2.0, Value(3.0)]) == 0
    with pytest.raises(TypeError, match=r"argmax\(values\)\[1\]"):
        argmax([1.0, "2"])  # type: ignore[list-item]


def test_define_unary_rejects_complex_results_and_redefinition() -> None:
    bad = define_unary("test_engine_complex_derivative", lambda x: x, lambda x, y: 1j)
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"derivative of op 'test_engine_complex_derivative'.*complex"):
        bad(x).backward()
    worse = define_unary("test_engine_complex_forward", lambda x: complex(x), lambda x, y: 1.0)
    with pytest.raises(TypeError, match=r"forward of op 'test_engine_complex_forward'.*complex"):
        worse(x)
    with pytest.raises(ValueError, match="taken"):
        define_unary("test_engine_complex_forward", math.sin, lambda x, y: math.cos(x))
    assert worse.__qualname__ == worse.__name__ == "test_engine_complex_forward"


def test_op_kinks_are_declared_data() -> None:
    assert engine.op_kinks("relu") == (0.0,) and engine.op_kinks("exp") == ()
    define_unary("test_engine_hardtanh", lambda x: max(-1.0, min(1.0, x)), lambda x, y: float(-1 < x < 1),
                 kinks=[-1, 1])  # fmt: skip
    assert engine.op_kinks("test_engine_hardtanh") == (-1.0, 1.0)
    with pytest.raises(ValueError, match="unary op"):
        engine.op_kinks("+")
    with pytest.raises(ValueError, match="kinks"):
        define_unary("test_engine_nan_kink", abs, lambda x, y: 1.0, kinks=[math.nan])


def test_anomaly_mode_is_per_thread() -> None:
    import threading

    inside, release = threading.Event(), threading.Event()
    seen: list[object] = []

    def other_thread() -> None:
        inside.wait(5)
        try:
            seen.append((Value(1.0) / 0.0).data)  # anomaly mode of the main thread does not apply
        except FloatingPointError as e:
            seen.append(e)
        release.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with detect_anomaly():
        inside.set()
        release.wait(5)
        with pytest.raises(FloatingPointError):
            Value(1.0) / 0.0
    t.join()
    assert seen == [math.inf]
