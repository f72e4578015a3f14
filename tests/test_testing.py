"""The testing helpers themselves: gradcheck must pass right gradients and catch wrong ones;
the strategies must produce what they promise."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from micrograd_tips.engine import Value, define_unary
from micrograd_tips.testing import GradcheckResult, gradcheck
from micrograd_tips.testing.strategies import (
    ALL_OPS,
    STEP_NAMES,
    STEPS_OF_OP,
    Expression,
    expressions,
    floats,
    values,
)

# A correct op and the same op with a deliberately wrong derivative (2x instead of 3x²).
cube = define_unary("test_testing_cube", lambda x: x**3, lambda x, y: 3.0 * x * x)
bad_cube = define_unary("test_testing_bad_cube", lambda x: x**3, lambda x, y: 2.0 * x)


def first(strategy: st.SearchStrategy, condition) -> Expression:
    """The first generated example satisfying condition (no shrinking: keeps the suite fast)."""
    return find(
        strategy, condition, settings=settings(phases=[Phase.generate], database=None, max_examples=2000)
    )


# -- gradcheck ---------------------------------------------------------------------------------------


def test_gradcheck_passes_correct_ops_with_closed_form_numbers() -> None:
    result = gradcheck(lambda a, b: cube(a) * b + a.exp(), [1.5, -2.0])
    assert isinstance(result, GradcheckResult) and result.ok
    # d/da = 3a²·b + eᵃ, d/db = a³ (closed forms, not the code's output)
    expected = (3 * 1.5**2 * -2.0 + math.exp(1.5), 1.5**3)
    assert result.analytic == pytest.approx(expected, rel=1e-14)
    assert result.numeric == pytest.approx(expected, rel=1e-8)
    assert result.inputs == (1.5, -2.0)
    assert "passed" in result.report()


@given(floats(-3, 3), floats(-3, 3))
def test_gradcheck_passes_builtin_ops(a: float, b: float) -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() + (x - y).sigmoid() * x, [a, b]).ok


def test_gradcheck_fails_for_wrong_derivative_with_readable_report() -> None:
    with pytest.raises(AssertionError) as info:
        gradcheck(lambda a, b: bad_cube(a) + b * b, [2.0, 0.5])
    report = str(info.value)
    assert "FAILED" in report
    # worst input #0 at 2.0: analytic 2·2 = 4, numeric 3·2² = 12, abs err 8, rel err 8/12
    assert "worst: input #0 (x0 = 2.0)" in report
    assert "analytic 4.0" in report and "numeric 12.0" in report
    assert "abs err 8" in report and "rel err 0.667" in report


def test_gradcheck_can_return_the_failure() -> None:
    result = gradcheck(lambda a, b: b * b + bad_cube(a), [0.5, 1.0], raise_exception=False)
    assert not result.ok and result.worst == 0
    assert result.analytic[0] == 1.0 and result.numeric[0] == pytest.approx(0.75, rel=1e-8)
    assert result.abs_err[0] == pytest.approx(0.25, rel=1e-7)
    assert result.abs_err[1] < 1e-8  # the other input is right


def test_gradcheck_respects_tolerances() -> None:
    # Analytic 1.0 vs numeric 0.75: passes only once atol covers the 0.25 gap.
    f = lambda a: bad_cube(a)  # noqa: E731
    assert not gradcheck(f, [0.5], raise_exception=False).ok
    assert gradcheck(f, [0.5], atol=0.26, rtol=0.0).ok
    assert gradcheck(f, [0.5], atol=0.0, rtol=0.34).ok  # 0.25 ≤ 0.34·0.75


def test_gradcheck_uses_fresh_graphs_and_leaves_inputs_alone() -> None:
    given_leaf = Value(1.25)
    given_leaf.grad = 99.0
    result = gradcheck(lambda a: a * a, [given_leaf])
    assert result.analytic == (2.5,)
    assert given_leaf.grad == 99.0 and given_leaf.data == 1.25


def test_gradcheck_catches_an_input_that_does_not_reach_the_graph_correctly() -> None:
    # f ignores its gradient path for b (uses b.data as a number): analytic 0, numeric 1.
    result = gradcheck(lambda a, b: a + b.data, [1.0, 2.0], raise_exception=False)
    assert not result.ok and result.worst == 1


def test_gradcheck_nan_gradient_fails() -> None:
    nan_grad = define_unary("test_testing_nan_grad", lambda x: x, lambda x, y: math.nan)
    result = gradcheck(nan_grad, [1.0], raise_exception=False)
    assert not result.ok and result.worst == 0


def test_gradcheck_rejects_bad_arguments() -> None:
    f = lambda a: a * 2  # noqa: E731
    with pytest.raises(TypeError, match=r"gradcheck\(f\).*int"):
        gradcheck(3, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gradcheck\(inputs\).*float"):
        gradcheck(f, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"input #1: got str"):
        gradcheck(f, [1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"input #0: got bool"):
        gradcheck(f, [True])
    with pytest.raises(ValueError, match=r"input #0: got float nan"):
        gradcheck(f, [math.nan])
    with pytest.raises(ValueError, match=r"gradcheck\(eps\).*0\.0"):
        gradcheck(f, [1.0], eps=0.0)
    with pytest.raises(ValueError, match=r"gradcheck\(atol\).*-1"):
        gradcheck(f, [1.0], atol=-1.0)
    with pytest.raises(TypeError, match=r"gradcheck\(rtol\).*str"):
        gradcheck(f, [1.0], rtol="0.1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="raise_exception"):
        gradcheck(f, [1.0], raise_exception=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"returned.*float"):
        gradcheck(lambda a: 2.0, [1.0])


def test_gradcheck_with_nothing_to_check_is_an_error() -> None:
    # issue 10 item 9: it used to report success with nothing checked
    with pytest.raises(ValueError, match=r"gradcheck\(inputs\).*at least one input"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="at least one input"):
        gradcheck(lambda: Value(1.0), ())


def test_gradcheck_on_a_tensor_points_to_the_tensor_gradcheck() -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError, match="tensor_gradcheck"):
        gradcheck(lambda a: a, [np.ones(3)])


def test_gradcheck_fails_where_f_is_not_finite() -> None:
    result = gradcheck(lambda a: a.log(), [0.0], raise_exception=False)  # log 0 = -inf
    assert not result.ok and result.status == ("f not finite",)
    with pytest.raises(AssertionError, match="f itself is not finite"):
        gradcheck(lambda a: a.log(), [0.0])


def _ieee_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def test_gradcheck_fails_when_the_numeric_derivative_is_infinite() -> None:
    # issue 14 item 1: the exp-like op with derivative -12345 passed at the overflow edge
    x = 709.782712893384  # e^x is finite, e^(x + step) is inf
    assert math.isfinite(_ieee_exp(x)) and _ieee_exp(x + 1e-6 * x) == math.inf
    wrong = define_unary("test_testing_wrong_exp", _ieee_exp, lambda x, y: -12345.0)
    result = gradcheck(wrong, [x], raise_exception=False)
    assert not result.ok and result.status == ("numeric not finite",) and result.worst == 0
    assert "overflows or leaves its domain" in result.report()
    right = define_unary("test_testing_right_exp", _ieee_exp, lambda x, y: y)
    assert not gradcheck(right, [x], raise_exception=False).ok  # nothing finite to compare: never "ok"


def test_gradcheck_fails_when_only_the_analytic_derivative_is_infinite() -> None:
    inf_grad = define_unary("test_testing_inf_grad", lambda x: x, lambda x, y: math.inf)
    result = gradcheck(inf_grad, [1.0], raise_exception=False)
    assert not result.ok and result.status == ("analytic not finite",)
    assert "detect_anomaly" in result.report()


def test_gradcheck_ok_always_agrees_with_the_worst_row() -> None:
    for f, x in [(bad_cube, [2.0]), (cube, [2.0]), (lambda a, b: bad_cube(a) + b, [0.5, 1.0])]:
        result = gradcheck(f, x, raise_exception=False)
        assert result.ok == (result.status[result.worst] == "ok") == all(s == "ok" for s in result.status)


def test_gradcheck_step_is_relative_to_x() -> None:
    # issue 14 item 5: an absolute step 1e-6 at x = 2**21 is below half an ulp: (x ± h) rounds
    result = gradcheck(lambda a: a * 2.0, [2097152.0])
    assert result.ok and result.numeric == (2.0,)
    assert result.steps[0] == pytest.approx(1e-6 * 2097152.0, rel=1e-9)
    assert gradcheck(lambda a: a * a, [0.25]).steps[0] == pytest.approx(1e-6, rel=1e-9)  # floor for |x| < 1


def test_gradcheck_reports_an_exception_at_x_plus_or_minus_step() -> None:
    root = define_unary("test_testing_sqrt", math.sqrt, lambda x, y: 0.5 / y)  # raises for x < 0
    result = gradcheck(root, [1e-7], raise_exception=False)
    assert not result.ok and result.status == ("f raised",)
    report = result.report()
    assert "ValueError('math domain error')" in report and "x0 − step" in report
    assert "inside the domain" in report


def test_gradcheck_report_names_the_op_and_suspects_a_kink() -> None:
    result = gradcheck(bad_cube, [0.5], raise_exception=False)
    assert result.name == "test_testing_bad_cube" and "for test_testing_bad_cube" in result.report()
    assert "ops in the graph: test_testing_bad_cube" in result.report()
    near_kink = gradcheck(lambda a: a.relu() * 3.0, [1e-7], raise_exception=False)
    assert not near_kink.ok and "one-sided slopes differ" in near_kink.report()


# -- strategies ----------------------------------------------------------------------------------------


@given(floats(-5, 7), values(0.5, 2.0))
def test_floats_and_values_stay_in_range(x: float, v: Value) -> None:
    assert type(x) is float and -5 <= x <= 7 and (x == 0.0 or abs(x) >= 2.2250738585072014e-308)
    assert isinstance(v, Value) and 0.5 <= v.data <= 2.0 and v.grad == 0.0 and v._prev == ()


def test_strategy_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="min_value"):
        floats(2, 1)
    with pytest.raises(ValueError, match="max_value"):
        floats(0, math.inf)
    with pytest.raises(ValueError, match="avoid"):
        floats(-1, 1, avoid=[0.0], margin=5.0)
    with pytest.raises(ValueError, match="margin"):
        floats(margin=-1.0)
    with pytest.raises(ValueError, match="bogus"):
        expressions(ops=["+", "bogus"])
    with pytest.raises(TypeError, match="ops"):
        expressions(ops="+")
    with pytest.raises(ValueError, match="max_ops"):
        expressions(max_ops=0)
    with pytest.raises(ValueError, match="min_leaves"):
        expressions(min_leaves=3, max_leaves=2)
    with pytest.raises(TypeError, match="unary_ops"):
        expressions(unary_ops={"x": cube})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="leaves"):
        expressions(leaves=[1.0])  # type: ignore[arg-type]


@settings(max_examples=200)
@given(expressions())
def test_expression_reference_matches_forward(expr: Expression) -> None:
    assert all(math.isfinite(x) for x in expr.leaf_data)
    assert math.isfinite(expr.reference)
    assert expr.root.data == pytest.approx(expr.reference, rel=1e-12, abs=1e-12)
    assert expr.evaluate(expr.leaf_data) == expr.reference
    again = expr.rebuild(*(Value(x) for x in expr.leaf_data))
    assert again.data == expr.root.data and again is not expr.root
    assert len(expr.program) >= 1 and 1 <= len(expr.leaves) <= 4


@given(expressions(ops=["tanh", "neg"], max_ops=4))
def test_expressions_respect_the_op_subset(expr: Expression) -> None:
    assert {step.op for step in expr.program} <= {"tanh", "neg", "sum"}  # sum joins unused nodes


def test_expressions_check_themselves() -> None:
    expr = first(expressions(min_leaves=2), lambda e: len(e.leaves) == 2)
    with pytest.raises(ValueError, match="expected 2"):
        expr.rebuild(Value(1.0))
    with pytest.raises(ValueError, match="expected 2"):
        expr.evaluate([1.0, 2.0, 3.0])
    assert "n0 =" in repr(expr)


def test_step_names_are_exported_and_cover_every_op() -> None:
    assert set(STEPS_OF_OP) == set(ALL_OPS)
    assert {s for steps in STEPS_OF_OP.values() for s in steps} == set(STEP_NAMES)
    assert len(STEP_NAMES) == 23


@pytest.mark.parametrize("op", ALL_OPS)
def test_every_engine_op_is_generated(op: str) -> None:
    wanted = set(STEPS_OF_OP[op])
    expr = first(expressions(ops=[op]), lambda e: any(s.op in wanted for s in e.program))
    names = {node_op for node_op in _graph_ops(expr.root)}
    engine_name = {"sum_of": "sum", "max_of": "max"}.get(op, op)
    assert engine_name in names  # the op really is in the Value graph


def _graph_ops(root: Value) -> set[str]:
    ops, stack, seen = set(), [root], {root}
    while stack:
        node = stack.pop()
        ops.add(node._op)
        for child in node._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return ops


def test_value_pow_value_and_reflected_forms_are_generated() -> None:
    for form in ("pow", "rpow_const", "rsub_const", "rdiv_const"):
        expr = first(expressions(ops=["**", "-", "/"]), lambda e, f=form: any(s.op == f for s in e.program))
        assert expr.root.data == pytest.approx(expr.reference, rel=1e-12, abs=1e-12)


def test_expressions_reuse_nodes() -> None:
    def reuses(e: Expression) -> bool:
        uses = Counter(i for step in e.program for i in step.args)
        return any(n >= 2 for i, n in uses.items() if i >= len(e.leaves))  # an inner node, twice

    expr = first(expressions(), reuses)
    assert reuses(expr)


def test_user_unary_ops_enter_the_graphs() -> None:
    strategy = expressions(ops=["+"], unary_ops={"cube": (cube, lambda x: x**3)})
    expr = first(strategy, lambda e: any(s.op == "u:cube" for s in e.program))
    assert "test_testing_cube" in _graph_ops(expr.root)
    assert expr.root.data == pytest.approx(expr.reference, rel=1e-12, abs=1e-12)


def test_strategy_with_gradcheck_catches_a_wrong_derivative_inside_graphs() -> None:
    strategy = expressions(ops=["+", "*", "tanh"], unary_ops={"bad": (bad_cube, lambda x: x**3)})

    def caught(e: Expression) -> bool:
        return not gradcheck(e.rebuild, e.leaf_data, raise_exception=False).ok

    expr = first(strategy, caught)
    assert any(s.op == "u:bad" for s in expr.program)
    # ... while the same graphs with the correct op pass:
    good = expressions(ops=["+", "*", "tanh"], unary_ops={"cube": (cube, lambda x: x**3)})
    find_good = first(good, lambda e: any(s.op == "u:cube" for s in e.program) and e.kink_margin > 1e-3)
    assert gradcheck(find_good.rebuild, find_good.leaf_data).ok


@given(expressions(ops=["relu", "max_of", "+"], max_ops=4))
def test_kink_margin_is_the_distance_to_the_nearest_kink(expr: Expression) -> None:
    values = _node_values(expr)
    distances = [abs(values[s.args[0]]) for s in expr.program if s.op == "relu"]
    for s in (s for s in expr.program if s.op == "max"):
        nodes = set(s.args)
        ranked = sorted((values[i] for i in nodes), reverse=True)
        # a max over one node has no kink; two different nodes at the top are a tie (distance 0)
        distances.append(ranked[0] - ranked[1] if len(ranked) > 1 else math.inf)
    assert expr.kink_margin == min(distances, default=math.inf)


def _node_values(expr: Expression) -> list[float]:
    """Every node's value, read off the engine graph by rebuilding prefixes of the program."""
    return [*expr.leaf_data, *(_prefix_value(expr, k) for k in range(1, len(expr.program) + 1))]


