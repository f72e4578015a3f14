"""What both backends' `MLP` and `Maxout` share: checking their sizes, activations and dropouts.

Lecture 0, step 1 ("define a set of functions"): y = f_L(…f_2(f_1(x))); lecture A3 (Maxout) and
B3 (dropout). Each backend's class is ``class MLP(MLPBase, Module)`` / ``class Maxout(MaxoutBase, Module)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._checks import check_bool, check_int, check_positive_int, fail
from ._dropout_base import check_dropout_args
from ._module_base import ModuleBase

__all__ = ["MLPBase", "MaxoutBase"]


class MLPBase(ModuleBase[Any]):
    """Sizes, one activation per hidden layer, and the optional dropouts of an MLP.

    y = f_L(…f_2(f_1(x))); hidden layers use `activation`, the last `output_activation`.
    Its sub-modules are its layers and dropouts, nothing else (as micrograd's MLP is its layers).
    """

    layers: list[Any]
    input_dropout: Any
    dropouts: list[Any]

    def _layer_specs(self, nin: int, nouts: Sequence[int], activation: Any) -> tuple[list[int], list[Any]]:
        """([nin, n_1, …, n_L], one activation spec per hidden layer), after checking them."""
        nin = check_positive_int("MLP(nin)", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            fail("MLP(nouts)", nouts, "a non-empty list of layer sizes")
        sizes = [nin] + [check_positive_int(f"MLP(nouts[{i}])", n) for i, n in enumerate(nouts)]
        hidden = len(sizes) - 2
        acts = activation if isinstance(activation, list) else [activation] * hidden
        if len(acts) != hidden:
            fail("MLP(activation)", activation, f"{hidden} activations (one per hidden layer)", ValueError)
        learned = [a for a in acts if isinstance(a, self._backend) and a.parameters()]
        if len({id(a) for a in learned}) != len(learned):
            fail(
                "MLP(activation)",
                activation,
                "a name, or one module per hidden layer: a module with parameters cannot be shared",
                ValueError,
            )
        return sizes, acts

    def _add_dropouts(
        self, dropout_type: type, dropout: Any, input_dropout: Any, scaling: Any, resample: Any, source: Any
    ) -> None:
        """Set `input_dropout` (or None) and `dropouts` (one per hidden layer, or none when p = 0)."""
        hidden = len(self.layers) - 1
        p_in = check_dropout_args(input_dropout, scaling, resample, "MLP(input_dropout)")
        p_hid = check_dropout_args(dropout, scaling, resample, "MLP(dropout)")
        opts: dict[str, Any] = {"scaling": scaling, "resample": resample, "rng": source}
        self.input_dropout = dropout_type(p_in, **opts) if p_in > 0.0 else None
        self.dropouts = [dropout_type(p_hid, **opts) for _ in range(hidden)] if p_hid > 0.0 else []

    def named_children(self) -> list[tuple[str, Any]]:
        """The layers, then the dropouts (which hold no parameters)."""
        out: list[tuple[str, Any]] = [(f"layers.{k}", layer) for k, layer in enumerate(self.layers)]
        if self.input_dropout is not None:
            out.append(("input_dropout", self.input_dropout))
        return out + [(f"dropouts.{k}", d) for k, d in enumerate(self.dropouts)]


class MaxoutBase(ModuleBase[Any]):
    """The shape checks and repr both backends' `Maxout` share (lecture A3).

    `_set_shape` validates nin, nout, pieces (≥ 2 with the zero piece) and zero_piece, stores
    them and returns k, the number of learnable pieces per output (pieces − 1 with the zero piece).
    """

    nin: int
    nout: int
    pieces: int
    zero_piece: bool

    def _set_shape(self, nin: int, nout: int, pieces: int, zero_piece: bool) -> int:
        self.nin = check_positive_int("Maxout(nin)", nin)
        self.nout = check_positive_int("Maxout(nout)", nout)
        self.zero_piece = check_bool("Maxout(zero_piece)", zero_piece)
        self.pieces = check_int("Maxout(pieces)", pieces, 2 if zero_piece else 1)
        return self.pieces - int(zero_piece)

    def extra_repr(self) -> str:
        zero = ", zero_piece=True" if self.zero_piece else ""
        return f"{self.nin} → {self.nout}, pieces={self.pieces}{zero}"
