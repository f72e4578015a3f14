"""Faults on the NumPy backend: threads racing the grad and anomaly modes, and Ctrl-C in backward.

- Grad mode and anomaly mode are per thread (`micrograd_tips._modes`, contextvars): a thread
  evaluating under ``no_grad()`` in a loop never disturbs another thread's training, which must
  give bit for bit the losses and gradients of the same training run alone.
- A KeyboardInterrupt may arrive at any point of `backward()`. It is injected (1) by a VJP that
  raises on its k-th call and (2) at the k-th line executed in the engine's and ops' code (a trace
  function), for every k, twice in a row; then ``zero_grad(); backward()`` on the same graph must
  give exactly the gradients of a fresh graph.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")

from micrograd_tips._modes import detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled  # noqa: E402
from micrograd_tips.tensor import Tensor, linear, losses, no_grad  # noqa: E402
from micrograd_tips.tensor import engine as tensor_engine  # noqa: E402
from micrograd_tips.tensor import nn as tnn  # noqa: E402
from micrograd_tips.tensor import ops as tensor_ops  # noqa: E402


@pytest.fixture
def fast_thread_switches() -> Iterator[None]:
    """Switch threads every microsecond instead of every 5 ms, so the races really interleave."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


# -- threads racing no_grad ------------------------------------------------------------------------