def _prefix_value(expr: Expression, k: int) -> float:
    prefix = Expression(expr.leaves, expr.root, expr.reference, expr.program[:k], 0.0, expr.unary_ops)
    return prefix.evaluate(expr.leaf_data)


@given(st.data())
def test_leaves_strategy_is_used(data: st.DataObject) -> None:
    expr = data.draw(expressions(leaves=st.sampled_from([0.25, 0.5]), max_ops=2))
    assert set(expr.leaf_data) <= {0.25, 0.5}


# -- kinks avoided by construction ---------------------------------------------------------------

relu6 = define_unary(
    "test_testing_relu6",
    lambda x: min(max(x, 0.0), 6.0),
    lambda x, y: 1.0 if 0.0 < x < 6.0 else 0.0,
    kinks=[0.0, 6.0],
)
absolute = define_unary("test_testing_abs", abs, lambda x, y: 1.0 if x > 0 else -1.0, kinks=[0.0])
hardtanh = define_unary(
    "test_testing_hardtanh", lambda x: min(max(x, -1.0), 1.0), lambda x, y: 1.0 if -1.0 < x < 1.0 else 0.0,
    kinks=(-1.0, 1.0),
)  # fmt: skip


@given(floats(-10, 10, avoid=[0.0, 6.0], margin=0.5), floats(avoid=[0.0]))
def test_floats_keep_their_margin_from_kinks(x: float, y: float) -> None:
    assert -10 <= x <= 10 and abs(x) >= 0.5 and abs(x - 6.0) >= 0.5
    assert abs(y) >= 1e-3


