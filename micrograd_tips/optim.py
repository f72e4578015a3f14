"""Optimizers (lecture A4: adaptive learning rates and momentum), written once for both backends.

An optimizer touches only ``p.data`` and ``p.grad`` of each parameter, with arithmetic that is
valid for a float (scalar `Value`) and for a NumPy array (the NumPy backend's `Tensor`):
``p.data -= step`` rebinds a float and updates an array in place; state is updated with augmented
assignments (``m *= beta1``), which are in place for arrays and rebind floats (then stored back).
The few temporaries (g², √v, m/√v) go through small helpers (`_mul`, `_sqrt`, `_div`) that return
a float for a float and write into a per-parameter scratch array for an array, so an array step
allocates nothing. A parameter whose ``grad`` is ``None`` is skipped; ``p.grad`` is never modified.
Timing against torch.optim: ``benchmarks/bench_optim_step.py``.

Two families live here:

* PyTorch's optimizers — `SGD`, `Adagrad`, `RMSprop`, `Adam`, `AdamW` — with torch.optim's names,
  arguments, defaults, parameter groups, argument checks and (in float64) the same trajectories.
* The lecture's exact forms — `Momentum`, `LectureAdagrad`, `LectureRMSProp` — whose docstrings
  are the slides' update rules (no ε, RMSProp starting at σ⁰ = |g⁰|).

Parameters are given as an iterable of parameters, of ``(name, parameter)`` pairs (e.g.
``model.named_parameters()``), or of PyTorch-style groups ``[{"params": [...], "lr": 0.1}, ...]``;
a group's own keys override the optimizer's defaults for that group.
"""

from __future__ import annotations

import copy
import math
import numbers
import sys
from collections.abc import Iterable
from typing import Any

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
    "Momentum",
    "LectureAdagrad",
    "LectureRMSProp",
]


# ---------------------------------------------------------------------------------------------
# Helpers valid for a float and for an ndarray
# ---------------------------------------------------------------------------------------------


def _full_like(x: Any, value: float) -> Any:
    """A new float (for a float) or array of x's shape and dtype, filled with `value`."""
    if isinstance(x, numbers.Real):
        return float(value)
    out = x.copy()
    out.fill(value)
    return out


def _copy(x: Any) -> Any:
    """A copy that can be updated in place without touching x (floats are immutable)."""
    return x if isinstance(x, numbers.Real) else x.copy()


def _work(state: dict[str, Any], key: str, like: Any) -> Any:
    """A scratch array of `like`'s shape kept in the state (None for a float parameter).

    Temporaries are written into it (``out=``), so a step allocates nothing: fresh arrays cost
    page faults that would dominate a memory-bound step. Keys starting with "_" are scratch,
    left out of `state_dict()`.
    """
    if isinstance(like, numbers.Real):
        return None
    buf = state.get(key)
    if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
        buf = state[key] = like.copy()
    return buf


def _numpy() -> Any:
    return sys.modules["numpy"]  # an array parameter means NumPy is loaded


def _mul(a: Any, b: Any, out: Any = None) -> Any:
    """a·b: a new float, or written into the scratch array `out`."""
    if out is None:
        return a * b
    return _numpy().multiply(a, b, out=out)


def _axpy(alpha: float, x: Any, y: Any, out: Any = None) -> Any:
    """α·x + y: a new float, or written into `out` (never into x or y)."""
    if out is None:
        return alpha * x + y
    _numpy().multiply(x, alpha, out=out)
    out += y
    return out


def _sqrt(x: Any, out: Any = None) -> Any:
    """√x; a negative float gives nan (as NumPy and PyTorch), not a complex number."""
    if type(x) is float:
        return math.sqrt(x) if x >= 0.0 else math.nan
    if out is None:
        return x**0.5
    return _numpy().sqrt(x, out=out)


