# ruff: noqa: UP031  (notebook code, kept in micrograd's own idiom on purpose)
# Drawing graphs as the lecture does: `draw_dot(root)` and the graphviz object's own
# `.render('gout')` / `.pipe()`; then the lecture's own drawing code, which walks `_prev` and
# `_op` and draws an op bubble for every node with `if n._op:`.
# The notebook's `draw_dot` cell is the import of micrograd_tips.viz.draw_dot here.

# %% [imports]
from graphviz import Digraph

from micrograd_tips.engine import Value
from micrograd_tips.nn import Neuron
from micrograd_tips.viz import draw_dot

# %% [expression] the expression L = (a·b + c)·f
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
f = Value(-2.0, label="f")
L = d * f
L.label = "L"
L.backward()

# %% [draw] draw it and write it out like the notebook
dot = draw_dot(L)
rendered = dot.render("gout")  # writes gout (the DOT source) and gout.svg
svg = dot.pipe(format="svg")

# %% [neuron] a neuron's graph: parameters (w, b), inputs, and the constants 2 and 1
neuron = Neuron(2)
x = [Value(1.0, label="x1"), Value(-2.0, label="x2")]
act = neuron(x)
out = 2 * act + 1
out.label = "out"
out.backward()
neuron_dot = draw_dot(out)


# %% [lecture] the lecture's own drawing code
def trace(root):
    # builds a set of all nodes and edges in a graph
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot_lecture(root):
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})  # LR = left to right
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        # a rectangular record node for every value in the graph
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")
        if n._op:
            # if this value is the result of some operation, an op node for it, and an edge to it
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        # connect n1 to the op node of n2
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


lecture_L = draw_dot_lecture(L)
lecture_neuron = draw_dot_lecture(out)
