# ruff: noqa: E402  (notebook code, kept in micrograd's own idiom on purpose)
# The lecture's neuron o = tanh(x1·w1 + x2·w2 + b): backprop by hand, then node by node with
# `_backward()`, then with `backward()`; tanh rewritten with exp; the operator forms; PyTorch.
# The notebook's own `class Value` cell is the import line here.

# %% [imports]
from micrograd_tips.engine import Value

# %% [neuron] the neuron
x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")  # chosen so that o is a round number
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
x1w1x2w2 = x1w1 + x2w2
x1w1x2w2.label = "x1*w1 + x2*w2"
n = x1w1x2w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
nodes = [x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o]

# %% [by_hand] backprop by hand: do/dn = 1 - tanh(n)**2, then plus nodes route, times nodes swap
o.grad = 1.0
n.grad = 1 - o.data**2
x1w1x2w2.grad = n.grad
b.grad = n.grad
x1w1.grad = x1w1x2w2.grad
x2w2.grad = x1w1x2w2.grad
x2.grad = w2.data * x2w2.grad
w2.grad = x2.data * x2w2.grad
x1.grad = w1.data * x1w1.grad
w1.grad = x1.data * x1w1.grad
by_hand = [v.grad for v in nodes]

# %% [by_nodes] backprop node by node with _backward(), in reverse topological order
for v in nodes:
    v.grad = 0.0
o.grad = 1.0
o._backward()
n._backward()
b._backward()  # a leaf: nothing to do
x1w1x2w2._backward()
x2w2._backward()
x1w1._backward()
by_nodes = [v.grad for v in nodes]

# %% [by_topo] the lecture's topological sort, then _backward() over it
topo = []
visited = set()


def build_topo(v):
    if v not in visited:
        visited.add(v)
        for child in v._prev:
            build_topo(child)
        topo.append(v)


build_topo(o)
for v in nodes:
    v.grad = 0.0
o.grad = 1.0
for node in reversed(topo):
    node._backward()
by_topo = [v.grad for v in nodes]

# %% [by_backward] backward() does it all
for v in nodes:
    v.grad = 0.0
o.backward()
by_backward = [v.grad for v in nodes]

# %% [used_twice] a variable used twice: the gradients add up
a = Value(3.0, label="a")
twice = a + a
twice.label = "b"
twice.backward()
grad_a_plus_a = a.grad

a = Value(-2.0, label="a")
b_ = Value(3.0, label="b")
d = a * b_
d.label = "d"
e = a + b_
e.label = "e"
f = d * e
f.label = "f"
f.backward()
grads_f = (a.grad, b_.grad)

# %% [forms] the operator forms the lecture adds to Value
a = Value(2.0)
b_ = Value(4.0)
forms = {
    "a + 1": a + 1,
    "1 + a": 1 + a,
    "2 * a": 2 * a,
    "a * 2": a * 2,
    "a / b": a / b_,
    "2 / a": 2 / a,
    "a - b": a - b_,
    "3 - a": 3 - a,
    "-a": -a,
    "a ** 2": a**2,
    "a ** -1": a**-1,
    "a.exp()": a.exp(),
}
forms_data = {k: v.data for k, v in forms.items()}

# %% [tanh_exp] tanh written with exp: o = (e^{2n} - 1) / (e^{2n} + 1)
x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
x1w1x2w2 = x1w1 + x2w2
x1w1x2w2.label = "x1*w1 + x2*w2"
n = x1w1x2w2 + b
n.label = "n"
e = (2 * n).exp()
o = (e - 1) / (e + 1)
o.label = "o"
o.backward()
exp_version = [v.grad for v in (x1, x2, w1, w2, b)]
exp_version_o = o.data

# %% [torch] the same neuron in PyTorch (float64)
import torch

x1 = torch.Tensor([2.0]).double()
x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()
x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()
w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()
w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()
b.requires_grad = True
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
o.backward()
torch_o = o.data.item()
torch_grads = [t.grad.item() for t in (x1, x2, w1, w2, b)]
