# Tests in the style of micrograd's test/test_engine.py: an expression with relu, and one with
# more ops (+= chains, **, /, relu, negation). Each expression is a function of its leaves, so
# the same function runs on micrograd's Value, on ours, and on PyTorch tensors.
# Written for micrograd: the test swaps the import line.

# %% [imports]
from micrograd.engine import Value


# %% [expressions] the expressions
def sanity_expression(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return y


def more_ops_expression(a, b):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def division_expression(a, b):
    return (a / b - b / (a * a + 1)) ** 2 + (a - b).relu() / 4 - 3 / (b**2 + 2)


# %% [tests] run them as micrograd's tests do
def sanity_check(x0=-4.0):
    x = Value(x0)
    y = sanity_expression(x)
    y.backward()
    return y.data, x.grad


def more_ops(a0=-4.0, b0=2.0):
    a = Value(a0)
    b = Value(b0)
    g = more_ops_expression(a, b)
    g.backward()
    return g.data, a.grad, b.grad


def division(a0=1.5, b0=-0.5):
    a = Value(a0)
    b = Value(b0)
    r = division_expression(a, b)
    r.backward()
    return r.data, a.grad, b.grad