def test_floats_avoid_kinks_by_construction_not_by_filtering() -> None:
    strategy = floats(-1, 1, avoid=[0.0], margin=0.999)  # 0.05 % of [-1, 1] is allowed
    assert "filter" not in repr(strategy)
    drawn = find(strategy, lambda x: x > 0, settings=settings(database=None))
    assert 0.999 <= drawn <= 1.0


@settings(max_examples=150)
@given(floats(-7, 7, avoid=[0.0, 6.0]), floats(-3, 3, avoid=[0.0]), floats(-3, 3, avoid=[-1.0, 1.0]))
def test_correct_user_ops_with_kinks_pass_away_from_them(a: float, b: float, c: float) -> None:
    # issue 14 item 3: a correct ReLU6 failed at 0.0 and |x| at 2.4e-35
    gradcheck(relu6, [a])
    gradcheck(absolute, [b])
    gradcheck(hardtanh, [c])


@settings(max_examples=150)
@given(
    expressions(
        ops=["+", "*", "tanh", "max_of", "relu"],
        unary_ops={"hardtanh": (hardtanh, lambda x: min(max(x, -1.0), 1.0))},
        max_ops=12,
    )
)
def test_user_op_kinks_are_avoided_inside_graphs(expr: Expression) -> None:
    # a user hardtanh inside graphs failed even with kink_margin=inf; its kinks are now data
    assert expr.user_kinks == {"hardtanh": (-1.0, 1.0)}
    assert expr.kink_margin >= 1e-3
    gradcheck(expr.rebuild, expr.leaf_data)


