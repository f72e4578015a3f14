"""Optimizers (lecture A4: adaptive learning rates and momentum), written once for both backends.

Every optimizer does θ ← θ − step(g) for each parameter, g = ∂L/∂θ; each `_update` below is its
slide's rule. The lecture's exact forms — `Momentum`, `LectureAdagrad`, `LectureRMSProp`,
`LectureAdam` — have the slides' formulas as docstrings (no ε in Adagrad/RMSProp, σ⁰ = |g⁰|).
PyTorch's — `SGD`, `Adagrad`, `RMSprop`, `Adam`, `AdamW` — take torch.optim's names, arguments,
defaults and parameter groups, and follow the same trajectories (tests/test_optim_oracle.py).

A parameter is a scalar `Value` (``.data``/``.grad`` floats) or a NumPy-backend Tensor (ndarrays);
a parameter whose ``grad`` is None is skipped, and ``p.grad`` is never modified. The arithmetic
is written once for both: `_InPlace` computes each formula for a float, and for an ndarray writes
it into the state arrays themselves (the NumPy backend's speed lives there and only there).
Weight decay is applied once, in `Optimizer.step`.

Parameters are given as an iterable of parameters, of ``(name, parameter)`` pairs (e.g.
``model.named_parameters()``), or of PyTorch-style groups ``[{"params": [...], "lr": 0.1}, ...]``;
a group's own keys override the optimizer's defaults for that group.
"""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from . import _ieee
from ._checks import check_bool, check_nonnegative, check_range, check_real, fail

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
    "LectureAdam",
]


Checks = dict[str, Callable[[str, Any], Any]]  # hyperparameter -> its one-line check


def _unit_interval(name: str, x: object) -> float:
    return check_range(name, x, 0.0, 1.0, include_high=True)


