"""Maxout (lecture A3): ReLU as the special case {z, 0}, only the winner learns, thin linear networks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from micrograd_tips.engine import Value
from micrograd_tips.maxout import Maxout
from micrograd_tips.nn import Layer, Linear, Sequential

# Dyadic numbers (multiples of 1/4, |x| ≤ 4): sums and products of a few are exact in float64, so
# ties (z = 0, equal pieces) happen for real and every expected value below is exact.
dyadic = st.integers(-16, 16).map(lambda i: i / 4)


@st.composite
def relu_case(draw):
    nin, nout = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    W = [[draw(dyadic) for _ in range(nin)] for _ in range(nout)]
    x = [draw(dyadic) for _ in range(nin)]
    b = []
    for w in W:  # sometimes force z = w·x + b = 0 exactly: the kink
        b.append(-sum(wi * xi for wi, xi in zip(w, x)) if draw(st.booleans()) else draw(dyadic))
    upstream = [draw(dyadic) for _ in range(nout)]
    return W, b, x, upstream


def run(module, x, upstream):
    xs = [Value(v) for v in x]
    out = module(xs)
    out = out if isinstance(out, list) else [out]
    for a, c in zip(out, upstream):
        a.backward(c)
    return [a.data for a in out], [v.grad for v in xs]


@given(relu_case())
def test_maxout_with_pieces_z_and_0_equals_relu_in_value_and_gradients(case):
    W, b, x, upstream = case
    layer = Layer(len(x), len(W), "relu", seed=0)
    layer.load_state_dict({"weight": W, "bias": b})
    maxout = Maxout.relu_like(len(x), len(W), seed=0)
    maxout.load_state_dict({"weight": [[w] for w in W], "bias": [[bj] for bj in b]})

    values_l, xgrad_l = run(layer, x, upstream)
    values_m, xgrad_m = run(maxout, x, upstream)
    assert values_m == values_l
    assert xgrad_m == xgrad_l
    assert [[w.grad for w in ws[0]] for ws in maxout.weight] == [[w.grad for w in ws] for ws in layer.weight]
    assert [bs[0].grad for bs in maxout.bias] == [bj.grad for bj in layer.bias]
    # closed form: the zero piece (index 0) wins whenever z ≤ 0, so relu'(0) = 0
    zs = [sum(wi * xi for wi, xi in zip(w, x)) + bj for w, bj in zip(W, b)]
    assert maxout.last_winners == tuple(1 if z > 0 else 0 for z in zs)
    assert values_m == [max(z, 0.0) for z in zs]


@st.composite
def maxout_case(draw):
    nin, nout, pieces = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    W = [[[draw(dyadic) for _ in range(nin)] for _ in range(pieces)] for _ in range(nout)]
    b = [[draw(dyadic) for _ in range(pieces)] for _ in range(nout)]
    x = [draw(dyadic) for _ in range(nin)]
    upstream = [draw(dyadic) for _ in range(nout)]
    return W, b, x, upstream


@given(maxout_case())
def test_only_the_winning_piece_gets_gradient(case):
    W, b, x, upstream = case
    nout, pieces, nin = len(W), len(W[0]), len(x)
    maxout = Maxout(nin, nout, pieces, seed=0)
    maxout.load_state_dict({"weight": W, "bias": b})
    values, xgrad = run(maxout, x, upstream)

    expected_x_grad = [0.0] * nin
    for j in range(nout):
        zs = [sum(wi * xi for wi, xi in zip(W[j][k], x)) + b[j][k] for k in range(pieces)]
        winner = zs.index(max(zs))  # lowest index among equal maxima
        assert maxout.last_winners[j] == winner
        assert values[j] == zs[winner]
        for k in range(pieces):
            if k == winner:  # the thin linear network: ∂a/∂w = x, ∂a/∂b = 1
                assert [w.grad for w in maxout.weight[j][k]] == [xi * upstream[j] for xi in x]
                assert maxout.bias[j][k].grad == upstream[j]
            else:
                assert all(w.grad == 0.0 for w in maxout.weight[j][k])
                assert maxout.bias[j][k].grad == 0.0
        for i in range(nin):
            expected_x_grad[i] += W[j][winner][i] * upstream[j]
    assert xgrad == expected_x_grad


def test_two_pieces_learn_the_absolute_value():
    # max(z, −z) = |z|: a convex activation ReLU cannot express with one unit (lecture A3).
    m = Maxout(1, 1, pieces=2)
    m.load_state_dict({"weight": [[[1.0], [-1.0]]], "bias": [[0.0, 0.0]]})
    for x in (-2.5, -0.5, 0.0, 0.75, 3.0):
        assert m(x).data == abs(x)


def test_gradients_match_finite_differences_in_a_network():
    net = Sequential(Linear(2, 3, seed=1), Maxout(3, 2, pieces=3, seed=2), Linear(2, 1, seed=3))
    x = [0.37, -0.81]
    net(x).backward()
    h = 1e-6
    for name, p in net.named_parameters():
        p.data += h
        up = net(x).data
        p.data -= 2 * h
        down = net(x).data
        p.data += h
        assert p.grad == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-8), name


def test_state_dict_shapes_and_the_fixed_zero_piece_is_not_a_parameter():
    m = Maxout(3, 2, pieces=4, seed=0)
    sd = m.state_dict()
    assert (len(sd["weight"]), len(sd["weight"][0]), len(sd["weight"][0][0])) == (2, 4, 3)
    assert (len(sd["bias"]), len(sd["bias"][0])) == (2, 4)
    assert len(m.parameters()) == 2 * 4 * (3 + 1)
    r = Maxout.relu_like(3, 2, seed=0)
    assert r.pieces == 2 and r.zero_piece
    sd = r.state_dict()
    assert (len(sd["weight"]), len(sd["weight"][0]), len(sd["weight"][0][0])) == (2, 1, 3)
    assert len(r.parameters()) == 2 * (3 + 1)
    assert all(p._role == "param" for p in r.parameters())
    group = r.group([1.0, 2.0, 3.0])[0]
    assert group[0].data == 0.0 and group[0]._role == "const" and group[0] not in r.parameters()


def test_maxout_bad_arguments():
    with pytest.raises(ValueError, match="pieces"):
        Maxout(2, 2, pieces=0)
    with pytest.raises(ValueError, match="pieces"):
        Maxout(2, 2, pieces=1, zero_piece=True)
    with pytest.raises(TypeError, match="zero_piece"):
        Maxout(2, 2, zero_piece=1)
    with pytest.raises(ValueError, match="got 3 inputs; expected 2"):
        Maxout(2, 2, seed=0)([1.0, 2.0, 3.0])
    assert Maxout(2, 2, seed=0).last_winners is None
    assert "pieces=3" in repr(Maxout(2, 2, pieces=3, seed=0))
