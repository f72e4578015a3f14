"""The backend-neutral half of `Module` and `Sequential`, shared by both backends.

Walking the module tree, naming parameters, train/eval propagation, state-dict key checks,
printing and `Sequential`'s container behaviour do not depend on what a parameter is. They live
here once; `micrograd_tips.nn.Module` (Value parameters) and `micrograd_tips.tensor.module.Module`
(Tensor parameters) add only what differs: `forward_batch`, `zero_grad`, `state_dict` and the
value copying of `load_state_dict`. Lecture section 0: the "set of functions" whose θ training picks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from ._checks import check_bool, fail

__all__ = ["ModuleBase", "SequentialBase"]

P = TypeVar("P")  # one parameter node: a Value (scalar backend) or a Tensor (NumPy backend)
M = TypeVar("M", bound="ModuleBase[Any]")


class ModuleBase(Generic[P]):
    """Base of both backends' `Module`: sub-module discovery, parameter naming, train/eval, repr.

    Subclasses implement `forward(x)` and list their own parameters in `_param_tree()` (name →
    parameter). Sub-modules are found among the attributes (a Module of the same backend, or a
    list/tuple of them named ``attr.i``), in attribute order; override `named_children()` to choose.
    A backend's root class is declared with ``class Module(ModuleBase[...], backend_root=True)``.
    """

    _backend: ClassVar[type[Any]]
    training: bool

    def __init_subclass__(cls, backend_root: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if backend_root:
            cls._backend = cls  # children and Sequential members must be of this backend

    def __init__(self) -> None:
        self.training = True

    # -- computation --------------------------------------------------------------------------

    def forward(self, x: Any) -> Any:
        """Compute the output for an input x (subclasses define it)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def _start_batch(self) -> None:
        """Hook called on every sub-module when a mini-batch starts (Dropout resamples here)."""

    def _end_batch(self) -> None:
        """Hook called on every sub-module when a mini-batch ends."""

    def _run_batch(self, compute: Any) -> Any:
        """Call `compute()` as one mini-batch: every sub-module's `_start_batch`, then `_end_batch`."""
        mods = self.modules()
        for m in mods:
            m._start_batch()
        try:
            return compute()
        finally:
            for m in mods:
                m._end_batch()

    # -- structure -----------------------------------------------------------------------------

    def _param_tree(self) -> dict[str, Any]:
        """This module's own parameters: name → parameter (a Tensor, or a nested list of Values)."""
        return {}

    def _own_named_parameters(self) -> list[tuple[str, P]]:
        """This module's own parameter nodes with their names (one per `_param_tree` entry here)."""
        return list(self._param_tree().items())

    def named_children(self) -> Sequence[tuple[str, ModuleBase[P]]]:
        """Direct sub-modules with their attribute names (lists give ``name.0``, ``name.1``, …)."""
        kind = self._backend
        out: list[tuple[str, ModuleBase[P]]] = []
        for name, value in vars(self).items():
            if isinstance(value, kind):
                out.append((name, value))
            elif isinstance(value, (list, tuple)) and value and all(isinstance(v, kind) for v in value):
                out.extend((f"{name}.{i}", v) for i, v in enumerate(value))
        return out

    def children(self) -> list[Any]:
        """Direct sub-modules."""
        return [m for _, m in self.named_children()]

    def named_modules(self) -> list[tuple[str, Any]]:
        """This module ("") and every sub-module with its dotted path, pre-order, each once.

        Iterative (no recursion limit) and safe against a module shared by two parents.
        """
        out: list[tuple[str, ModuleBase[P]]] = []
        seen: set[int] = set()
        stack: list[tuple[str, ModuleBase[P]]] = [("", self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            out.append((path, module))
            kids = [(f"{path}.{n}" if path else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))
        return out

    def modules(self) -> list[Any]:
        """This module and every sub-module, pre-order."""
        return [m for _, m in self.named_modules()]

    # -- parameters ----------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, P]]:
        """(dotted name, parameter) for every parameter node, each once, sub-modules in pre-order."""
        out: list[tuple[str, P]] = []
        seen: set[int] = set()
        for path, module in self.named_modules():
            for name, p in module._own_named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{path}.{name}" if path else name, p))
        return out

    def parameters(self) -> list[P]:
        """Every learnable node θ (each once), in `named_parameters()` order."""
        return [p for _, p in self.named_parameters()]

    def train(self: M, mode: bool = True) -> M:
        """Set `training` on this module and all sub-modules (dropout is active only in training)."""
        check_bool("train(mode)", mode)
        for m in self.modules():
            m.training = mode
        return self

    def eval(self: M) -> M:
        """Evaluation mode: `train(False)` (dropout off; the lecture form scales by 1 − p)."""
        return self.train(False)

    # -- state dicts ---------------------------------------------------------------------------

    @staticmethod
    def _check_state_keys(state: Any, expected: Sequence[str]) -> None:
        """`state` must be a mapping with exactly the `expected` keys (TypeError/KeyError otherwise)."""
        if not isinstance(state, Mapping):
            fail("load_state_dict(state)", state, "a dict")
        missing = [k for k in expected if k not in state]
        unexpected = [k for k in state if k not in expected]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}; "
                f"expected exactly {list(expected)}."
            )

    # -- printing ------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        kids = self.named_children()
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not kids:
            return head + ")"
        lines = [head]
        for name, m in kids:
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        return "\n".join(lines) + "\n)"


class SequentialBase(ModuleBase[P]):
    """Modules applied in order: y = f_n(…f_2(f_1(x))). State-dict names are ``0.weight``, ``1.alpha``, …

    Lecture 0, step 1 (define a set of functions): chain rule ∂y/∂x = f_n'·…·f_1'.
    Each backend's `Sequential` is ``class Sequential(SequentialBase[...], Module)``.
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, self._backend):
                fail(f"Sequential(argument {i})", m, "a Module of this backend")
        self._modules: list[Any] = list(modules)

    def named_children(self) -> Sequence[tuple[str, ModuleBase[P]]]:
        """The modules by position: ("0", f_1), ("1", f_2), …"""
        return [(str(i), m) for i, m in enumerate(self._modules)]

    def forward(self, x: Any) -> Any:
        """f_n(…f_1(x))."""
        for m in self._modules:
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Any:
        return self._modules[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules)
