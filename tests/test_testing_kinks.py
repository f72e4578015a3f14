"""The kink conventions: the stated table holds for the engine and is PyTorch's; kink bugs are found."""

from __future__ import annotations

import math

import pytest

from micrograd_tips.engine import Value, define_unary, max_of, op_kinks
from micrograd_tips.testing import KINK_CONVENTIONS, check_kink_conventions, check_kinks


def test_the_engine_follows_the_stated_table() -> None:
    result = check_kink_conventions()
    assert result.ok and len(result.rows) == len(KINK_CONVENTIONS)
    assert "passed" in result.report()


def test_the_stated_table_is_pytorchs() -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    impls = {
        "relu": lambda z: torch.relu(z),
        "leaky_relu": lambda z, s: F.leaky_relu(z, s),
        "elu": lambda z, a: F.elu(z, alpha=a),
        "prelu": lambda z, a: F.prelu(z.reshape(1), a.reshape(1)).reshape(()),
        "max_of": lambda xs: torch.stack(xs)[torch.argmax(torch.stack(xs))],
        "pow": lambda a, b: torch.pow(a, b),
    }
    for conv in KINK_CONVENTIONS:
        leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in conv.inputs]
        conv.build(impls[conv.op], *leaves).backward()
        got = tuple(0.0 if t.grad is None else float(t.grad) for t in leaves)
        assert got == pytest.approx(conv.expected, abs=1e-15), (conv.op, conv.point)


def _relu_forward(x: float) -> float:
    return x if x > 0.0 else 0.0


def test_relu_derivative_one_at_zero_is_found() -> None:
    bad_relu = define_unary(
        "test_kinks_bad_relu", _relu_forward, lambda x, y: 1.0 if x >= 0.0 else 0.0, kinks=[0.0]
    )
    result = check_kink_conventions(ops={"relu": bad_relu}, raise_exception=False)
    assert not result.ok
    bad_rows = [r for r in result.rows if not r.ok]
    assert {r.op for r in bad_rows} == {"relu"} and bad_rows[0].got == (1.0,)
    with pytest.raises(AssertionError, match=r"relu at z = 0.*DIFFERS"):
        check_kink_conventions(ops={"relu": bad_relu})
    # ... and by the per-op check against the left slope (PyTorch's branch for relu)
    with pytest.raises(AssertionError, match="left slope"):
        check_kinks(bad_relu, "left")
    assert check_kinks(bad_relu, "one-sided").ok  # 1 is the right slope: a convention, not nonsense


def _max_last(xs: list[Value]) -> Value:
    """A max whose tie goes to the highest index (the injected bug)."""
    k = max(range(len(xs)), key=lambda i: (xs[i].data, i))
    out = Value(xs[k].data, tuple(xs), "max_last")

    def _backward() -> None:
        xs[k].grad += out.grad

    out._backward = _backward
    return out


def test_max_tie_to_the_highest_index_is_found() -> None:
    result = check_kink_conventions(ops={"max_of": _max_last}, raise_exception=False)
    bad = [r for r in result.rows if not r.ok]
    assert bad and {r.op for r in bad} == {"max_of"}
    assert all("tie" in r.point or "equal" in r.point for r in bad)
    assert check_kink_conventions(ops={"max_of": max_of}).ok


def test_wrong_leaky_elu_and_prelu_conventions_are_found() -> None:
    right_branch = {
        "leaky_relu": lambda z, s: z if z.data >= 0 else z * s,  # z ≥ 0 takes the identity: slope 1
        "elu": lambda z, a: z if z.data >= 0 else a * (z.exp() - 1.0),
        "prelu": lambda z, a: z if z.data >= 0 else a * z,
    }
    for name, fn in right_branch.items():
        result = check_kink_conventions(ops={name: fn}, raise_exception=False)
        assert {r.op for r in result.rows if not r.ok} == {name}


def test_check_kinks_on_user_ops() -> None:
    relu6 = define_unary(
        "test_kinks_relu6", lambda x: min(max(x, 0.0), 6.0), lambda x, y: 1.0 if 0.0 < x < 6.0 else 0.0,
        kinks=[0.0, 6.0],
    )  # fmt: skip
    assert op_kinks("test_kinks_relu6") == (0.0, 6.0)
    assert check_kinks(relu6, {0.0: 0.0, 6.0: 0.0}).ok  # PyTorch's relu6 convention
    assert check_kinks(relu6, "one-sided").ok
    assert not check_kinks(relu6, "left", raise_exception=False).ok  # at 6 the left slope is 1
    silly = define_unary(
        "test_kinks_silly_abs", abs, lambda x, y: 7.0 if x == 0 else math.copysign(1.0, x), kinks=[0]
    )
    result = check_kinks(silly, "one-sided", raise_exception=False)
    assert not result.ok and "left slope -1" in result.report() and "right slope 1" in result.report()
    assert check_kinks(Value.relu, "left").ok  # a built-in: kinks from op_kinks("relu")


def test_kink_check_arguments() -> None:
    with pytest.raises(ValueError, match="expected"):
        check_kinks(Value.relu, "middle")
    with pytest.raises(ValueError, match="missing"):
        check_kinks(Value.relu, {1.0: 0.0})
    with pytest.raises(TypeError, match="expected"):
        check_kinks(Value.relu, 0.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="op_kinks"):
        check_kinks(lambda v: v, "left")  # a lambda declares no kinks
    with pytest.raises(ValueError, match="at least one kink"):
        check_kinks(Value.exp, "left")
    with pytest.raises(ValueError, match="ops"):
        check_kink_conventions(ops={"softmax": max_of})
    with pytest.raises(TypeError, match="callable"):
        check_kink_conventions(ops={"relu": 3})  # type: ignore[dict-item]
