"""Testing helpers for the NumPy backend: a Tensor gradcheck and a Tensor replay backend.

- `tensor_gradcheck(f, inputs)`: the full Jacobian ∂out/∂input of every input, by backprop (one
  backward pass per output element, seeded with a one-hot array) against central finite
  differences in float64 (one pair of forwards per input element, relative step). The same rule,
  non-finite detection and report as the scalar `gradcheck` (one implementation:
  `testing._numeric`).
- `tensor_backend()`: a `replay.Backend` running a generated `Expression` on 0-d Tensors, so the
  two backends can be compared on random graphs (`replay.compare(expr, tensor_backend())`).

Needs NumPy. Lecture 0: the NumPy backend trains the MNIST demos; its ∇L must be right too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import fail
from ..tensor import Tensor
from . import _numeric as num
from ._numeric import DEFAULT_ATOL, DEFAULT_EPS, DEFAULT_RTOL
from .replay import Backend, StepImpl
from .strategies import _VALUE_OPS

__all__ = ["TensorGradcheckResult", "tensor_backend", "tensor_gradcheck"]


@dataclass(frozen=True)
class TensorGradcheckResult:
    """What `tensor_gradcheck` found.

    Attributes:
        ok:        True iff every Jacobian entry passes (``ok == rows[worst].ok``).
        analytic:  per input, the Jacobian by backprop, shape (out.size, input.size).
        numeric:   per input, the Jacobian by central differences, same shape.
        rows:      one `_numeric.Row` per Jacobian entry, input by input, row-major.
        worst:     index into `rows` of the worst entry (a failing one if any fails).
        name, atol, rtol, eps: as for `gradcheck`.
    """

    ok: bool
    analytic: tuple[np.ndarray, ...]
    numeric: tuple[np.ndarray, ...]
    rows: tuple[num.Row, ...]
    worst: int
    atol: float
    rtol: float
    eps: float
    name: str = "f"
    ops: tuple[str, ...] = ()

    def report(self) -> str:
        """Verdict, the ops, the worst entry, the failing entries first, and what to do."""
        settings = f"atol={self.atol:g}, rtol={self.rtol:g}, step=eps·max(|x|, 1) with eps={self.eps:g}"
        ordered = sorted(self.rows, key=lambda r: (r.ok, -r.miss if math.isfinite(r.miss) else -math.inf))
        return num.format_report(self.name, ordered, settings, self.ops, max_rows=20)

    def __str__(self) -> str:
        return self.report()


def _arrays(inputs: object) -> list[np.ndarray]:
    if isinstance(inputs, (Tensor, np.ndarray, str, bytes)) or not isinstance(inputs, Sequence):
        fail("tensor_gradcheck(inputs)", inputs, "a list/tuple of Tensors or arrays (one per argument of f)")
    if len(inputs) == 0:
        fail(
            "tensor_gradcheck(inputs)",
            inputs,
            "at least one input (with none, nothing would be checked)",
            ValueError,
        )
    arrays = []
    for i, x in enumerate(inputs):
        a = np.array(x.data if isinstance(x, Tensor) else Tensor(x).data, dtype=np.float64)
        if not np.all(np.isfinite(a)):
            fail(f"tensor_gradcheck(inputs) input #{i}", x, "finite numbers only", ValueError)
        arrays.append(a)
    return arrays


def _forward(
    f: Callable[..., Tensor], arrays: Sequence[np.ndarray], name: str
) -> tuple[Tensor, list[Tensor]]:
    leaves = [Tensor(a, requires_grad=True, label=f"x{i}") for i, a in enumerate(arrays)]
    out = f(*leaves)
    if not isinstance(out, Tensor):
        fail(f"tensor_gradcheck(f): {name}(...) returned", out, "a Tensor")
    return out, leaves


def _index(shape: tuple[int, ...], flat: int) -> str:
    return str([int(i) for i in np.unravel_index(flat, shape)]) if shape else ""


def tensor_gradcheck(
    f: Callable[..., Tensor],
    inputs: Sequence[Any],
    *,
    eps: float = DEFAULT_EPS,
    atol: float = DEFAULT_ATOL,
    rtol: float = DEFAULT_RTOL,
    raise_exception: bool = True,
) -> TensorGradcheckResult:
    """Compare the Jacobian of a Tensor function by backprop with central finite differences.

    For every input xₖ (a Tensor or array; checked in float64) and every pair (output element o,
    input element j): analytic Jₖ[o, j] from ``out.backward(eₒ)`` on a fresh graph (eₒ one-hot),
    numeric (f(x + h₊eⱼ) − f(x − h₋eⱼ))[o] / (h₊ + h₋) with h = eps·max(|xₖⱼ|, 1). An entry passes
    when both are finite and |analytic − numeric| ≤ atol + rtol·|numeric|; an inf/nan on either
    side, or an exception raised by f at x ± h, fails. Cost: out.size backward passes and
    2·Σ input.size forwards, so keep the shapes small (the strategies of
    `testing.tensor_strategies` draw sides ≤ 4).

    Example::

        tensor_gradcheck(lambda a, b: (a * b).tanh().sum(axis=0), [np.ones((2, 3)), np.ones(3)])
    """
    eps, atol, rtol = num.check_options("tensor_gradcheck", f, eps, atol, rtol, raise_exception)
    arrays = _arrays(inputs)
    name = getattr(f, "__qualname__", None) or type(f).__name__

    out, _ = _forward(f, arrays, name)
    f0 = np.array(out.data, dtype=np.float64)
    ops = num.graph_ops(out)
    m = f0.size
    rows: list[num.Row] = []
    analytic = [np.full((m, a.size), np.nan) for a in arrays]
    numeric = [np.full((m, a.size), np.nan) for a in arrays]
    if not np.all(np.isfinite(f0)):
        rows = [
            num.Row(f"f at the inputs: {num.F_NOT_FINITE}", math.nan, math.nan, num.F_NOT_FINITE, math.inf,
                    note=f"{int(np.sum(~np.isfinite(f0)))} of {m} output entries are not finite")
        ]  # fmt: skip
    else:
        if out.requires_grad:
            for o in range(m):  # row o of every Jacobian: one backward pass with a one-hot seed
                fresh, leaves = _forward(f, arrays, name)
                seed = np.zeros(m)
                seed[o] = 1.0
                fresh.backward(seed.reshape(f0.shape))
                for k, leaf in enumerate(leaves):
                    analytic[k][o] = 0.0 if leaf.grad is None else np.asarray(leaf.grad, np.float64).ravel()
        else:  # no input reached the output: every derivative is 0
            for k in range(len(arrays)):
                analytic[k][:] = 0.0
        for k, a in enumerate(arrays):
            flat = a.ravel()
            for j in range(a.size):  # column j of Jacobian k: two forwards
                hp, hm = num.step(float(flat[j]), eps)
                up, down = [x.copy() for x in arrays], [x.copy() for x in arrays]
                up[k].ravel()[j] += hp
                down[k].ravel()[j] -= hm
                f_up, raised_up = _safe_forward(f, up, name, f0.shape)
                f_down, raised_down = _safe_forward(f, down, name, f0.shape)
                numeric[k][:, j] = (f_up - f_down) / (hp + hm)
                left, right = (f0.ravel() - f_down) / hm, (f_up - f0.ravel()) / hp
                raised = ((raised_up, "+"), (raised_down, "−"))
                at = f"x{k}{_index(a.shape, j)}"
                note = "; ".join(f"f raised {msg} at {at} {sign} step" for msg, sign in raised if msg)
                for o in range(m):
                    where = f"∂out{_index(f0.shape, o)}/∂x{k}{_index(a.shape, j)} (x = {float(flat[j])!r})"
                    an, nu = float(analytic[k][o, j]), float(numeric[k][o, j])
                    if note:
                        rows.append(num.Row(where, an, nu, num.RAISED, math.inf, note=note))
                        continue
                    floor = num.resolution(float(f_up[o]), float(f_down[o]), hp, hm)
                    status, miss = num.verdict(an, nu, atol, rtol, floor)
                    rows.append(num.Row(where, an, nu, status, miss, float(left[o]), float(right[o])))
    worst = num.worst_index(rows)
    if worst is None:  # an output with no elements: nothing could be checked
        fail("tensor_gradcheck(f)", f, "a function whose output has at least one element", ValueError)
    result = TensorGradcheckResult(
        rows[worst].ok, tuple(analytic), tuple(numeric), tuple(rows), worst, atol, rtol, eps, name, ops
    )
    if not result.ok and raise_exception:
        raise AssertionError(result.report())
    return result


def _safe_forward(
    f: Callable[..., Tensor], arrays: Sequence[np.ndarray], name: str, shape: tuple[int, ...]
) -> tuple[np.ndarray, str]:
    """f's output as a flat float64 array, or all-nan and the exception's text if f raised."""
    try:
        data = np.array(_forward(f, arrays, name)[0].data, dtype=np.float64)
    except Exception as error:  # reported in the rows, never hidden
        return np.full(int(np.prod(shape)), np.nan), f"{type(error).__name__}({str(error)!r})"
    return data.ravel(), ""


# ---------------------------------------------------------------------------------------------
# Replay backend: a program's steps on 0-d Tensors
# ---------------------------------------------------------------------------------------------


def _stacked(a: Sequence[Tensor]) -> Tensor:
    """The 0-d Tensors a₀ … aₙ₋₁ as one vector Σ aᵢ·eᵢ (eᵢ one-hot constants): exact, and each
    entry's gradient flows back to its own aᵢ."""
    n = len(a)
    total = None
    for i, t in enumerate(a):
        e = np.zeros(n)
        e[i] = 1.0
        term = t * Tensor(e)
        total = term if total is None else total + term
    assert total is not None
    return total


