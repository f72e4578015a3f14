"""The scalar engine against PyTorch (CPU, float64) as the oracle.

A `Value` graph is translated node by node into torch ops (by `_op` and `_prev`), so the oracle
recomputes both the forward and the gradients on its own."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from micrograd_tips.engine import Value, dot, max_of, sum_of  # noqa: E402
from micrograd_tips.testing.strategies import expressions, floats  # noqa: E402

DT = torch.float64


def _topological(root: Value) -> list[Value]:
    """Nodes with every input before its consumers (iterative post-order)."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node._prev) if child not in seen)
    return order


def _torch_op(op: str, xs: list) -> object:
    if op == "+":
        return xs[0] + xs[1]
    if op == "-":
        return xs[0] - xs[1]
    if op == "*":
        return xs[0] * xs[1]
    if op == "/":
        return xs[0] / xs[1]
    if op == "**":
        return torch.pow(xs[0], xs[1])
    if op == "neg":
        return -xs[0]
    if op in ("exp", "log", "tanh", "sigmoid", "relu"):
        return getattr(torch, op)(xs[0])
    if op in ("leaky_relu", "elu") and xs[1].requires_grad:  # a learned slope/α: torch.where form
        negative = xs[1] * (xs[0] if op == "leaky_relu" else torch.expm1(xs[0]))
        return torch.where(xs[0] > 0, xs[0], negative)
    if op == "leaky_relu":
        return F.leaky_relu(xs[0], float(xs[1]))
    if op == "elu":
        return F.elu(xs[0], float(xs[1]))
    if op == "prelu":
        return F.prelu(xs[0].reshape(1), xs[1].reshape(1)).reshape(())
    if op == "sum":
        return torch.stack(xs).sum()
    if op == "dot":
        n = len(xs) // 2
        z = torch.dot(torch.stack(xs[:n]), torch.stack(xs[n : 2 * n]))
        return z + xs[-1] if len(xs) % 2 else z
    if op == "max":
        return torch.stack(xs).max(dim=0).values
    raise AssertionError(f"no torch translation for op {op!r}")


def to_torch(root: Value) -> tuple[dict[Value, object], object]:
    """Rebuild root's graph in torch; leaves that are not constants require grad."""
    tensors: dict[Value, object] = {}
    for node in _topological(root):
        if not node._prev:
            tensors[node] = torch.tensor(node.data, dtype=DT, requires_grad=node._op != "const")
        else:
            tensors[node] = _torch_op(node._op, [tensors[p] for p in node._prev])
    return tensors, tensors[root]


def _grad(tensor: object) -> float:
    """A leaf's torch gradient; 0 for a leaf outside the graph or one no path reached."""
    return 0.0 if tensor is None or tensor.grad is None else tensor.grad.item()


def assert_matches_torch(root: Value, leaves: list[Value], fwd_rtol: float = 1e-12) -> None:
    tensors, out = to_torch(root)
    scale = max(abs(n.data) for n in _topological(root))  # cancellation: compare on the graph's scale
    assert root.data == pytest.approx(out.item(), rel=fwd_rtol, abs=fwd_rtol * scale)
    root.backward()
    out.backward()
    grads = {leaf: _grad(tensors.get(leaf)) for leaf in leaves}
    floor = 1e-9 * max([1.0, *(abs(g) for g in grads.values())])
    for i, leaf in enumerate(leaves):
        assert leaf.grad == pytest.approx(grads[leaf], rel=1e-9, abs=floor), f"leaf #{i}"


@settings(max_examples=200)
@given(expressions(max_leaves=4, max_ops=10))
def test_random_graphs_match_torch(expr) -> None:
    # No kink filter needed: both libraries take the same branch at relu(0), leaky/elu/prelu(0).
    assert_matches_torch(expr.root, list(expr.leaves))


# -- each op on its own, including kinks and extremes -------------------------------------------------

any_x = st.one_of(floats(-50, 50), st.sampled_from([0.0, -0.0, -1e-300, 1e-300, -3.0, 2.5]))


ELEMENTARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a, b: -a,
    "rsub": lambda a, b: 3.0 - a,
    "rdiv": lambda a, b: 3.0 / b,
    "exp": lambda a, b: a.exp(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "leaky_relu": lambda a, b: a.leaky_relu(),
    "leaky_relu_0.3": lambda a, b: a.leaky_relu(0.3),
    "elu": lambda a, b: a.elu(),
    "elu_0.7": lambda a, b: a.elu(0.7),
    "prelu": lambda a, b: a.prelu(b),
    "leaky_relu_value_slope": lambda a, b: a.leaky_relu(b),
    "elu_value_alpha": lambda a, b: a.elu(b),
    "sum_of": lambda a, b: sum_of([a, b, a]),
    "dot": lambda a, b: dot([a, b], [b, 2.0], a),
    "max_of": lambda a, b: max_of([a, b]),
}


@pytest.mark.parametrize("name", list(ELEMENTARY))
@given(a=any_x, b=any_x)
def test_each_op_matches_torch(name: str, a: float, b: float) -> None:
    x, y = Value(a), Value(b)
    out = ELEMENTARY[name](x, y)
    if out._op == "max" and a == b:
        return  # a tie: torch.max(dim) picks an unspecified index; the tie rule is tested in test_engine
    if not math.isfinite(out.data):
        _, t = to_torch(out)
        assert math.isnan(t.item()) if math.isnan(out.data) else t.item() == out.data
        return
    assert_matches_torch(out, [x, y])


@given(floats(1e-3, 50), floats(-4, 4))
def test_powers_and_logs_match_torch(a: float, b: float) -> None:
    for build in (lambda x, y: x**y, lambda x, y: x**2.5, lambda x, y: 2.0**y, lambda x, y: x.log() * y):
        x, y = Value(a), Value(b)
        assert_matches_torch(build(x, y), [x, y])


@pytest.mark.parametrize("z", [-2.0, -1e-8, 0.0, 1e-8, 2.0])
@pytest.mark.parametrize("op", ["relu", "leaky_relu", "elu", "prelu"])
def test_activation_derivatives_at_zero_and_negative(op: str, z: float) -> None:
    x, alpha = Value(z), Value(0.25)
    out = x.prelu(alpha) if op == "prelu" else getattr(x, op)()
    assert_matches_torch(out, [x, alpha])


@pytest.mark.parametrize("z", [-1000.0, -745.0, -40.0, 40.0, 745.0, 1000.0])
def test_sigmoid_extremes_match_torch(z: float) -> None:
    x = Value(z)
    out = x.sigmoid()
    t = torch.tensor(z, dtype=DT, requires_grad=True)
    torch.sigmoid(t).backward()
    out.backward()
    # σ(−745) ≈ 5e-324: we return that smallest subnormal, torch's 1/(1 + e⁷⁴⁵) gives 0.0
    assert out.data == pytest.approx(torch.sigmoid(t.detach()).item(), rel=1e-15, abs=1e-300)
    if abs(z) == 1000.0:
        assert out.data == (1.0 if z > 0 else 0.0)
    assert math.isfinite(x.grad)
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-300)


def test_ieee_special_values_match_torch() -> None:
    cases = [
        (lambda v: v.exp(), 1000.0),
        (lambda v: v.log(), 0.0),
        (lambda v: v.log(), -1.0),
        (lambda v: v.tanh(), 355.0),
        (lambda v: 1 / v, 0.0),
        (lambda v: v ** (1 / 3), -8.0),
        (lambda v: v**-1, 0.0),
        (lambda v: v.relu(), math.nan),
    ]
    for build, x in cases:
        ours = build(Value(x)).data
        theirs = to_torch(build(Value(x)))[1].item()
        assert (math.isnan(ours) and math.isnan(theirs)) or ours == theirs, (x, ours, theirs)


def test_value_pow_value_at_zero_base_matches_torch() -> None:
    for a, b in [(0.0, 2.0), (0.0, 0.0), (0.0, 0.5), (2.0, 0.0)]:
        x, y = Value(a), Value(b)
        out = x**y
        tensors, t = to_torch(out)
        out.backward()
        t.backward()
        for node in (x, y):
            g = tensors[node].grad.item()
            assert (math.isnan(node.grad) and math.isnan(g)) or node.grad == g, (a, b)


def test_nested_graph_with_reuse_matches_torch() -> None:
    w = [Value(0.3), Value(-0.7)]
    x = [Value(1.5), Value(-2.0)]
    z = dot(w, x, 0.1)
    h = max_of([z.relu(), z.sigmoid() * w[0]])
    loss = (h - x[0]) ** 2 + z.elu(0.5) + (w[1] * w[1]).log()
    assert_matches_torch(loss, w + x)