def _train(steps: int, check: Callable[[], None] = lambda: None) -> tuple[list[float], list[np.ndarray]]:
    """Plain SGD on a small MLP; every step checks that each parameter received a gradient."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.integers(0, 2, 16)
    model = tnn.MLP(3, [8, 2], "tanh", seed=1)
    history = []
    for _ in range(steps):
        check()
        model.zero_grad()
        loss = losses.cross_entropy(model.forward_batch(X), y)
        loss.backward()
        for p in model.parameters():
            assert p.grad is not None, "a parameter got no gradient"
            p.data -= 0.1 * p.grad
        history.append(float(loss))
    return history, [p.data.copy() for p in model.parameters()]


def test_evaluating_under_no_grad_in_one_thread_never_disturbs_training_in_another(
    fast_thread_switches,
) -> None:
    alone_losses, alone_params = _train(150)
    stop = threading.Event()
    errors: list[BaseException] = []
    shared = no_grad()  # one object, entered again and again (and by both evaluators at once)
    evaluations = [0, 0]

    def evaluate(slot: int) -> None:
        model = tnn.MLP(3, [8, 2], "tanh", seed=2)
        X = np.ones((4, 3))
        try:
            while not stop.is_set():
                with shared:
                    out = model.forward_batch(X)
                    assert not out.requires_grad and not is_grad_enabled()
                with no_grad(), no_grad():  # nested fresh objects too
                    assert not is_grad_enabled()
                assert is_grad_enabled()
                evaluations[slot] += 1
        except BaseException as e:
            errors.append(e)

    evaluators = [threading.Thread(target=evaluate, args=(i,)) for i in range(2)]
    for t in evaluators:
        t.start()
    try:
        raced_losses, raced_params = _train(
            150,
            check=lambda: (
                None
                if is_grad_enabled()
                else errors.append(AssertionError("grad mode was off in the training thread"))
            ),
        )
    finally:
        stop.set()
        for t in evaluators:
            t.join()
    assert not errors, errors
    assert min(evaluations) > 0  # the evaluators really ran alongside
    assert raced_losses == alone_losses  # bit for bit
    for a, b in zip(raced_params, alone_params):
        np.testing.assert_array_equal(a, b)


def test_a_thread_started_inside_no_grad_records_graphs() -> None:
    seen: list[bool] = []
    with no_grad():
        t = threading.Thread(
            target=lambda: seen.append((Tensor([1.0], requires_grad=True) * 2.0).requires_grad)
        )
        t.start()
        t.join()
        assert not (Tensor([1.0], requires_grad=True) * 2.0).requires_grad
    assert seen == [True]  # grad mode is per thread; a new thread starts with it on (as PyTorch)


def test_a_reused_no_grad_object_nests_and_restores() -> None:
    ng = no_grad()
    for _ in range(3):
        with ng:
            assert not is_grad_enabled()
            with ng, enable_grad():
                assert is_grad_enabled()
            assert not is_grad_enabled()
        assert is_grad_enabled()
    with pytest.raises(RuntimeError), ng:
        raise RuntimeError("an error inside the block")
    assert is_grad_enabled()


def test_no_grad_blocks_left_in_the_wrong_order_restore_grad_mode() -> None:
    # Two generators each suspended inside `with no_grad():`, closed in the order they were
    # opened (not the reverse): grad mode must stay off while one is open, then come back on.
    def evaluating() -> Iterator[None]:
        with no_grad():
            yield

    def scenario() -> None:
        first, second = evaluating(), evaluating()
        try:
            next(first)
            next(second)
            first.close()
            assert not is_grad_enabled()  # `second` is still inside its block
            second.close()
            assert is_grad_enabled()  # no block is open any more
        finally:  # close both here, not at garbage collection in another test's context
            first.close()
            second.close()

    contextvars.Context().run(scenario)  # a fresh context: a failure cannot leak into other tests


# -- anomaly mode is per thread --------------------------------------------------------------------


def test_anomaly_mode_in_one_thread_does_not_affect_another(fast_thread_switches) -> None:
    inside, done = threading.Event(), threading.Event()
    raised: list[BaseException] = []

    def watched() -> None:
        with detect_anomaly():
            inside.set()
            try:
                Tensor([0.0], requires_grad=True).log()
            except FloatingPointError as e:
                raised.append(e)
            done.wait(10)

    t = threading.Thread(target=watched)
    t.start()
    try:
        assert inside.wait(10)
        assert not is_anomaly_enabled()
        for _ in range(200):  # −inf and nan are legitimate IEEE results here
            x = Tensor([0.0, -1.0], requires_grad=True)
            (x.log() * 1.0).sum().backward()
            assert x.grad[0] == np.inf
    finally:
        done.set()
        t.join()
    assert len(raised) == 1 and "'log'" in str(raised[0])


# -- Ctrl-C at every point of a small backward -----------------------------------------------------


def _graph() -> tuple[Tensor, list[Tensor]]:
    """A small graph with what can go wrong: a node used twice, broadcasting, views, fused ops."""
    rng = np.random.default_rng(3)
    x = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    w, b = Tensor.parameter(rng.normal(size=(5, 3))), Tensor.parameter(rng.normal(size=5))
    w2, alpha = Tensor.parameter(rng.normal(size=(3, 5))), Tensor.parameter([0.25])
    h = linear(x, w, b, relu=True)  # (4, 5)
    g = h * h.sigmoid() + h.T.reshape(4, 5) - b  # h three times, b twice (broadcast)
    z = linear(g.prelu(alpha), w2)  # (4, 3)
    loss = losses.cross_entropy(z, np.array([0, 1, 2, 1])) + (x**2.0).mean() * 0.1 + z.tanh()[1:, ::2].sum()
    return loss, [x, w, b, w2, alpha]


def _reference() -> list[np.ndarray]:
    loss, leaves = _graph()
    loss.backward()
    return [leaf.grad.copy() for leaf in leaves]


def _all_nodes(root: Tensor) -> list[Tensor]:
    seen, stack = {root}, [root]
    while stack:
        for x in stack.pop()._prev:
            if x not in seen:
                seen.add(x)
                stack.append(x)
    return list(seen)


class _Interrupt:
    """Raise KeyboardInterrupt at the k-th event counted (k = 0: never)."""

    def __init__(self, k: int) -> None:
        self.k, self.count = k, 0

    def tick(self) -> None:
        self.count += 1
        if self.count == self.k:
            raise KeyboardInterrupt(f"injected at event {self.k}")


def _wrap_vjps(root: Tensor, interrupt: _Interrupt) -> Callable[[], None]:
    """Make every VJP of root's graph tick `interrupt` first; returns the undo."""
    originals = [(node, node._vjp) for node in _all_nodes(root) if node._vjp is not None]
    for node, vjp in originals:

        def ticking(out, g, vjp=vjp):
            interrupt.tick()
            return vjp(out, g)

        node._vjp = ticking
    return lambda: [setattr(node, "_vjp", vjp) for node, vjp in originals] and None