def _div(a: Any, b: Any, out: Any = None) -> Any:
    """a / b; a float divided by 0.0 gives IEEE ±inf/nan instead of raising."""
    if type(b) is float:
        if b == 0.0:
            return math.nan if (a == 0.0 or a != a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
        return a / b
    if out is None:
        return a / b
    return _numpy().divide(a, b, out=out)


def _maximum_into(a: Any, b: Any) -> Any:
    """max(a, b) elementwise, written into a for arrays; nan propagates like torch.maximum."""
    if isinstance(a, numbers.Real):
        return b if (b > a or b != b) else a
    _numpy().maximum(a, b, out=a)
    return a


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------


def _real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: got {type(value).__name__} {value!r}; expected a real number.")
    return float(value)


def _at_least(name: str, value: object, low: float = 0.0, what: str = "value") -> None:
    v = _real(name, value)
    if not v >= low:  # also rejects nan
        raise ValueError(f"Invalid {what}: {name}={value!r}; expected a real number >= {low}.")


def _in_unit_interval(name: str, value: object, *, closed_right: bool = False) -> None:
    v = _real(name, value)
    ok = 0.0 <= v <= 1.0 if closed_right else 0.0 <= v < 1.0
    if not ok:
        interval = "[0, 1]" if closed_right else "[0, 1)"
        raise ValueError(f"Invalid {name} value: {value!r}; expected a real number in {interval}.")


def _flag(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: got {type(value).__name__} {value!r}; expected True or False.")


# ---------------------------------------------------------------------------------------------
# The base class: parameter groups, state, zero_grad, state_dict
# ---------------------------------------------------------------------------------------------


class Optimizer:
    """Base class: holds ``param_groups`` (list of dicts) and per-parameter ``state``.

    Every optimizer does θ ← θ − step(g, state) per parameter, g = ∂L/∂θ; plain gradient descent
    is step = η·g, and the subclasses adapt it (lecture A4: adaptive learning rate, momentum, Adam).

    ``state[i][j]`` is the state dict of parameter j of group i (empty until its first step).
    Subclasses set ``defaults``, implement `_check_group(group)` and `_update(p, g, state, group)`.
    """

    param_groups: list[dict[str, Any]]
    state: list[list[dict[str, Any]]]

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = []
        if isinstance(params, dict) or not isinstance(params, Iterable) or _is_parameter(params):
            raise TypeError(
                f"params: got {type(params).__name__}; expected an iterable of parameters, of "
                "(name, parameter) pairs, or of dicts with a 'params' key (parameter groups), "
                "e.g. model.parameters()."
            )
        items = list(params)
        if not items:
            raise ValueError("optimizer got an empty parameter list (params=[])")
        groups = items if all(isinstance(x, dict) for x in items) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group ``{"params": [...], **hyperparameters}``; missing keys take the defaults."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"param_group: got {param_group!r:.80}; expected a dict with a 'params' key.")
        group = dict(param_group)
        raw = group["params"]
        if _is_parameter(raw):
            raw = [raw]
        if isinstance(raw, (str, bytes, dict)) or not isinstance(raw, Iterable):
            raise TypeError(f"param_group['params']: got {type(raw).__name__}; expected an iterable.")
        params, names = _split_names(list(raw))
        if not params:
            raise ValueError("param_group['params'] is empty; every group needs a parameter.")
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        unknown = [k for k in group if k not in self.defaults and k not in ("params", "param_names")]
        if unknown:
            raise KeyError(
                f"param_group: unknown option(s) {unknown}; accepted: {sorted(self.defaults)} and 'params'."
            )
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_group(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError("a parameter group contains the same parameter twice")
        if seen.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)
        self.state.append([{} for _ in params])

    def _check_group(self, group: dict[str, Any]) -> None:
        """Check a group's hyperparameters; raise ValueError/TypeError naming the bad one.

        Here: lr, and eps / weight_decay / lr_decay / initial_accumulator_value (all ≥ 0) when
        the optimizer has them; subclasses check the rest.
        """
        _at_least("lr", group["lr"], what="learning rate")
        for key, what in _NON_NEGATIVE.items():
            if key in group:
                _at_least(key, group[key], what=what)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every gradient before the next backward pass.

        A float gradient (scalar `Value`) becomes 0.0 — the scalar engine accumulates into it.
        An array gradient (NumPy backend) becomes None when ``set_to_none`` (PyTorch's default: the
        next backward allocates it), otherwise it is zero-filled in place.
        """
        _flag("set_to_none", set_to_none)
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if isinstance(g, numbers.Real):
                    p.grad = 0.0
                elif set_to_none:
                    p.grad = None
                else:
                    g.fill(0.0)

    def step(self) -> None:
        """One update θ ← θ − (the optimizer's step) for every parameter whose grad is not None."""
        for group, states in zip(self.param_groups, self.state):
            for p, state in zip(group["params"], states):
                g = p.grad
                if g is not None:
                    self._update(p, g, state, group)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the state, PyTorch's layout: parameters are numbered across groups.

        ``{"state": {index: {...}}, "param_groups": [{hyperparameters..., "params": [indices]}]}``.
        """
        state: dict[int, dict[str, Any]] = {}
        groups = []
        index = 0
        for group, states in zip(self.param_groups, self.state):
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = list(range(index, index + len(group["params"])))
            groups.append(packed)
            for s in states:
                kept = {k: v for k, v in s.items() if not k.startswith("_")}
                if kept:
                    state[index] = copy.deepcopy(kept)
                index += 1
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()` taken from an optimizer with the same group sizes (checked first)."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError("state_dict: expected a dict with keys 'state' and 'param_groups'.")
        groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            raise TypeError(f"state_dict['param_groups']: got {groups!r:.80}; expected a list of dicts.")
        sizes = [len(g["params"]) for g in self.param_groups]
        given = [len(g.get("params", ())) for g in groups]
        if given != sizes:
            raise ValueError(
                f"state_dict: parameter group sizes {given} do not match this optimizer's {sizes}."
            )
        if not isinstance(saved_state, dict):
            raise TypeError(f"state_dict['state']: got {type(saved_state).__name__}; expected a dict.")
        stray = [k for k in saved_state if isinstance(k, bool) or k not in range(sum(sizes))]
        if stray:  # e.g. str keys after a JSON round trip: refuse rather than drop that state
            raise KeyError(
                f"state_dict['state']: keys {stray!r:.80} are not parameter indices 0..{sum(sizes) - 1}."
            )
        index = 0
        new_states = []
        for size in sizes:
            new_states.append([copy.deepcopy(saved_state.get(index + j, {})) for j in range(size)])
            index += size
        for group, saved in zip(self.param_groups, groups):
            candidate = {**group, **{k: v for k, v in saved.items() if k != "params"}}
            self._check_group(candidate)
        for group, saved in zip(self.param_groups, groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = new_states

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            opts = ", ".join(f"{k}={v}" for k, v in group.items() if k not in ("params", "param_names"))
            lines.append(f"  group {i}: {len(group['params'])} params, {opts}")
        return "\n".join([*lines, ")"])


_NON_NEGATIVE = {
    "eps": "epsilon value",
    "weight_decay": "weight_decay value",
    "lr_decay": "lr_decay value",
    "initial_accumulator_value": "initial value",
}


def _with_weight_decay(p: Any, g: Any, state: dict[str, Any], wd: float) -> Any:
    """g + λθ (coupled L2, lecture B2) in a scratch array; p.grad itself is never modified."""
    return g if wd == 0 else _axpy(wd, p.data, g, _work(state, "_grad", p.data))


def _is_parameter(x: object) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _split_names(items: list[Any]) -> tuple[list[Any], list[str] | None]:
    """Parameters from a list of parameters or of (name, parameter) pairs."""
    named = [isinstance(x, tuple) for x in items]
    if any(named) and not all(named):
        raise TypeError("params: mixes (name, parameter) pairs with bare parameters; use one kind.")
    params = [x[1] for x in items] if all(named) and items else items
    for x, p in zip(items, params):
        if not _is_parameter(p):
            raise TypeError(
                f"params: got {type(x).__name__} {x!r:.60}; expected a parameter with .data and .grad "
                "(a Value or a Tensor) or a (name, parameter) pair."
            )
    names = [str(x[0]) for x in items] if all(named) and items else None
    return params, names


# ---------------------------------------------------------------------------------------------
# PyTorch's optimizers
# ---------------------------------------------------------------------------------------------


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD`` (lecture A4, B2).

    g ← g + weight_decay·θ;  b₁ = g,  b_t = μ·b_{t−1} + (1 − dampening)·g;
    direction = g + μ·b_t (nesterov) or b_t;   θ ← θ − lr·direction.
    With dampening 0 this is the lecture's momentum with v = −lr·b (see `Momentum`), and
    weight_decay is the lecture's L2 update w ← (1 − ηλ)w − η∂L/∂w (biases too, unless a group
    sets ``weight_decay=0``).
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "nesterov": nesterov,
            "weight_decay": weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        _at_least("momentum", group["momentum"], what="momentum value")
        _real("dampening", group["dampening"])
        _flag("nesterov", group["nesterov"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening; got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}."
            )

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        mu = group["momentum"]
        g = _with_weight_decay(p, g, state, group["weight_decay"])
        direction = g
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = _copy(g)  # b₁ = g
            else:
                buf *= mu
                damp = group["dampening"]
                if damp == 0:
                    buf += g
                else:
                    buf += _mul(g, 1 - damp, _work(state, "_work", p.data))
            state["momentum_buffer"] = buf
            direction = _axpy(mu, buf, g, _work(state, "_work", p.data)) if group["nesterov"] else buf
        p.data -= _mul(direction, group["lr"], _work(state, "_work", p.data))


class Adagrad(Optimizer):
    """Adagrad as ``torch.optim.Adagrad`` (lecture A4, with PyTorch's ε and lr_decay).

    g ← g + weight_decay·θ;  clr = lr / (1 + (t − 1)·lr_decay);  s ← s + g²  (s₀ =
    initial_accumulator_value);   θ ← θ − clr·g / (√s + ε).
    The lecture's form (no ε, no decay) is `LectureAdagrad`.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
        }
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        if "step" not in state:
            state["step"] = 0
            state["sum"] = _full_like(p.data, group["initial_accumulator_value"])
        t = state["step"] = state["step"] + 1
        g = _with_weight_decay(p, g, state, group["weight_decay"])
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        work = _work(state, "_work", p.data)
        total = state["sum"]
        total += _mul(g, g, work)
        state["sum"] = total
        std = _sqrt(total, work)
        std += group["eps"]
        step = _div(g, std, work)
        step *= clr
        p.data -= step


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop`` (lecture A4, Hinton's RMSProp with PyTorch's ε and v₀ = 0).

    g ← g + weight_decay·θ;  v ← α·v + (1 − α)·g²;  centered: ḡ ← α·ḡ + (1 − α)·g and
    d = √(v − ḡ²) + ε, else d = √v + ε;  momentum μ > 0: b ← μ·b + g/d, θ ← θ − lr·b;
    otherwise θ ← θ − lr·g/d.  The first step is ≈ lr·sign(g)/√(1 − α), not the lecture's
    lr·sign(g): the lecture's form is `LectureRMSProp`.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        _at_least("momentum", group["momentum"], what="momentum value")
        _in_unit_interval("alpha", group["alpha"], closed_right=True)
        _flag("centered", group["centered"])

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, mu = group["alpha"], group["momentum"]
        if "step" not in state:
            state["step"] = 0
            state["square_avg"] = _full_like(p.data, 0.0)
            if mu > 0:
                state["momentum_buffer"] = _full_like(p.data, 0.0)
            if group["centered"]:
                state["grad_avg"] = _full_like(p.data, 0.0)
        state["step"] += 1
        g = _with_weight_decay(p, g, state, group["weight_decay"])
        work = _work(state, "_work", p.data)
        sq = state["square_avg"]
        sq *= alpha
        g2 = _mul(g, g, work)
        g2 *= 1 - alpha
        sq += g2
        state["square_avg"] = sq
        if group["centered"]:
            ga = state["grad_avg"]
            ga -= g  # ḡ ← g + α(ḡ − g), the lerp form PyTorch uses
            ga *= alpha
            ga += g
            state["grad_avg"] = ga
            spread = _mul(ga, ga, work)
            spread *= -1.0
            spread += sq
            denom = _sqrt(spread, work)
        else:
            denom = _sqrt(sq, work)
        denom += group["eps"]
        ratio = _div(g, denom, work)
        if mu > 0:
            buf = state["momentum_buffer"]
            buf *= mu
            buf += ratio
            state["momentum_buffer"] = buf
            ratio = _mul(buf, group["lr"], work)
        else:
            ratio *= group["lr"]
        p.data -= ratio


class Adam(Optimizer):
    """Adam as ``torch.optim.Adam`` = RMSProp + momentum (lecture A4; Kingma & Ba, Algorithm 1).

    g ← g + weight_decay·θ (coupled L2);  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
    m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) (amsgrad: v replaced by max of all v so far);
    θ ← θ − lr·m̂/(√v̂ + ε).
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: got {betas!r}; expected a pair (beta1, beta2).")
        for i, beta in enumerate(betas):
            _real(f"betas[{i}]", beta)
            if not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"Invalid beta parameter at index {i}: {beta!r}; expected a real number in [0, 1)."
                )
        _flag("amsgrad", group["amsgrad"])

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, wd = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if "step" not in state:
            state["step"] = 0
            state["exp_avg"] = _full_like(p.data, 0.0)
            state["exp_avg_sq"] = _full_like(p.data, 0.0)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = _full_like(p.data, 0.0)
        t = state["step"] = state["step"] + 1
        if self._decoupled:
            if wd != 0:
                p.data *= 1 - lr * wd
        else:
            g = _with_weight_decay(p, g, state, wd)
        work = _work(state, "_work", p.data)
        m = state["exp_avg"]  # m ← g + β₁(m − g) = β₁m + (1 − β₁)g
        m -= g
        m *= beta1
        m += g
        state["exp_avg"] = m
        v = state["exp_avg_sq"]
        v *= beta2
        g2 = _mul(g, g, work)
        g2 *= 1 - beta2
        v += g2
        state["exp_avg_sq"] = v
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"] = _maximum_into(state["max_exp_avg_sq"], v)
        step_size = lr / (1 - beta1**t)
        if step_size == 0:  # lr = 0: nothing moves (and no 0·inf below)
            return
        # θ ← θ − step_size·m / (√v/√(1 − β₂ᵗ) + ε), with both scalars folded into the denominator
        denom = _sqrt(v, work)
        denom *= 1.0 / (math.sqrt(1 - beta2**t) * step_size)
        denom += group["eps"] / step_size
        p.data -= _div(m, denom, work)


class AdamW(Adam):
    """AdamW as ``torch.optim.AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter).

    θ ← θ·(1 − lr·weight_decay), then the Adam step on the plain gradient (lecture A4 + B2).
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


# ---------------------------------------------------------------------------------------------
# The lecture's exact forms
# ---------------------------------------------------------------------------------------------


class Momentum(Optimizer):
    """The lecture's momentum (A4): v⁰ = 0;  v ← λ·v − η·∇L(θ);  θ ← θ + v.

    The movement is the last movement minus the present gradient. Equals ``SGD(momentum=λ)``
    with v = −lr·b while lr is constant. Arguments: lr = η, momentum = λ.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, momentum: float = 0.9) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        _in_unit_interval("momentum", group["momentum"], closed_right=True)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        v = state.get("velocity")
        v = _full_like(p.data, 0.0) if v is None else v
        v *= group["momentum"]
        v -= _mul(g, group["lr"], _work(state, "_work", p.data))
        state["velocity"] = v
        p.data += v


class LectureAdagrad(Optimizer):
    """The lecture's Adagrad (A4), without ε:  w^{t+1} = w^t − η / √(Σ_{i=0..t} (g^i)²) · g^t.

    Where every gradient so far was 0 the slide's 0/0 is read as a step of 0.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2) -> None:
        super().__init__(params, {"lr": lr})

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        total = state.get("sum_sq")
        if total is None:
            total = g * g
        else:
            total += g * g
        state["sum_sq"] = total
        _descend(p, g, _sqrt(total), group["lr"])


class LectureRMSProp(Optimizer):
    """The lecture's RMSProp (A4, Hinton), without ε, starting at σ⁰ = |g⁰|:

    σ^t = √(α(σ^{t−1})² + (1 − α)(g^t)²);   w^{t+1} = w^t − η/σ^t · g^t.
    So the first step is η·sign(g⁰). A σ of 0 (all gradients 0 so far) gives a step of 0.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.9) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha})

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        _in_unit_interval("alpha", group["alpha"], closed_right=True)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha = group["alpha"]
        sigma_sq = state.get("sigma_sq")
        if sigma_sq is None:
            sigma_sq = g * g  # (σ⁰)² = (g⁰)²
        else:
            sigma_sq *= alpha
            sigma_sq += (1 - alpha) * (g * g)
        state["sigma_sq"] = sigma_sq
        _descend(p, g, _sqrt(sigma_sq), group["lr"])


def _descend(p: Any, g: Any, sigma: Any, lr: float) -> None:
    """θ ← θ − lr·g/σ, with 0/0 read as 0 (σ = 0 only where every gradient so far was 0)."""
    sigma += sigma == 0  # adds 1 exactly where σ = 0 (g = 0 there, so the step is 0)
    step = _div(g, sigma)
    step *= lr
    p.data -= step
