"""Dropout (lecture B3): masks, both scalings, resampling, fixed masks and the ensemble identity."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_tips.activations import Sigmoid
from micrograd_tips.dropout import (
    Dropout,
    all_masks,
    average_over_masks,
    ensemble_average,
    mask_probability,
)
from micrograd_tips.engine import Value
from micrograd_tips.nn import MLP, Linear, Sequential


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# -- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, math.nan, math.inf])
def test_p_outside_0_1_is_rejected(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(p)


@pytest.mark.parametrize("p", ["0.5", True, None])
def test_p_of_the_wrong_type_is_rejected(p):
    with pytest.raises(TypeError, match="Dropout"):
        Dropout(p)


def test_bad_scaling_resample_and_mask():
    with pytest.raises(ValueError, match="'lecture', 'inverted'"):
        Dropout(0.5, scaling="pytorch")
    with pytest.raises(ValueError, match="'batch', 'example'"):
        Dropout(0.5, resample="epoch")
    with pytest.raises(ValueError, match="rng or seed"):
        Dropout(0.5, seed=1, rng=random.Random(1))
    d = Dropout(0.5, seed=0)
    with pytest.raises(ValueError, match="only 0"):
        d.set_mask([1, 2])
    with pytest.raises(TypeError, match="0/1"):
        d.set_mask("101")
    with d.fixed_mask([1, 0]), pytest.raises(ValueError, match="mask has 2 units but the input has 3"):
        d([1.0, 2.0, 3.0])


# -- training: masks and their statistics --------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_mask_statistics(p):
    d = Dropout(p, resample="example", seed=123)
    n = 20_000
    dropped = sum(1 - m for _ in range(n // 100) for m in (d([1.0] * 100), d.last_mask)[1])
    sd = math.sqrt(n * p * (1 - p))
    assert abs(dropped - n * p) < 5 * sd  # binomial(n, p) within 5 standard deviations


def test_training_output_is_the_masked_input_in_both_scalings():
    x = [0.5, -1.5, 2.0, 4.0]
    mask = [1, 0, 0, 1]
    lecture, inverted = Dropout(0.25), Dropout(0.25, scaling="inverted")
    for d in (lecture, inverted):
        d.set_mask(mask)
    assert [v.data for v in lecture(x)] == [0.5, 0.0, 0.0, 4.0]
    assert [v.data for v in inverted(x)] == pytest.approx([0.5 / 0.75, 0.0, 0.0, 4.0 / 0.75], abs=1e-15)
    assert lecture.last_mask == (1, 0, 0, 1)


@pytest.mark.parametrize("scaling, kept_grad", [("lecture", 1.0), ("inverted", 1 / 0.6)])
def test_dropped_units_pass_no_gradient(scaling, kept_grad):
    xs = [Value(v) for v in (1.0, 2.0, 3.0)]
    d = Dropout(0.4, scaling=scaling)
    with d.fixed_mask([0, 1, 0]):
        out = d(xs)
    for a in out:
        a.backward()
    assert [v.grad for v in xs] == pytest.approx([0.0, kept_grad, 0.0], abs=1e-15)


# -- eval: the two scalings ------------------------------------------------------------------------


@given(p=st.floats(0, 0.99), xs=st.lists(st.floats(-100, 100), min_size=1, max_size=6))
def test_eval_scaling_of_both_forms(p, xs):
    lecture = Dropout(p, scaling="lecture").eval()
    inverted = Dropout(p, scaling="inverted").eval()
    assert [v.data for v in lecture(xs)] == pytest.approx([(1 - p) * x for x in xs], abs=1e-12)
    assert [v.data for v in inverted(xs)] == xs
    assert lecture.last_mask is None and inverted.last_mask is None


def test_lecture_and_inverted_agree_in_expectation_on_scale():
    # Training expectation = eval output: lecture E[m·x] = (1−p)x, inverted E[m·x/(1−p)] = x.
    x = [2.0, -3.0]
    for scaling in ("lecture", "inverted"):
        d = Dropout(0.3, scaling=scaling)
        avg = average_over_masks(lambda m, d=d: (d.set_mask(m), d(x))[1], 2, 0.3)
        d.set_mask(None)
        assert avg == pytest.approx([v.data for v in d.eval()(x)], abs=1e-15)


# -- resampling ---------------------------------------------------------------------------------


def test_batch_resampling_keeps_one_mask_per_forward_batch():
    d = Dropout(0.5, resample="batch", seed=0)
    ones = [[1.0] * 40] * 25
    first = [tuple(v.data for v in out) for out in d.forward_batch(ones)]
    assert len(set(first)) == 1  # every example of the batch saw the same mask
    second = [tuple(v.data for v in out) for out in d.forward_batch(ones)]
    assert len(set(second)) == 1 and second[0] != first[0]  # a new batch, a new mask (P(same) = 2⁻⁴⁰)


def test_example_resampling_draws_a_mask_per_example():
    d = Dropout(0.5, resample="example", seed=0)
    outs = [tuple(v.data for v in out) for out in d.forward_batch([[1.0] * 40] * 25)]
    assert len(set(outs)) == 25


def test_forward_outside_a_batch_is_a_batch_of_one():
    d = Dropout(0.5, resample="batch", seed=0)
    masks = set()
    for _ in range(10):
        d([1.0] * 40)
        masks.add(d.last_mask)
    assert len(masks) == 10


def test_batch_mask_inside_a_model():
    model = MLP(2, [30, 1], dropout=0.5, seed=4)
    model.forward_batch([[0.1, 0.2], [0.3, -0.4], [1.0, 0.0]])
    first = model.dropouts[0].last_mask
    model.forward_batch([[0.1, 0.2]])
    assert model.dropouts[0].last_mask != first
    model.eval()
    assert model([0.1, 0.2]).data == model([0.1, 0.2]).data


def test_fixed_mask_context_restores_sampling():
    d = Dropout(0.5, seed=0)
    with d.fixed_mask([1, 0, 1]):
        assert [v.data for v in d([1.0, 1.0, 1.0])] == [1.0, 0.0, 1.0]
        assert [v.data for v in d.forward_batch([[2.0, 2.0, 2.0]])[0]] == [2.0, 0.0, 2.0]
    masks = {(d([1.0] * 30), d.last_mask)[1] for _ in range(5)}
    assert len(masks) == 5


def test_p_zero_is_the_identity_and_dropout_has_no_state():
    d = Dropout(0.0)
    xs = [Value(1.0), Value(-2.0)]
    assert d(xs) == xs and d.eval()(xs) == xs
    assert d.state_dict() == {} and d.parameters() == []


# -- the ensemble view ---------------------------------------------------------------------------


def test_all_masks_and_their_probabilities():
    masks = list(all_masks(3))
    assert len(masks) == 8 and len(set(masks)) == 8 and all(len(m) == 3 for m in masks)
    assert mask_probability((0, 1, 1), 0.3) == pytest.approx(0.3 * 0.7 * 0.7, abs=1e-16)
    for m in range(6):
        assert math.fsum(mask_probability(k, 0.37) for k in all_masks(m)) == pytest.approx(1.0, abs=1e-14)
    with pytest.raises(ValueError, match="too many"):
        all_masks(21)


def test_the_lectures_exact_example():
    # One linear neuron z = w1·x1 + w2·x2, p = 50%: the four thinned networks give w1x1 + w2x2,
    # w2x2, w1x1 and 0, whose average ½(w1x1 + w2x2) is the network with halved weights.
    w1, w2, x1, x2 = 0.8, -1.7, 2.5, 0.6
    net = Sequential(Dropout(0.5), Linear(2, 1))
    net.load_state_dict({"1.weight": [[w1, w2]], "1.bias": [0.0]})
    expected = 0.5 * (w1 * x1 + w2 * x2)
    assert ensemble_average(net, [x1, x2]) == pytest.approx(expected, abs=1e-15)
    assert net.eval()([x1, x2]).data == pytest.approx(expected, abs=1e-15)


@st.composite
def linear_net(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3).filter(lambda s: sum(s[:-1]) <= 8))
    scaling = draw(st.sampled_from(["lecture", "inverted"]))
    ps = [draw(st.floats(0, 0.9)) for _ in sizes[:-1]]
    modules = []
    state = {}
    for k, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        modules += [Dropout(ps[k], scaling=scaling, seed=0), Linear(nin, nout, seed=0)]
        w = [[draw(st.floats(-2, 2)) for _ in range(nin)] for _ in range(nout)]
        state[f"{2 * k + 1}.weight"] = w
        state[f"{2 * k + 1}.bias"] = [draw(st.floats(-2, 2)) for _ in range(nout)]
    net = Sequential(*modules)
    net.load_state_dict(state)
    x = [draw(st.floats(-3, 3)) for _ in range(sizes[0])]
    return net, x


def as_floats(out) -> list[float]:
    return [v.data for v in out] if isinstance(out, list) else [out.data]


@settings(max_examples=60)
@given(linear_net())
def test_ensemble_identity_is_exact_for_linear_networks(case):
    net, x = case
    drops = [m for m in net if isinstance(m, Dropout)]
    widths = [m.nin for m in net if isinstance(m, Linear)]
    total = None
    # Enumerate every joint mask here, independently of ensemble_average.
    for masks in itertools.product(*(itertools.product((0, 1), repeat=w) for w in widths)):
        weight = 1.0
        for d, mask in zip(drops, masks):
            d.set_mask(mask)
            weight *= d.p ** mask.count(0) * (1 - d.p) ** mask.count(1)
        out = as_floats(net(x))
        total = [weight * o for o in out] if total is None else [t + weight * o for t, o in zip(total, out)]
    for d in drops:
        d.set_mask(None)
    eval_out = as_floats(net.eval()(x))
    assert total == pytest.approx(eval_out, abs=1e-12)
    net.train()
    helper = ensemble_average(net, x)
    assert (helper if isinstance(helper, list) else [helper]) == pytest.approx(eval_out, abs=1e-12)
    assert all(d.training for d in drops) and all(d._fixed is None for d in drops)


def test_ensemble_identity_fails_for_sigmoid():
    # The lecture's neuron with a sigmoid: w = (1, 1), x = (2, 2), p = 0.5.
    net = Sequential(Dropout(0.5), Linear(2, 1), Sigmoid())
    net.load_state_dict({"1.weight": [[1.0, 1.0]], "1.bias": [0.0]})
    average = (sigmoid(4.0) + 2 * sigmoid(2.0) + sigmoid(0.0)) / 4  # the four thinned networks
    eval_out = net.eval()([2.0, 2.0]).data
    assert eval_out == pytest.approx(sigmoid(2.0), abs=1e-15)
    assert ensemble_average(net.train(), [2.0, 2.0]) == pytest.approx(average, abs=1e-15)
    assert abs(average - eval_out) > 0.05  # 0.8112 vs 0.8808: only an approximation