def _check_exact_after(
    root: Tensor, leaves: list[Tensor], reference: list[np.ndarray], zero_all: bool
) -> None:
    if zero_all:
        root.zero_grad()
    else:  # what Module.zero_grad / an optimizer does: only the leaves
        for leaf in leaves:
            leaf.grad = None
    root.backward()
    for leaf, expected in zip(leaves, reference):
        np.testing.assert_array_equal(leaf.grad, expected)


def test_interrupts_at_every_vjp_call_twice_in_a_row_leave_a_graph_that_backprops_exactly() -> None:
    reference = _reference()
    loss, _ = _graph()
    counter = _Interrupt(0)
    undo = _wrap_vjps(loss, counter)
    loss.backward()
    undo()
    calls = counter.count  # VJP calls in one backward
    tried = handled = 0
    for k1 in range(1, calls + 1):
        for k2 in range(1, calls + 1):
            for zero_all in (True, False):
                loss, leaves = _graph()
                for k in (k1, k2):
                    interrupt = _Interrupt(k)
                    undo = _wrap_vjps(loss, interrupt)
                    tried += 1
                    with pytest.raises(KeyboardInterrupt):
                        loss.backward()
                    handled += 1
                    undo()
                _check_exact_after(loss, leaves, reference, zero_all)
    assert calls >= 10 and tried == handled == 2 * 2 * calls * calls
    print(f"\nVJP-call interrupts: {calls} points, {tried} interrupts tried, {handled} handled")


def _engine_files() -> set[str]:
    return {str(Path(m.__file__).resolve()) for m in (tensor_engine, tensor_ops, losses)}


def _interrupt_at_line(k: int, run: Callable[[], None]) -> int:
    """Run `run` with a KeyboardInterrupt at the k-th line executed in the engine's files (0: none).
    Returns the number of lines counted (up to the interrupt)."""
    files, interrupt = _engine_files(), _Interrupt(k)

    def local(frame, event, arg):
        if event == "line":
            interrupt.tick()
        return local

    def global_(frame, event, arg):
        return local if frame.f_code.co_filename in files else None

    sys.settrace(global_)
    try:
        run()
    finally:
        sys.settrace(None)
    return interrupt.count


def test_interrupts_at_every_line_of_backward_twice_in_a_row_leave_a_graph_that_backprops_exactly() -> None:
    reference = _reference()
    loss, _ = _graph()
    lines = _interrupt_at_line(0, loss.backward)  # lines executed by one backward
    rng = np.random.default_rng(0)
    tried = handled = 0
    for k1 in range(1, lines + 1):
        for k2 in (k1, int(rng.integers(1, lines + 1))):  # the same point again, and a random one
            loss, leaves = _graph()
            with pytest.raises(KeyboardInterrupt):
                _interrupt_at_line(k1, loss.backward)
            try:  # the second call may run fewer lines (leaves already hold a gradient)
                _interrupt_at_line(k2, loss.backward)
                fired = 1
            except KeyboardInterrupt:
                fired = 2
            tried += fired
            _check_exact_after(loss, leaves, reference, zero_all=bool(k1 % 2))
            handled += fired
    assert lines > 100 and tried == handled >= 3 * lines
    print(f"\nline interrupts: {lines} points, {tried} interrupts tried, {handled} handled")