def _betas(name: str, betas: object) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        fail(name, betas, "a pair (beta1, beta2)")
    return check_range(f"{name}[0]", betas[0], 0.0, 1.0), check_range(f"{name}[1]", betas[1], 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# The base class: parameter groups, state, weight decay, zero_grad, state_dict
# ---------------------------------------------------------------------------------------------


class Optimizer:
    """Base class: holds ``param_groups`` (list of dicts) and per-parameter ``state``.

    ``state[i][j]`` is the state dict of parameter j of group i (empty until its first step).
    A subclass lists its hyperparameters with their checks in ``hyperparameters`` (one line each)
    and implements `_update(p, g, state, group)`: its slide's rule for one parameter.
    """

    hyperparameters: ClassVar[Checks] = {"lr": check_nonnegative}
    decoupled_weight_decay = False  # AdamW: θ ← (1 − ηλ)θ instead of g ← g + λθ

    param_groups: list[dict[str, Any]]
    state: list[list[dict[str, Any]]]

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = []
        self._in_place = _InPlace()
        if isinstance(params, dict) or not isinstance(params, Iterable) or _is_parameter(params):
            fail("params", params, _PARAMS)
        items = list(params)
        if not items:
            fail("params", items, "at least one parameter (the optimizer got an empty list)", ValueError)
        groups = items if all(isinstance(x, dict) for x in items) else [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group ``{"params": [...], **hyperparameters}``; missing keys take the defaults."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            fail("param_group", param_group, "a dict with a 'params' key")
        group = dict(param_group)
        raw = [group["params"]] if _is_parameter(group["params"]) else group["params"]
        if isinstance(raw, (str, bytes, dict)) or not isinstance(raw, Iterable):
            fail("param_group['params']", raw, "an iterable of parameters")
        params, names = _split_names(list(raw))
        if not params:
            fail("param_group['params']", params, "at least one parameter", ValueError)
        group["params"] = params
        if names is not None:
            group["param_names"] = names
        unknown = [k for k in group if k not in self.defaults and k not in ("params", "param_names")]
        if unknown:
            fail("param_group", unknown, f"options among {sorted(self.defaults)} and 'params'", KeyError)
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_group(group)
        others, mine = {id(p) for g in self.param_groups for p in g["params"]}, set()
        for p in params:
            if id(p) in mine:
                fail("params", p, "each parameter once (this one appears twice)", ValueError)
            if id(p) in others:
                fail("params", p, "each parameter in one group (this one is in more than one)", ValueError)
            mine.add(id(p))
        self.param_groups.append(group)
        self.state.append([{} for _ in params])

    def _check_group(self, group: dict[str, Any]) -> None:
        """Check each hyperparameter (one line each in ``hyperparameters``), storing its canonical value."""
        for key, check in self.hyperparameters.items():
            group[key] = check(key, group[key])

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every gradient before the next backward pass.

        A float gradient (scalar `Value`) becomes 0.0 — the scalar engine accumulates into it.
        An array gradient (NumPy backend) becomes None when ``set_to_none`` (PyTorch's default: the
        next backward allocates it), otherwise it is zero-filled in place.
        """
        check_bool("set_to_none", set_to_none)
        for group in self.param_groups:
            for p in group["params"]:
                if isinstance(p.grad, (float, int)):
                    p.grad = 0.0
                elif p.grad is not None and set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.fill(0.0)

    def step(self) -> None:
        """One update θ ← θ − (the optimizer's step) for every parameter whose grad is not None.

        Weight decay (lecture B2) is applied here, once for every optimizer: PyTorch's
        ``weight_decay`` λ is the L2 gradient g = ∂L/∂θ + λθ, or for AdamW the decoupled
        shrink θ ← (1 − ηλ)θ before the step.
        """
        for group, states in zip(self.param_groups, self.state):
            decay = group.get("weight_decay", 0.0)
            for p, state in zip(group["params"], states):
                g = p.grad
                if g is None:
                    continue
                if decay and self.decoupled_weight_decay:
                    p.data *= 1 - group["lr"] * decay
                elif decay:
                    g = g + decay * p.data
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
                if s:
                    state[index] = copy.deepcopy(s)
                index += 1
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict()` taken from an optimizer with the same group sizes (checked first)."""
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            fail("state_dict", state_dict, "a dict with keys 'state' and 'param_groups'", ValueError)
        groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
            fail("state_dict['param_groups']", groups, "a list of dicts")
        sizes = [len(g["params"]) for g in self.param_groups]
        given = [len(g.get("params", ())) for g in groups]
        if given != sizes:
            fail("state_dict['param_groups']", given, f"this optimizer's group sizes {sizes}", ValueError)
        if not isinstance(saved_state, dict):
            fail("state_dict['state']", saved_state, "a dict")
        stray = [k for k in saved_state if isinstance(k, bool) or k not in range(sum(sizes))]
        if stray:  # e.g. str keys after a JSON round trip: refuse rather than drop that state
            fail(
                "state_dict['state']", stray, f"keys that are parameter indices 0..{sum(sizes) - 1}", KeyError
            )
        index = 0
        new_states = []
        for size in sizes:
            new_states.append([copy.deepcopy(saved_state.get(index + j, {})) for j in range(size)])
            index += size
        for group, saved in zip(self.param_groups, groups):
            self._check_group({**group, **{k: v for k, v in saved.items() if k != "params"}})
        for group, saved in zip(self.param_groups, groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = new_states

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            opts = ", ".join(f"{k}={v}" for k, v in group.items() if k not in ("params", "param_names"))
            lines.append(f"  group {i}: {len(group['params'])} params, {opts}")
        return "\n".join([*lines, ")"])


_PARAMS = (
    "an iterable of parameters, of (name, parameter) pairs or of dicts with a 'params' key "
    "(parameter groups), e.g. model.parameters()"
)


def _is_parameter(x: object) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _split_names(items: list[Any]) -> tuple[list[Any], list[str] | None]:
    """Parameters from a list of parameters or of (name, parameter) pairs."""
    named = [isinstance(x, tuple) for x in items]
    if any(named) and not all(named):
        fail("params", items[named.index(False)], "only (name, parameter) pairs or only parameters")
    params = [x[1] for x in items] if all(named) and items else items
    for x in params:
        if not _is_parameter(x):
            fail("params", x, "a parameter (Value or Tensor) or a (name, parameter) pair")
    names = [str(x[0]) for x in items] if all(named) and items else None
    return params, names


# ---------------------------------------------------------------------------------------------
# PyTorch's optimizers
# ---------------------------------------------------------------------------------------------


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD`` (lecture A4, B2).

    b¹ = g,  bᵗ = μ·bᵗ⁻¹ + (1 − dampening)·g;   direction d = g + μ·b (nesterov) or b (μ = 0: d = g);
    θ ← θ − η·d.  With dampening 0 this is the lecture's momentum with v = −η·b (see `Momentum`),
    and ``weight_decay`` λ is the lecture's L2 update θ ← (1 − ηλ)θ − η·∂L/∂θ (biases too, unless
    a group sets ``weight_decay=0``).
    """

    hyperparameters: ClassVar[Checks] = {
        "lr": check_nonnegative,
        "momentum": check_nonnegative,
        "dampening": check_real,
        "nesterov": check_bool,
        "weight_decay": check_nonnegative,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(
            lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        mu, tau = group["momentum"], group["dampening"]
        if group["nesterov"] and (mu <= 0 or tau != 0):
            fail("nesterov", True, f"momentum > 0 and dampening 0 (got {mu}, {tau})", ValueError)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        mu, tau, ops, d = group["momentum"], group["dampening"], self._in_place, g
        if mu != 0:
            b = state.get("momentum_buffer")
            b = ops.copy(g) if b is None else ops.weighted_sum(mu, b, 1 - tau, g)  # b¹ = g; b = μb + (1 − τ)g
            state["momentum_buffer"] = b
            d = g + mu * b if group["nesterov"] else b
        ops.descend(p, group["lr"], d)  # θ ← θ − η·d


class Adagrad(Optimizer):
    """Adagrad as ``torch.optim.Adagrad`` (lecture A4, with PyTorch's ε and lr_decay).

    s⁰ = initial_accumulator_value;  s ← s + g²;  ηₜ = η / (1 + (t − 1)·lr_decay);
    θ ← θ − ηₜ·g / (√s + ε).  The lecture's form (no ε, no decay) is `LectureAdagrad`.
    """

    hyperparameters: ClassVar[Checks] = {
        "lr": check_nonnegative,
        "lr_decay": check_nonnegative,
        "weight_decay": check_nonnegative,
        "initial_accumulator_value": check_nonnegative,
        "eps": check_nonnegative,
    }

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        s, t = state.get("sum", group["initial_accumulator_value"]), state.get("step", 0) + 1
        s = self._in_place.weighted_sum(1.0, s, 1.0, g, g)  # s = s + g²
        state.update(step=t, sum=s)
        lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])  # ηₜ
        self._in_place.descend(p, lr_t, g, s, 1.0, group["eps"])  # θ ← θ − ηₜ·g/(√s + ε)


class RMSprop(Optimizer):
    """RMSprop as ``torch.optim.RMSprop`` (lecture A4, Hinton's RMSProp with PyTorch's ε and v⁰ = 0).

    v ← α·v + (1 − α)·g²;  centered: ḡ ← α·ḡ + (1 − α)·g and d = √(v − ḡ²) + ε, else d = √v + ε;
    momentum μ > 0: b ← μ·b + g/d, θ ← θ − η·b;  otherwise θ ← θ − η·g/d.  The first step is
    ≈ η·sign(g)/√(1 − α), not the lecture's η·sign(g): the lecture's form is `LectureRMSProp`.
    """

    hyperparameters: ClassVar[Checks] = {
        "lr": check_nonnegative,
        "alpha": _unit_interval,
        "eps": check_nonnegative,
        "weight_decay": check_nonnegative,
        "momentum": check_nonnegative,
        "centered": check_bool,
    }

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
        defaults = dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum, centered=centered
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, mu, eps, ops = group["alpha"], group["momentum"], group["eps"], self._in_place
        v, t = state.get("square_avg", 0.0), state.get("step", 0) + 1
        v = ops.weighted_sum(alpha, v, 1 - alpha, g, g)  # v = αv + (1 − α)g²
        state.update(step=t, square_avg=v)
        if group["centered"]:  # ḡ = αḡ + (1 − α)g, and v − ḡ² (the variance of g) replaces v
            g_avg = state["grad_avg"] = ops.weighted_sum(alpha, state.get("grad_avg", 0.0), 1 - alpha, g)
            v = v - g_avg * g_avg
        if mu > 0:  # b = μb + g/(√v + ε);  θ ← θ − η·b
            b = ops.weighted_sum(mu, state.get("momentum_buffer", 0.0), 1.0, _ieee_div(g, _sqrt(v) + eps))
            state["momentum_buffer"] = b
            ops.descend(p, group["lr"], b)
        else:  # θ ← θ − η·g/(√v + ε)
            ops.descend(p, group["lr"], g, v, 1.0, eps)


class Adam(Optimizer):
    """Adam as ``torch.optim.Adam`` = RMSProp + momentum (lecture A4; Kingma & Ba, Algorithm 1).

    m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);
    θ ← θ − η·m̂/(√v̂ + ε).  amsgrad: v̂ uses the largest v so far.  weight_decay λ is coupled
    L2 (g ← g + λθ); `AdamW` decouples it.  The lecture's form, without these options, is `LectureAdam`.
    """

    hyperparameters: ClassVar[Checks] = {
        "lr": check_nonnegative,
        "betas": _betas,
        "eps": check_nonnegative,
        "weight_decay": check_nonnegative,
        "amsgrad": check_bool,
    }

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

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        (beta1, beta2), ops = group["betas"], self._in_place
        m, v, t = state.get("exp_avg", 0.0), state.get("exp_avg_sq", 0.0), state.get("step", 0) + 1
        m = ops.weighted_sum(beta1, m, 1 - beta1, g)  # m = β₁m + (1 − β₁)g
        v = ops.weighted_sum(beta2, v, 1 - beta2, g, g)  # v = β₂v + (1 − β₂)g²
        state.update(step=t, exp_avg=m, exp_avg_sq=v)
        if group.get("amsgrad"):  # v̂ from the largest v so far
            v = state["max_exp_avg_sq"] = ops.maximum(state.get("max_exp_avg_sq", 0.0), v)
        # θ ← θ − η·m̂/(√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ); η/(1 − β₁ᵗ) is one number
        ops.descend(p, group["lr"] / (1 - beta1**t), m, v, 1 - beta2**t, group["eps"])


class AdamW(Adam):
    """AdamW as ``torch.optim.AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter).

    θ ← (1 − η·λ)·θ, then the Adam step on the plain gradient (lecture A4 + B2).
    """

    decoupled_weight_decay = True

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
    with v = −η·b while η is constant. Arguments: lr = η, momentum = λ.
    """

    hyperparameters: ClassVar[Checks] = {"lr": check_nonnegative, "momentum": _unit_interval}

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, momentum: float = 0.9) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum})

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        v = state.get("velocity", 0.0)
        v = state["velocity"] = self._in_place.weighted_sum(group["momentum"], v, -group["lr"], g)  # λv − ηg
        p.data += v  # θ ← θ + v