@given(expressions(ops=["relu", "max_of", "leaky_relu", "elu", "prelu", "+"], margin=0.01, max_ops=10))
def test_every_kink_input_keeps_the_margin(expr: Expression) -> None:
    values = _node_values(expr)
    for s in expr.program:
        if s.op in ("relu", "leaky_relu", "elu", "prelu"):
            assert abs(values[s.args[0]]) >= 0.01
        if s.op == "max":
            ranked = sorted({values[i] for i in set(s.args)}, reverse=True)
            distinct_nodes = len(set(s.args))
            assert distinct_nodes == 1 or (len(ranked) > 1 and ranked[0] - ranked[1] >= 0.01)


def test_margin_zero_keeps_ties_and_zeros() -> None:
    tie = first(
        expressions(ops=["max_of"], leaves=st.sampled_from([1.0]), min_leaves=2, margin=0.0),
        lambda e: e.kink_margin == 0.0,
    )
    assert any(s.op == "max" for s in tie.program)


def test_user_kinks_can_be_given_explicitly() -> None:
    plain = lambda v: v.relu()  # noqa: E731  (not made by define_unary: no declared kinks)
    strategy = expressions(ops=["+"], unary_ops={"r": (plain, lambda x: max(x, 0.0), [0.0])})
    expr = first(strategy, lambda e: any(s.op == "u:r" for s in e.program))
    assert expr.user_kinks == {"r": (0.0,)} and expr.kink_margin >= 1e-3


