"""The per-epoch record of training, and log Z followed from epoch to epoch.

A log-likelihood needs log Z. Estimated afresh every epoch by AIS it costs
more than the epoch, or, made cheap, errs by several nats either way from
one epoch to the next: the record then moves with the estimator's noise, not
with the model. Consecutive epochs' models are close, though, and training
draws samples of them for free: the negative phase's chains. So
:class:`LogPartitionTracker` estimates log Z by AIS for the first epoch's
model and then adds, epoch after epoch, ``log Z_new - log Z_old``, from
annealing both ways between the two models, each way from the chains'
samples of its starting model, combined by Bennett's acceptance ratio (the
idea of Desjardins, Courville & Bengio, 2011, "On tracking the partition
function", across epochs rather than updates), and estimates the last
epoch's afresh ("corrected now and then by AIS").
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skebm._array_api import is_numpy, like, namespace
from skebm._rbm._model import gibbs_chain, sample_hiddens, sample_visibles
from skebm._rbm._partition import bennett_log_ratio, bridge_log_weights


def take_rows(array, rows):
    """The rows ``rows`` (a numpy index array) of ``array``, in its namespace."""
    if is_numpy(array):
        return array[rows]
    return namespace(array).take(array, like(rows, array), axis=0)


def _concatenate(arrays):
    if is_numpy(arrays[0]):
        return np.concatenate(arrays)
    return namespace(arrays[0]).concat(arrays)


class EpochMonitor:
    """The scores of each epoch's model, for ``verbose`` and early stopping.

    Parameters
    ----------
    scores : callable
        ``scores(parameters, last) -> [(name, value), ...]``, called after
        each epoch with the model it stands for; ``last`` says whether the
        epoch is the last one scheduled.
    observe : callable or None
        ``observe(trainer)``, called a hundred or so times an epoch, to see
        what training does (for example its chains); None when not needed.
    """

    def __init__(self, scores, observe=None):
        self.scores = scores
        self.observe_trainer = observe

    def observe(self, trainer):
        if self.observe_trainer is not None:
            self.observe_trainer(trainer)

    def __call__(self, parameters, last=False):
        return self.scores(parameters, last)


class LogPartitionTracker:
    """log Z of a sequence of models, each close to the one before.

    The first model's log Z, and the last's when the caller says so, come
    from ``estimate`` (AIS); each other model's is the previous one's plus
    ``log Z_new - log Z_old``, from annealing both ways between the two
    models (:func:`~skebm._rbm._partition.bridge_log_weights`) combined by
    Bennett's acceptance ratio
    (:func:`~skebm._rbm._partition.bennett_log_ratio`).

    Parameters
    ----------
    estimate : callable
        ``estimate(parameters) -> log_z``, for the first and last models.
    draws : numpy Generator, or draws in the parameters' namespace
        For the annealing's Gibbs transitions.
    rng : numpy Generator
        For the choice of samples.
    n_chains : int
        Samples annealed each way between two models.
    n_bridge_steps : int
        Models on the line from one model to the next.
    n_sweeps : int, default=0
        Gibbs sweeps of the chosen samples under their model before they
        anneal: the training's chains lag behind a model that moves.

    Notes
    -----
    Samples of each model go in with :meth:`add_samples` while it is trained
    (visible states of the training's chains, which follow the model,
    including the modes away from the data that training pushes down;
    chains started at the data miss those). They still lag behind a model
    that moves fast, and sit closer to the data than the model's own
    samples: the annealing then errs by a few tenths of a nat a step, which
    adds up over many epochs; hence the fresh estimate for the last model.
    """

    def __init__(self, estimate, draws, rng, *, n_chains, n_bridge_steps, n_sweeps=0):
        self.estimate = estimate
        self.draws = draws
        self.rng = rng
        self.n_chains = n_chains
        self.n_bridge_steps = n_bridge_steps
        self.n_sweeps = n_sweeps
        self.parameters = None
        self.samples = None
        self.log_z = None
        self._new_samples = []

    def add_samples(self, visible):
        """Visible samples of the model that the next call will bring."""
        self._new_samples.append(visible)

    def _chosen(self, samples, parameters):
        """``n_chains`` of ``samples``, after ``n_sweeps`` under their model."""
        chosen = take_rows(
            samples, self.rng.permutation(samples.shape[0])[: self.n_chains]
        )
        if self.n_sweeps == 0:
            return chosen
        hidden = sample_hiddens(chosen, parameters, self.draws)
        return gibbs_chain(hidden, parameters, self.n_sweeps, self.draws)[0]

    def __call__(self, parameters, last=False):
        """log Z of ``parameters``, the model whose samples were added since.

        ``last`` asks for a fresh estimate rather than a step.
        """
        samples = self.samples
        if self._new_samples:
            samples = _concatenate(self._new_samples)
            self._new_samples = []
        if self.parameters is None or last or samples is None:
            self.log_z = self.estimate(parameters)
        else:
            forward = bridge_log_weights(
                self.parameters,
                parameters,
                self._chosen(self.samples, self.parameters),
                n_steps=self.n_bridge_steps,
                rng=self.draws,
            )
            reverse = bridge_log_weights(
                parameters,
                self.parameters,
                self._chosen(samples, parameters),
                n_steps=self.n_bridge_steps,
                rng=self.draws,
            )
            self.log_z += bennett_log_ratio(forward, reverse)
        self.parameters = _copied(parameters)
        self.samples = samples
        return self.log_z


def _copied(parameters):
    # The caller's arrays move on with training.
    return parameters.with_arrays([a * 1 for a in parameters.arrays])


def chain_samples(trainer, n_rows, draws, rng):
    """Visible samples of the trainer's model from ``n_rows`` of its chains.

    The chains hold hidden states; a visible state is drawn from each under
    the current parameters, with ``draws``; ``rng`` (numpy) picks the rows.
    """
    hidden = trainer.chains
    n_chains = hidden.shape[0]
    if n_rows < n_chains:
        hidden = take_rows(hidden, np.sort(rng.permutation(n_chains)[:n_rows]))
    return sample_visibles(hidden, trainer.parameters, draws)
