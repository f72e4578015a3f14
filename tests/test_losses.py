"""Losses and accuracy: closed forms, PyTorch (float64) and stability at logits of ±1000."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips.engine import Value
from micrograd_tips.losses import accuracy, cross_entropy, hinge, log_softmax, mse, softmax

logit = st.floats(-50, 50)


@st.composite
def logits_batch(draw, low=-50.0, high=50.0):
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    rows = [[draw(st.floats(low, high)) for _ in range(k)] for _ in range(n)]
    targets = [draw(st.integers(0, k - 1)) for _ in range(n)]
    return rows, targets


def values(rows):
    return [[Value(z) for z in row] for row in rows]


# -- cross entropy ---------------------------------------------------------------------------------


def check_against_torch(rows, targets):
    torch = pytest.importorskip("torch")
    vs = values(rows)
    loss = cross_entropy(vs, targets)
    loss.backward()
    t = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t, torch.tensor(targets))
    t_loss.backward()
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-12, abs=1e-12)
    grads = [[v.grad for v in row] for row in vs]
    assert all(math.isfinite(g) for row in grads for g in row)
    for row, t_row in zip(grads, t.grad.tolist()):
        assert row == pytest.approx(t_row, rel=1e-10, abs=1e-12)


@settings(max_examples=50)
@given(logits_batch())
def test_cross_entropy_matches_torch(case):
    check_against_torch(*case)


@settings(max_examples=30)
@given(logits_batch(-1000.0, 1000.0))
def test_cross_entropy_matches_torch_for_huge_logits(case):
    check_against_torch(*case)


def test_cross_entropy_at_plus_minus_1000_does_not_overflow():
    rows = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]]
    targets = [1, 2, 0]
    check_against_torch(rows, targets)
    # closed forms: 2000, ≈0, log 2
    vs = values(rows)
    per_example = [float(cross_entropy(row, t)) for row, t in zip(vs, targets)]
    assert per_example == pytest.approx([2000.0, 0.0, math.log(2)], abs=1e-12)


def test_cross_entropy_closed_form_and_single_example():
    z = [1.0, 2.0, 0.5]
    lse = math.log(sum(math.exp(v) for v in z))
    assert cross_entropy(z, 1).data == pytest.approx(lse - 2.0, abs=1e-15)
    assert cross_entropy([z, z], [1, 0]).data == pytest.approx(((lse - 2.0) + (lse - 1.0)) / 2, abs=1e-15)
    vs = [Value(v) for v in z]
    cross_entropy(vs, 2).backward()
    p = [math.exp(v - lse) for v in z]
    assert [v.grad for v in vs] == pytest.approx([p[0], p[1], p[2] - 1.0], abs=1e-15)


# -- softmax / log_softmax ---------------------------------------------------------------------


@given(st.lists(st.floats(-1000, 1000), min_size=1, max_size=8))
def test_softmax_sums_to_one_and_is_positive_where_it_matters(zs):
    p = softmax(zs)
    assert math.fsum(v.data for v in p) == pytest.approx(1.0, abs=1e-12)
    assert all(0.0 <= v.data <= 1.0 for v in p)
    assert p[zs.index(max(zs))].data >= 1.0 / len(zs) - 1e-15


@settings(max_examples=40)
@given(logits_batch(-1000.0, 1000.0))
def test_softmax_and_log_softmax_match_torch(case):
    torch = pytest.importorskip("torch")
    rows, _ = case
    t = torch.tensor(rows, dtype=torch.float64)
    ours_p = [[v.data for v in row] for row in softmax(rows)]
    ours_lp = [[v.data for v in row] for row in log_softmax(rows)]
    for a, b in zip(ours_p, torch.softmax(t, dim=1).tolist()):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300)
    for a, b in zip(ours_lp, torch.log_softmax(t, dim=1).tolist()):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)
    assert all(math.isfinite(v) for row in ours_lp for v in row)


def test_softmax_gradient_matches_finite_differences():
    zs = [0.3, -1.2, 2.0]
    vs = [Value(z) for z in zs]
    out = softmax(vs)
    (out[0] * 1.5 - out[2] * 0.5).backward()
    h = 1e-6

    def f(z):
        e = [math.exp(v) for v in z]
        return (1.5 * e[0] - 0.5 * e[2]) / sum(e)

    for i in range(3):
        up, down = list(zs), list(zs)
        up[i] += h
        down[i] -= h
        assert vs[i].grad == pytest.approx((f(up) - f(down)) / (2 * h), rel=1e-6, abs=1e-9)


# -- mse and hinge -----------------------------------------------------------------------------


@given(
    st.lists(st.tuples(st.floats(-100, 100), st.floats(-100, 100)), min_size=1, max_size=6),
)
def test_mse_closed_form_value_and_gradient(pairs):
    ys = [Value(y) for y, _ in pairs]
    ts = [t for _, t in pairs]
    loss = mse(ys, ts)
    loss.backward()
    n = len(pairs)
    assert loss.data == pytest.approx(math.fsum((y - t) ** 2 for y, t in pairs) / n, rel=1e-12, abs=1e-12)
    for v, (y, t) in zip(ys, pairs):
        assert v.grad == pytest.approx(2 * (y - t) / n, rel=1e-12, abs=1e-12)


def test_mse_over_a_multi_output_batch_is_the_mean_over_all_elements():
    torch = pytest.importorskip("torch")
    out = [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]
    tgt = [[0.0, 2.5], [1.0, -1.0], [2.0, 1.0]]
    expected = torch.nn.functional.mse_loss(torch.tensor(out), torch.tensor(tgt)).item()
    assert mse(values(out), tgt).data == pytest.approx(expected, abs=1e-7)
    assert mse(Value(3.0), 1.0).data == 4.0


@given(st.lists(st.tuples(st.floats(-5, 5), st.sampled_from([-1, 1])), min_size=1, max_size=8))
def test_hinge_closed_form_value_and_gradient(pairs):
    ss = [Value(s) for s, _ in pairs]
    loss = hinge(ss, [y for _, y in pairs])
    loss.backward()
    n = len(pairs)
    assert loss.data == pytest.approx(math.fsum(max(0.0, 1 - y * s) for s, y in pairs) / n, abs=1e-12)
    for v, (s, y) in zip(ss, pairs):
        assert v.grad == (-y / n if 1 - y * s > 0 else 0.0)


# -- accuracy ----------------------------------------------------------------------------------


def test_accuracy_for_logits_and_for_scores():
    logits = [[0.1, 0.9, 0.0], [2.0, 1.0, 3.0], [0.5, 0.5, 0.1], [1.0, 0.0, 0.0]]
    assert accuracy(values(logits), [1, 0, 1, 0]) == 0.5  # the tie [0.5, 0.5] goes to class 0
    assert accuracy(values(logits), [1, 2, 0, 0]) == 1.0
    assert accuracy([Value(0.2), Value(-0.1)], 1) == 0.0  # one example, argmax 0
    scores = [Value(0.3), Value(-2.0), Value(0.0), Value(1.0)]
    assert accuracy(scores, [1, -1, 1, -1]) == 0.5  # score 0 predicts −1 (micrograd's rule)
    assert accuracy(Value(-0.5), -1) == 1.0


# -- bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: cross_entropy([[1.0, 2.0]], [2]), ValueError, r"targets\[0\] is 2.*\[0, 2\)"),
        (lambda: cross_entropy([[1.0, 2.0]], [-1]), ValueError, r"\[0, 2\)"),
        (lambda: cross_entropy([1.0, 2.0], 1.0), TypeError, "int class"),
        (lambda: cross_entropy([1.0, 2.0], True), TypeError, "int class"),
        (lambda: cross_entropy([[1.0, 2.0], [3.0, 4.0]], [0]), ValueError, "2 outputs but 1 targets"),
        (lambda: cross_entropy([[1.0, 2.0]], 0), TypeError, "list of 1 ints"),
        (lambda: cross_entropy([], []), ValueError, "empty"),
        (lambda: cross_entropy([[1.0], "ab"], [0, 0]), TypeError, r"outputs\[1\]"),
        (lambda: cross_entropy(Value(1.0), 0), TypeError, "logits"),
        (lambda: mse([Value(1.0), Value(2.0)], [1.0]), ValueError, "2 elements but targets has 1"),
        (lambda: mse([Value(1.0)], [[1.0]]), TypeError, r"targets\[0\]"),
        (lambda: mse([Value(1.0)], [math.nan]), ValueError, "finite"),
        (lambda: mse([], []), ValueError, "empty"),
        (lambda: hinge([Value(1.0)], [0]), ValueError, "−1 or \\+1"),
        (lambda: accuracy([Value(1.0)], [0]), ValueError, "−1 or \\+1"),
        (lambda: accuracy([[1.0, 2.0]], [5]), ValueError, r"\[0, 2\)"),
    ],
)
def test_bad_shapes_and_targets_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_targets_may_be_numpy_arrays():
    np = pytest.importorskip("numpy")
    rows = [[1.0, 2.0], [0.5, -0.5]]
    assert cross_entropy(values(rows), np.array([1, 0])).data == cross_entropy(values(rows), [1, 0]).data
    assert mse([Value(1.0), Value(2.0)], np.array([0.5, 1.5])).data == 0.25


def test_hinge_on_0_1_labels_points_to_signed_labels():
    from micrograd_tips.data import moons, signed_labels

    X, y = moons(8, seed=0)  # 0/1 labels
    scores = [Value(x[0] - x[1]) for x in X]
    with pytest.raises(ValueError, match=r"micrograd_tips\.data\.signed_labels"):
        hinge(scores, y)
    with pytest.raises(ValueError, match="signed_labels"):
        accuracy(scores, y)
    loss = hinge(scores, signed_labels(y))
    t = signed_labels(y)
    assert loss.data == pytest.approx(sum(max(0.0, 1 - ti * s.data) for ti, s in zip(t, scores)) / 8)
