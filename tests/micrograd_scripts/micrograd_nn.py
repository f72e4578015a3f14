# ruff: noqa: F401, I001, B007  (notebook code, kept in micrograd's own idiom on purpose)
# micrograd's nn: Neuron, Layer, MLP used as in micrograd's README and the lecture's end, and the
# training loop on the lecture's four examples. Written for micrograd: the test swaps the two
# import lines and runs the same text on micrograd_tips (and unchanged on micrograd 0.1.0).

# %% [imports]
import random

from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP

# %% [units] one neuron, one layer
random.seed(42)
x = [2.0, 3.0]
neuron = Neuron(2, nonlin=False)  # a linear neuron: w·x + b
act = neuron(x)
layer = Layer(2, 3, nonlin=True)  # three ReLU neurons
outs = layer(x)
layer_neurons = layer.neurons
layer_params = layer.parameters()

# %% [model] the model and the data
random.seed(1337)
n = MLP(3, [4, 4, 1])
xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0]  # desired targets
n_params = len(n.parameters())

# %% [train] training
losses = []
for k in range(20):
    # forward pass
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    # backward pass
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()
    # update
    for p in n.parameters():
        p.data += -0.05 * p.grad
    losses.append(loss.data)
final_pred = [n(x).data for x in xs]
last_grads = [p.grad for p in n.parameters()]

# %% [train_no_zero] the lecture's famous bug: the same loop without zeroing the gradients
stale_losses = []
for k in range(10):
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    loss.backward()  # gradients pile up from step to step
    for p in n.parameters():
        p.data += -0.01 * p.grad
    stale_losses.append(loss.data)