# -- a failing Expression prints its listing ------------------------------------------------------


def test_a_failing_expression_shows_its_listing_in_hypothesis_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @settings(max_examples=50, database=None)
    @given(expressions(ops=["/", "+"]))
    def prop(expr: Expression) -> None:
        assert not any(s.op in ("div", "rdiv_const") for s in expr.program)

    with pytest.raises(AssertionError) as info:
        prop()
    text = str(info.value) + "".join(getattr(info.value, "__notes__", [])) + capsys.readouterr().out
    assert "prop(" in text and "expr=Expression(" in text
    assert "n0 = " in text and "Step(" not in text


def test_interval_helpers() -> None:
    from micrograd_tips.testing._intervals import allowed_intervals, away_from

    assert allowed_intervals(-1.0, 1.0, [0.0], 0.25) == [(-1.0, -0.25), (0.25, 1.0)]
    assert allowed_intervals(-1.0, 1.0, [5.0], 0.25) == [(-1.0, 1.0)]
    assert allowed_intervals(-1.0, 1.0, [0.0], 2.0) == []
    assert away_from(0.5, [0.0], 0.1) is None  # already far enough
    assert away_from(0.01, [0.0], 0.1) == pytest.approx(0.2)  # the nearest side, 2·margin out
    assert away_from(-0.01, [0.0], 0.1) == pytest.approx(-0.2)
    moved = away_from(0.05, [0.0, 0.25], 0.1)  # kinks close together: a point clear of both
    assert moved is not None and all(abs(moved - k) >= 0.1 for k in (0.0, 0.25))


def test_the_testing_package_needs_neither_hypothesis_nor_numpy() -> None:
    import subprocess
    import sys

    optional = "{'hypothesis', 'numpy', 'torch'}"
    code = f"import sys, micrograd_tips.testing\nprint(sorted({optional} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