class LectureAdagrad(Optimizer):
    """The lecture's Adagrad (A4), without ε:  w^{t+1} = w^t − η / √(Σ_{i=0..t} (g^i)²) · g^t.

    Where every gradient so far was 0 the slide's 0/0 is read as a step of 0.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2) -> None:
        super().__init__(params, {"lr": lr})

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        total = state.get("sum_sq", 0.0)
        total = state["sum_sq"] = self._in_place.weighted_sum(1.0, total, 1.0, g, g)  # Σᵢ (gⁱ)²
        self._in_place.descend(p, group["lr"], g, total, lecture=True)  # w ← w − η·g/√Σᵢ (gⁱ)²


class LectureRMSProp(Optimizer):
    """The lecture's RMSProp (A4, Hinton), without ε, starting at σ⁰ = |g⁰|:

    σ^t = √(α(σ^{t−1})² + (1 − α)(g^t)²);   w^{t+1} = w^t − η/σ^t · g^t.
    So the first step is η·sign(g⁰). A σ of 0 (all gradients 0 so far) gives a step of 0.
    """

    hyperparameters: ClassVar[Checks] = {"lr": check_nonnegative, "alpha": _unit_interval}

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.9) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha})

    def _update(self, p: Any, g: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha = group["alpha"] if "sigma_sq" in state else 0.0  # (σ⁰)² = (g⁰)²
        sigma_sq = state.get("sigma_sq", 0.0)
        sigma_sq = self._in_place.weighted_sum(alpha, sigma_sq, 1 - alpha, g, g)  # α(σᵗ⁻¹)² + (1 − α)(gᵗ)²
        state["sigma_sq"] = sigma_sq
        self._in_place.descend(p, group["lr"], g, sigma_sq, lecture=True)  # w ← w − η·g/σᵗ


class LectureAdam(Adam):
    """The lecture's Adam (A4: RMSProp + Momentum; Kingma & Ba, Algorithm 1), as on the slide:

    m_t = β₁m_{t−1} + (1 − β₁)g_t;  v_t = β₂v_{t−1} + (1 − β₂)g_t²;  m̂ = m_t/(1 − β₁ᵗ);
    v̂ = v_t/(1 − β₂ᵗ);  θ_t = θ_{t−1} − α·m̂/(√v̂ + ε);  m₀ = v₀ = 0.  Arguments: lr = α, betas = (β₁, β₂).

    It differs from ``torch.optim.Adam`` only in what it leaves out: PyTorch computes this same
    formula (ε outside the root, both bias corrections; the same defaults α = 0.001, β₁ = 0.9,
    β₂ = 0.999, ε = 1e−8) and adds ``weight_decay`` and ``amsgrad``, which are not on the slide.
    So it is `Adam` without those two arguments, and follows torch's trajectory.
    """

    hyperparameters: ClassVar[Checks] = {"lr": check_nonnegative, "betas": _betas, "eps": check_nonnegative}

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        Optimizer.__init__(self, params, {"lr": lr, "betas": betas, "eps": eps})


# ---------------------------------------------------------------------------------------------
# The arithmetic, for a float or in place for an ndarray (the one place that knows about buffers)
# ---------------------------------------------------------------------------------------------


class _InPlace:
    """The optimizers' arithmetic, written once: the plain formula for a float, in place for an ndarray.

    On arrays, m = β₁m + (1 − β₁)g written literally allocates a new array for each operation; the
    allocations and cache misses made an Adam step 1.7–3.5× slower on the larger shapes of
    benchmarks/bench_optim_step.py. Here each formula overwrites the state array it updates and
    puts its temporaries in one scratch array per shape and dtype (kept by the optimizer), so a
    step allocates no array (the lecture's forms: a boolean mask for their 0/0; weight decay and
    the options nesterov, centered, RMSprop's momentum: a few temporaries, as in PyTorch). A state
    given as a number (its initial value) starts a new array.
    """

    def __init__(self) -> None:
        self._scratch: dict[tuple[tuple[int, ...], str], Any] = {}

    def weighted_sum(self, a: float, x: Any, b: float, y: Any, z: Any = None) -> Any:
        """a·x + b·y, or a·x + b·y·z (z = y gives b·y²): the new state; x is overwritten if an array."""
        if isinstance(y, (float, int)):
            return a * x + (b * y if z is None else y * z * b)
        numpy = _numpy()
        if isinstance(x, (float, int)):
            x = numpy.full_like(y, a * x)
        elif a != 1:
            x *= a
        if b == 1 and z is None:
            x += y
            return x
        w = numpy.multiply(y, b if z is None else z, out=self._tmp(x))
        if z is not None and b != 1:
            w *= b
        x += w
        return x

    def copy(self, x: Any) -> Any:
        """A copy of x that the optimizer owns (a float is its own copy)."""
        return x if isinstance(x, (float, int)) else x.copy()

    def maximum(self, x: Any, y: Any) -> Any:
        """max(x, y) elementwise, nan winning as in torch.maximum; x overwritten when it is an array."""
        if isinstance(y, (float, int)):
            return y if (y > x or y != y) else x
        x = _numpy().full_like(y, x) if isinstance(x, (float, int)) else x
        return _numpy().maximum(x, y, out=x)

    def descend(
        self,
        p: Any,
        lr: float,
        n: Any,
        v: Any = None,
        c: float = 1.0,
        eps: float = 0.0,
        *,
        lecture: bool = False,
    ) -> None:
        """θ ← θ − lr·n/(√(v/c) + ε), or θ ← θ − lr·n without v; in place for an array θ.

        Division is IEEE's, as in PyTorch (0/0 = nan); ``lecture=True`` reads 0/0 as a step of 0
        (the lecture's forms: their root is 0 only where every gradient so far was 0).
        """
        if v is not None and lr == 0:  # nothing moves (and no 0·inf)
            return
        if isinstance(p.data, (float, int)):
            if v is None:
                p.data -= lr * n
                return
            root = _sqrt(v / c) + eps
            p.data -= 0.0 if (lecture and root == 0) else lr * _ieee_div(n, root)
            return
        numpy, w = _numpy(), self._tmp(p.data)
        if v is None:
            numpy.multiply(n, lr, out=w)
        else:  # lr·n/(√(v/c) + ε) = n/(√v·(1/(lr·√c)) + ε/lr): the numbers folded, one pass each
            numpy.sqrt(v, out=w)
            w *= 1.0 / (lr * math.sqrt(c))
            w += eps / lr
            if lecture:
                w[w == 0] = 1.0  # n is 0 there, so the step is 0
            numpy.divide(n, w, out=w)
        p.data -= w

    def _tmp(self, like: Any) -> Any:
        """The scratch array for like's shape and dtype (created once)."""
        key = (like.shape, like.dtype.char)
        buf = self._scratch.get(key)
        if buf is None:
            buf = self._scratch[key] = _numpy().empty_like(like)
        return buf


def _numpy() -> Any:
    """The NumPy module, for array parameters: an ndarray exists, so NumPy is loaded (the core
    package never imports it itself)."""
    return sys.modules["numpy"]


def _sqrt(x: Any) -> Any:
    """√x; a negative float gives nan (as NumPy and PyTorch), not a complex number."""
    if isinstance(x, (float, int)):
        return math.sqrt(x) if x >= 0 else math.nan
    return _numpy().sqrt(x)


def _ieee_div(a: Any, b: Any) -> Any:
    """a / b; a float divided by 0 gives ±inf or nan (as NumPy and PyTorch) instead of raising."""
    return _ieee.div(a, b) if isinstance(b, (float, int)) else a / b
