# The first cells of the micrograd lecture ("the spelled-out intro to neural networks and
# backpropagation"): derivatives by hand, then the expression L = (a·b + c)·f as Values.
# The notebook defines its own `class Value` in a cell; here that cell is the import line.
# Cells are separated by "# %% name" markers; tests/test_micrograd_lecture.py runs them.

# %% [imports]
from micrograd_tips.engine import Value


# %% [slope] derivative of a function of one variable, by the definition
def f(x):
    return 3 * x**2 - 4 * x + 2


f_at_3 = f(3.0)
xs = [x / 4 for x in range(-20, 20)]
ys = [f(x) for x in xs]  # the lecture plots these: a parabola

h = 0.000001
x = 3.0
slope_at_3 = (f(x + h) - f(x)) / h
x = 2 / 3
slope_at_two_thirds = (f(x + h) - f(x)) / h  # the bottom of the parabola

# %% [three_inputs] a function of three variables, nudged one input at a time
h = 0.0001
a = 2.0
b = -3.0
c = 10.0
d1 = a * b + c
a += h
d2 = a * b + c
slope_a = (d2 - d1) / h  # ∂d/∂a = b
a -= h
b += h
slope_b = (a * b + c - d1) / h  # ∂d/∂b = a
b -= h
c += h
slope_c = (a * b + c - d1) / h  # ∂d/∂c = 1

# %% [expression] the expression as Values, with labels
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
children_of_d = d._prev
op_of_d = d._op
L_before = L.data

# %% [by_hand] gradients by hand, from the output back
L.grad = 1.0
f.grad = d.data  # L = d·f  →  ∂L/∂f = d
d.grad = f.data  # ∂L/∂d = f
c.grad = d.grad * 1.0  # d = e + c: the plus node routes the gradient
e.grad = d.grad * 1.0
a.grad = e.grad * b.data  # e = a·b  →  ∂L/∂a = ∂L/∂e · b
b.grad = e.grad * a.data
by_hand = {v.label: v.grad for v in (a, b, c, d, e, f, L)}


# %% [lol] the lecture's "lol" cell: a numerical check of one gradient at a time
def lol(nudge):
    h = 0.001

    def L_of(shift):
        a = Value(2.0 + (h if nudge == "a" and shift else 0.0), label="a")
        b = Value(-3.0 + (h if nudge == "b" and shift else 0.0), label="b")
        c = Value(10.0 + (h if nudge == "c" and shift else 0.0), label="c")
        e = a * b
        e.label = "e"
        d = e + c
        d.label = "d"
        f = Value(-2.0 + (h if nudge == "f" and shift else 0.0), label="f")
        L = d * f
        L.label = "L"
        return L.data

    return (L_of(True) - L_of(False)) / h


numerical = {name: lol(name) for name in "abcf"}

# %% [nudge] one step of optimisation: nudge every leaf along its gradient, and L goes up
a.data += 0.01 * a.grad
b.data += 0.01 * b.grad
c.data += 0.01 * c.grad
f.data += 0.01 * f.grad
e = a * b
d = e + c
L = d * f
L_after = L.data

# %% [backward] the same gradients by backward() on a fresh graph
a2 = Value(2.0, label="a")
b2 = Value(-3.0, label="b")
c2 = Value(10.0, label="c")
e2 = a2 * b2
e2.label = "e"
d2 = e2 + c2
d2.label = "d"
f2 = Value(-2.0, label="f")
L2 = d2 * f2
L2.label = "L"
L2.backward()
by_backward = {v.label: v.grad for v in (a2, b2, c2, d2, e2, f2, L2)}