def tensor_backend() -> Backend:
    """The NumPy backend (`micrograd_tips.tensor`), one 0-d float64 Tensor per node.

    n-ary steps use the Tensor ops: a sum and a dot are chains of `+` and `*`; a max is
    `Tensor.max()` of the stacked operands (first winner on ties, like the scalar engine).
    """

    def chain_sum(a: Sequence[Tensor]) -> Tensor:
        total = a[0] * 1.0  # a new node even for one operand (each step is its own node)
        for t in a[1:]:
            total = total + t
        return total

    def dot_step(a: Sequence[Tensor], c: float) -> Tensor:
        n = len(a) // 2
        z = chain_sum([w * x for w, x in zip(a[:n], a[n : 2 * n])])
        return z + a[-1] if len(a) % 2 else z

    ops: dict[str, StepImpl] = {  # a Tensor has Value's operators and methods: only the n-ary ops differ
        **_VALUE_OPS,
        "sum": lambda a, c: chain_sum(a),
        "dot": dot_step,
        "max": lambda a, c: _stacked(a).max(),
    }

    def grad(node: Tensor) -> float:
        return 0.0 if node.grad is None else float(np.asarray(node.grad).reshape(()))

    return Backend(
        name="tensor",
        leaf=lambda x: Tensor(x, requires_grad=True, dtype="float64"),
        ops=ops,
        value=lambda node: float(node.data),
        backward=lambda root: root.backward(),
        grad=grad,
    )
