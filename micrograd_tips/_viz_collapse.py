"""The collapsed view of a big computation graph: which neuron, and which layer, each node is in.

`draw_dot` draws a graph above ``max_nodes`` value nodes as one box per group. A layer ℓ is counted
by the parameters on the way from the inputs (z = w·x + b of layer l reads layer l's weights); a
neuron is the op that reads the most parameters among their readers (one `dot` per neuron and
example on the scalar backend, one `linear` per layer on the NumPy backend). Pure bookkeeping on
the nodes' ``_prev`` and ``_role``: the drawing itself is in `viz`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["Grouping", "group_label", "is_param"]


def is_param(node: Any, param_ids: set[int]) -> bool:
    """A learnable leaf: its `_role` is "param", or it is one of the nodes passed as `params`."""
    return not node._prev and (node._role == "param" or id(node) in param_ids)


def _layer_numbers(nodes: list[Any], params: set[int]) -> tuple[dict[int, int], list[Any]]:
    """Each op node's layer ℓ: 1 + the deepest ℓ below it if it reads a parameter, else that depth.

    For an MLP: z = w·x + b of layer l has ℓ = l, its activation too; leaves have ℓ = 0.
    Children-first order comes from an iterative post-order walk (no recursion limit), which is
    returned too.
    """
    layer: dict[int, int] = {}
    post: list[Any] = []
    stack: list[tuple[Any, bool]] = [(nodes[0], False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in layer:
            continue
        prev = node._prev
        if not prev:
            layer[id(node)] = 0
            post.append(node)
        elif expanded:
            below = max((layer[id(c)] for c in prev), default=0)
            layer[id(node)] = below + any(id(c) in params for c in prev)
            post.append(node)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(prev) if id(c) not in layer)
    return layer, post


class Grouping:
    """Which group (neuron or layer) each node of a big graph falls in.

    A neuron is the op that reads the most parameters among their readers (a `dot` of one
    neuron's weights, a `linear` of one layer's); every op that reads its parameters (the same
    neuron on other examples, an L2 term w²) joins it, an op reading none joins the neuron all
    its op inputs belong to, else its layer's "other ops". Parameters and constants join the
    group of their first reader; data leaves form "inputs"; the root is "output".
    """

    def __init__(self, nodes: list[Any], param_ids: set[int]) -> None:
        self.nodes = nodes
        self.number = {id(n): i for i, n in enumerate(nodes)}
        params = {id(n) for n in nodes if is_param(n, param_ids)}
        self.layer, post = _layer_numbers(nodes, params)
        readers: dict[int, list[Any]] = {}
        owner: dict[int, Any] = {}
        for node in nodes:  # pre-order: the first reader of a leaf is the nearest to the root
            own = [c for c in node._prev if id(c) in params]
            for c in node._prev:
                readers.setdefault(id(c), []).append(node)
            for p in own:
                best = owner.get(id(p))
                if best is None or len(_own(best, params)) < len(own):
                    owner[id(p)] = node
        self.neuron: dict[int, tuple[Any, ...]] = {}
        level: dict[int, int] = {}  # a neuron's layer is its anchor's; other ops: the deepest input's
        for node in post:  # inputs before the ops that read them
            if not node._prev:
                level[id(node)] = 0
                continue
            own = _own(node, params)
            if own:
                anchor = owner[id(own[0])]
                self.neuron[id(node)] = ("neuron", self.number[id(anchor)])
                level[id(node)] = self.layer[id(anchor)]
                continue
            ops = [c for c in node._prev if c._prev]
            level[id(node)] = here = max((level[id(c)] for c in ops), default=0)
            kinds = {self.neuron[id(c)] for c in ops}
            same = len(kinds) == 1 and all(level[id(c)] == here for c in ops)
            self.neuron[id(node)] = kinds.pop() if same else ("layer", here)
        self.readers = readers
        self.params = params

    def key(self, node: Any, per_neuron: bool) -> tuple[Any, ...]:
        if node is self.nodes[0]:
            return ("output",)
        if not node._prev:
            if id(node) not in self.params and node._role != "const":
                return ("inputs",)
            node = self.readers[id(node)][0]
            if node is self.nodes[0]:
                return ("output",)
        key = self.neuron[id(node)]
        if per_neuron:
            return key
        return ("layer", self.layer_of(key))

    def layer_of(self, key: tuple[Any, ...]) -> int:
        if key[0] == "neuron":
            return self.layer[id(self.nodes[key[1]])]
        return int(key[1])


def _own(node: Any, params: set[int]) -> list[Any]:
    return [c for c in node._prev if id(c) in params]


def group_label(
    key: tuple[Any, ...],
    members: list[Any],
    view: str,
    index_in_layer: dict[tuple[Any, ...], int],
    g: Grouping,
) -> str:
    """The text of one collapsed box: what it is, how many nodes, its commonest ops, its parameters."""
    ops = Counter(str(n._op) for n in members if n._prev)
    n_params = sum(1 for n in members if id(n) in g.params)
    if key[0] == "inputs":
        head = "inputs"
    elif key[0] == "output":
        head = "output"
    elif key[0] == "neuron":
        head = f"layer {g.layer_of(key)} · neuron {index_in_layer[key]}"
    else:
        head = f"layer {key[1]}" + (" · other ops" if view == "neuron" else "")
    count = f"{len(members)} node" + ("s" if len(members) != 1 else "")
    lines = [head, count]
    if ops:
        top = sorted(ops.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{op} ×{k}" for op, k in top[:3])
        lines.append(shown + (f", +{len(top) - 3} more ops" if len(top) > 3 else ""))
    if n_params:
        lines.append(f"{n_params} parameter" + ("s" if n_params != 1 else ""))
    return "\n".join(lines)
