# ruff: noqa: F401, I001, UP034  (notebook code, kept in micrograd's own idiom on purpose)
# micrograd's demo notebook: a binary classifier on the two moons, MLP(2, [16, 16, 1]), SVM
# "max-margin" loss with L2 regularisation, accuracy, SGD with a decaying learning rate.
# Written for micrograd: the test swaps the import lines, runs both, and compares step by step.

# %% [imports]
import random

import numpy as np
from sklearn.datasets import make_moons

from micrograd.engine import Value
from micrograd.nn import Neuron, Layer, MLP

# %% [data] data and model
np.random.seed(1337)
random.seed(1337)
X, y = make_moons(n_samples=100, noise=0.1)
y = y * 2 - 1  # labels -1 or +1
model = MLP(2, [16, 16, 1])  # two hidden layers of 16 ReLU units
n_params = len(model.parameters())


# %% [loss] the loss
def loss(batch_size=None):
    # the whole dataset, or a random minibatch
    if batch_size is None:
        Xb, yb = X, y
    else:
        ri = np.random.permutation(X.shape[0])[:batch_size]
        Xb, yb = X[ri], y[ri]
    inputs = [list(map(Value, xrow)) for xrow in Xb]

    # forward the model to get the scores
    scores = list(map(model, inputs))

    # svm "max-margin" loss
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    # L2 regularization
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss

    # accuracy: the sign of the score
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


# %% [optimisation]
STEPS = 4
history = []
for k in range(STEPS):
    # forward
    total_loss, acc = loss()

    # backward
    model.zero_grad()
    total_loss.backward()

    # update (sgd), with a learning rate that decays linearly
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad

    history.append((total_loss.data, acc))

# %% [boundary] the decision boundary on a coarse grid
h = 0.5
x_min, x_max = X[:, 0].min() - 1, X[:, 0].max() + 1
y_min, y_max = X[:, 1].min() - 1, X[:, 1].max() + 1
xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
Xmesh = np.c_[xx.ravel(), yy.ravel()]
inputs = [list(map(Value, xrow)) for xrow in Xmesh]
scores = list(map(model, inputs))
Z = np.array([s.data > 0 for s in scores]).reshape(xx.shape)
