"""The classification RBM's mathematics: p(y | x), E[h | x], the exact gradient.

The model is an RBM on ``[x, y]`` whose visible layer is
:class:`~skebm._rbm._units.LabelledUnits`: features ``x`` and a one-hot
label ``y``, with weights ``[W, U]`` and visible bias ``[b, d]``::

    E(x, y, h) = E_x(x) - d.y - c.h - h.W.s(x) - h.U.y

Summing out the binary hidden units, with ``o_yj = c_j + U_jy + W_j.s(x)``::

    -F(x, y) = -E_x(x) + d_y + sum_j softplus(o_yj)
    p(y | x) = softmax_y(d_y + sum_j softplus(o_yj))

so ``p(y | x)`` is exact, a softmax over the classes (Larochelle & Bengio,
2008). Every function takes the parameters as an
:class:`~skebm._rbm._model.RBMParameters` of that layer.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import log_softmax, softmax

from skebm._special import logistic, softplus, softplus_and_logistic


def check_at_least_two_classes(classes, name):
    """Refuse a single class, naming the argument it came from."""
    if classes.size < 2:
        raise ValueError(
            f"RBMClassifier needs at least two classes; {name} has only one "
            f"class: {classes.tolist()!r}."
        )


def one_hot(y, classes, dtype):
    """One-hot rows of the labels ``y`` in the order of ``classes`` (sorted).

    Labels outside the classes are refused, by name.
    """
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"y contains labels not in classes_ {classes.tolist()!r}: "
            f"{unseen.tolist()!r}."
        )
    targets = np.zeros((len(y), classes.size), dtype=dtype)
    targets[np.arange(len(y)), np.searchsorted(classes, y)] = 1
    return targets


def class_hidden_inputs(features, parameters):
    """``o[r, y, j] = c_j + U_jy + W_j.s(x_r)`` for every row and class.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_features)
        The (standardised) features ``x``, without the label.
    parameters : RBMParameters
        With :class:`~skebm._rbm._units.LabelledUnits`.

    Returns
    -------
    inputs : ndarray of shape (n_rows, n_classes, n_hidden)
    interaction : ndarray of shape (n_rows, n_features)
        ``s(x)``, which the gradient reuses.
    """
    units = parameters.units
    weights, label_weights = units.split(parameters.weights)
    interaction = units.features.interaction(features)
    hidden_input = np.asarray(interaction @ weights.T) + parameters.hidden_bias
    return hidden_input[:, None, :] + label_weights.T[None, :, :], interaction


def class_scores(inputs, parameters):
    """``d_y + sum_j softplus(o_yj)``: ``-F(x, y) - E_x(x)``, shape (n_rows, n_classes).

    ``inputs`` are those of :func:`class_hidden_inputs` (overwritten).
    """
    label_bias = parameters.units.split(parameters.visible_bias)[1]
    return softplus(inputs, out=inputs).sum(axis=2) + label_bias


def class_log_probabilities(features, parameters):
    """``log p(y | x)`` for every row and class, shape (n_rows, n_classes)."""
    inputs, _ = class_hidden_inputs(features, parameters)
    return log_softmax(class_scores(inputs, parameters), axis=1)


def class_record(parameters, monitored, validation=None):
    """The per-epoch record of a fit: ``[(name, value), ...]``.

    The mean ``log p(y | x)`` of ``monitored``, a pair of standardised
    features and one-hot targets, and the accuracy on ``validation``, a
    pair of the same kind (when given).
    """
    features, targets = monitored
    log_proba = class_log_probabilities(features, parameters)
    named = [("train log p(y | x)", float(np.mean((log_proba * targets).sum(1))))]
    if validation is not None:
        features, targets = validation
        predicted = class_log_probabilities(features, parameters).argmax(axis=1)
        accuracy = float(np.mean(predicted == targets.argmax(axis=1)))
        named.append(("validation accuracy", accuracy))
    return named


def expected_hidden(features, parameters):
    """``E[h | x] = sum_y p(y | x) P(h = 1 | x, y)``, shape (n_rows, n_hidden)."""
    inputs, _ = class_hidden_inputs(features, parameters)
    probabilities = logistic(inputs)
    class_probabilities = softmax(class_scores(inputs, parameters), axis=1)
    return np.matmul(class_probabilities[:, None, :], probabilities)[:, 0, :]


def discriminative_gradient(features, targets, parameters):
    """Gradient of the mean ``log p(y | x)`` with respect to ``parameters.arrays``.

    With ``r_y = 1[y = y_true] - p(y | x)`` and ``sigma`` the logistic, each
    row contributes ``d/dd_y = r_y``, ``d/dU_jy = r_y sigma(o_yj)``,
    ``d/dc_j = delta_j = sum_y r_y sigma(o_yj)`` and ``d/dW_ji = delta_j
    s_i(x)``; the visible bias ``b`` does not enter ``p(y | x)``, and the
    feature units' own parameters get the chain rule through ``s(x)``.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_features)
    targets : ndarray of shape (n_rows, n_classes)
        One-hot labels (or any rows of class probabilities).
    parameters : RBMParameters

    Returns
    -------
    gradient : list of ndarray
        One array per entry of ``parameters.arrays``.
    """
    units = parameters.units
    n_rows = features.shape[0]
    inputs, interaction = class_hidden_inputs(features, parameters)
    softplus_inputs, probabilities = softplus_and_logistic(inputs)
    label_bias = units.split(parameters.visible_bias)[1]
    scores = softplus_inputs.sum(axis=2) + label_bias
    residual = targets - softmax(scores, axis=1)
    residual /= n_rows
    hidden_gradient = np.matmul(residual[:, None, :], probabilities)[:, 0, :]
    weights = units.split(parameters.weights)[0]
    visible_gradient = np.zeros_like(parameters.visible_bias)
    units.split(visible_gradient)[1][...] = residual.sum(axis=0)
    own = units.features.interaction_gradients(
        interaction, hidden_gradient @ weights, np.ones(n_rows)
    )
    return [
        np.hstack(
            [
                np.asarray(hidden_gradient.T @ interaction),
                (probabilities * residual[:, :, None]).sum(axis=0).T,
            ]
        ).astype(parameters.weights.dtype, copy=False),
        visible_gradient,
        hidden_gradient.sum(axis=0),
        *own,
    ]
