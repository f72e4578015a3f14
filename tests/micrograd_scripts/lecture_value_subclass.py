# New ops written the micrograd way: make the output node with Value(data, (inputs,), 'op'),
# give it a `_backward` closure that adds the local derivative times out.grad into each input.
# First in a subclass of Value (the lecture's class, extended), then as plain functions.

# %% [imports]
import math

from micrograd_tips.engine import Value


# %% [subclass] a subclass adding sin, cos and the lecture's own closure-based tanh
class ValueExt(Value):
    def __init__(self, data, _children=(), _op="", label=""):
        super().__init__(data, _children, _op, label)
        self._backward = lambda: None  # as in micrograd: a leaf has nothing to do

    def sin(self):
        out = ValueExt(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    def cos(self):
        out = ValueExt(math.cos(self.data), (self,), "cos")

        def _backward():
            self.grad += -math.sin(self.data) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = ValueExt(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def mul(self, other):  # a binary op with two inputs
        other = other if isinstance(other, Value) else ValueExt(other)
        out = ValueExt(self.data * other.data, (self, other), "mul")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out


# %% [use] use it: mixed with the built-in ops, backward() goes through the closures
x = ValueExt(0.7, label="x")
y = ValueExt(-1.3, label="y")
s = x.sin()
c = y.cos()
t = x.mul(y).tanh()
z = s * c + t * x - y**2
z.backward()
subclass_result = (z.data, x.grad, y.grad)
subclass_types = (type(s).__name__, type(t).__name__, type(z).__name__)


# %% [closure_tanh] the closure-based tanh against the built-in one, on the lecture's neuron
def neuron_grads(tanh):
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = tanh(n)
    o.backward()
    return [v.grad for v in (x1, x2, w1, w2, b)]


builtin_tanh_grads = neuron_grads(Value.tanh)
closure_tanh_grads = neuron_grads(ValueExt.tanh)  # applied to a plain Value node


# %% [function_op] an op as a plain function on Value, no subclass
def softplus(v):
    out = Value(math.log1p(math.exp(v.data)), (v,), "softplus")

    def _backward():
        v.grad += 1 / (1 + math.exp(-v.data)) * out.grad

    out._backward = _backward
    return out


u = Value(0.4, label="u")
w = softplus(u * 3) + u.relu()
w.backward()
function_result = (w.data, u.grad)

# %% [manual] manual backprop node by node also runs the closures
u2 = Value(0.4, label="u")
w2 = softplus(u2 * 3) + u2.relu()
topo, seen = [], set()


def build_topo(v):
    if v not in seen:
        seen.add(v)
        for child in v._prev:
            build_topo(child)
        topo.append(v)


build_topo(w2)
w2.grad = 1.0
for node in reversed(topo):
    node._backward()
manual_result = (w2.data, u2.grad)
