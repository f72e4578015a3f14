"""Maxout (Goodfellow et al., ICML 2013) — lecture A3: a learnable, piecewise-linear activation.

Each output j has k linear pieces z_jk = w_jk·x + b_jk and outputs a_j = max_k z_jk (the engine's
`max_of`: the whole gradient goes to the winning piece, the lowest index on a tie). For a given
input the winners are fixed, so the network is a *thin linear network*; `last_winners` records
them. ReLU is the special case pieces {w·x + b, 0}: ``Maxout.relu_like(nin, nout)``.
"""

from __future__ import annotations

from typing import Any

from ._checks import check_str
from ._init import RandomSource, init_scheme, resolve_rng, weight_sampler
from ._layer_base import MaxoutBase
from .engine import Value, argmax, dot, max_of
from .module import Module, as_inputs

__all__ = ["Maxout", "MaxoutBase"]


class Maxout(MaxoutBase, Module):
    """a_j = max_k (w_jk·x + b_jk), k = 1..pieces (lecture A3).

    With ``zero_piece=True`` the first of the `pieces` is the constant 0 (not a parameter), so
    ``pieces=2`` is ReLU: a = max(0, w·x + b); listing 0 first makes the tie at z = 0 pick it,
    giving relu'(0) = 0 as the engine's ReLU does. The learnable pieces are stored as
    ``weight`` (nout, k, nin) and ``bias`` (nout, k), k = pieces (− 1 with the zero piece).
    `last_winners[j]` is the index (among all pieces, the zero piece being 0) that won output j
    in the last forward. Initialisation as in `nn` (`_init`: uniform U(−1, 1), xavier, he; biases 0).
    Returns a Value when nout == 1, else a list.
    Derivative: ∂a_j/∂w_jk = x, ∂a_j/∂b_jk = 1 for the winning piece k, 0 for the others.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        pieces: int = 2,
        *,
        zero_piece: bool = False,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
        label: str = "",
    ) -> None:
        super().__init__()
        learned = self._set_shape(nin, nout, pieces, zero_piece)
        label = check_str("Maxout(label)", label)
        scheme = init_scheme(init, "he")  # "auto": He, as for the ReLU family (a max of linear pieces)
        draw = weight_sampler(scheme, self.nin, self.nout, resolve_rng(rng, seed, "Maxout"))
        self.weight = [
            [
                [Value.parameter(draw(), f"{label}w{j}.{k}.{i}") for i in range(self.nin)]
                for k in range(learned)
            ]
            for j in range(self.nout)
        ]
        self.bias = [
            [Value.parameter(0.0, f"{label}b{j}.{k}") for k in range(learned)] for j in range(self.nout)
        ]
        self.last_winners: tuple[int, ...] | None = None

    @classmethod
    def relu_like(
        cls,
        nin: int,
        nout: int,
        *,
        init: str = "uniform",
        rng: RandomSource | None = None,
        seed: int | None = None,
    ) -> Maxout:
        """The lecture's ReLU special case: pieces {0, w·x + b}, a = max(0, z)."""
        return cls(nin, nout, 2, zero_piece=True, init=init, rng=rng, seed=seed)

    def _param_tree(self) -> dict[str, Any]:
        return {"weight": self.weight, "bias": self.bias}

    def _own_named_parameters(self) -> list[tuple[str, Value]]:
        out: list[tuple[str, Value]] = []
        for j, (ws, bs) in enumerate(zip(self.weight, self.bias)):
            for k, (w, b) in enumerate(zip(ws, bs)):
                out.extend((f"weight[{j}][{k}][{i}]", wi) for i, wi in enumerate(w))
                out.append((f"bias[{j}][{k}]", b))
        return out

    def group(self, x: Any) -> list[list[Value]]:
        """The pre-activations z_jk of one example, grouped per output (zero piece first)."""
        xs = as_inputs(x, self.nin, "Maxout(x)")
        groups = []
        for ws, bs in zip(self.weight, self.bias):
            zs = [dot(w, xs, b) for w, b in zip(ws, bs)]
            if self.zero_piece:
                zs.insert(0, Value.constant(0.0, "0"))
            groups.append(zs)
        return groups

    def forward(self, x: Any) -> Value | list[Value]:
        """[max_k z_jk for each output j]; records `last_winners`."""
        outs = [max_of(zs) for zs in self.group(x)]
        self.last_winners = tuple(argmax(out._prev) for out in outs)  # the engine's tie rule
        return outs[0] if self.nout == 1 else outs
