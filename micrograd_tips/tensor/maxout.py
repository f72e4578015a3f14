"""Maxout for the NumPy backend (lecture A3), mirroring `micrograd_tips.maxout`.

z_jk = w_jk·x + b_jk for k pieces of each output j, a_j = max_k z_jk: one fused `linear` over all
nout·k pieces, then `group_max` (gradient to the winner only, the lowest index on a tie). The
winners of the last forward — which "thin linear network" each example trained — are in
`last_winners`. ReLU is the special case pieces {0, w·x + b}: ``Maxout.relu_like(nin, nout)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_str
from .._init import init_scheme
from .._layer_base import MaxoutBase
from .engine import Tensor, linear
from .init import init_weights, resolve_source
from .module import Module, as_input, module_dtype
from .ops import winners

__all__ = ["Maxout"]


class Maxout(MaxoutBase, Module):
    """a_j = max_k (w_jk·x + b_jk), k = 1..pieces (lecture A3), over an (N, nin) batch → (N, nout).

    ``zero_piece=True`` makes the first of the `pieces` the constant 0, so ``pieces=2`` is ReLU:
    a = max(0, w·x + b) = relu(max of the learned pieces), the 0 piece winning ties (relu'(0) = 0).
    Parameters ``weight`` (nout, k, nin) and ``bias`` (nout, k), k = learned pieces, as the scalar
    backend. `last_winners` ((N, nout) ints, the zero piece being 0) holds the winning piece of
    every output in the last forward with gradients on. Default ``init="auto"``: He (`_init`).
    Derivative: ∂a_j/∂w_jk = x, ∂a_j/∂b_jk = 1 for the winning piece k, 0 for the others.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        pieces: int = 2,
        *,
        zero_piece: bool = False,
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        label: str = "",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        k = self._set_shape(nin, nout, pieces, zero_piece)
        label = check_str("Maxout(label)", label)
        self.dtype = module_dtype(dtype, "Maxout")
        source = resolve_source(rng, seed, "Maxout")
        scheme = init_scheme(init, "he")  # "auto": He, as for the ReLU family (a max of linear pieces)
        w = init_weights(scheme, self.nin, self.nout, (self.nout, k, self.nin), source, self.dtype)
        self.weight = Tensor.parameter(w, f"{label}weight")
        self.bias = Tensor.parameter(np.zeros((self.nout, k), self.dtype), f"{label}bias")
        self.last_winners: np.ndarray | None = None

    @classmethod
    def relu_like(
        cls,
        nin: int,
        nout: int,
        *,
        init: str = "auto",
        rng: Any = None,
        seed: int | None = None,
        dtype: Any = None,
    ) -> Maxout:
        """The lecture's ReLU special case: pieces {0, w·x + b}, a = max(0, z)."""
        return cls(nin, nout, 2, zero_piece=True, init=init, rng=rng, seed=seed, dtype=dtype)

    def _param_tree(self) -> dict[str, Tensor]:
        return {"weight": self.weight, "bias": self.bias}

    def forward(self, x: Any) -> Tensor:
        """[max_k z_jk for each output j] for each row of x; records `last_winners`."""
        xt = as_input(x, self.dtype, "Maxout(x)", self.nin)
        k = self.pieces - int(self.zero_piece)
        w = self.weight.reshape(self.nout * k, self.nin)
        z = linear(xt, w, self.bias.reshape(self.nout * k))
        best = z.group_max(k)
        self.last_winners = winners(best) if best._op == "group_max" else None
        if not self.zero_piece:
            return best
        if self.last_winners is not None:  # the zero piece (index 0) wins where max ≤ 0
            self.last_winners = np.where(best.data > 0, self.last_winners + 1, 0)
        return best.relu()
