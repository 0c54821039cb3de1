"""Order of the gallery's examples within a section, for sphinx-gallery."""

# SPDX-License-Identifier: BSD-3-Clause

# From first use to finer points.
EXAMPLE_ORDER = [
    "plot_digits_classification.py",
    "plot_rbm_filters_samples.py",
    "plot_likelihood_model_selection.py",
    "plot_deep_belief_network.py",
    "plot_gaussian_visible_units.py",
    "plot_digit_recall.py",
    "plot_capacity.py",
]


class ExampleOrder:
    """Sort key: the position in ``EXAMPLE_ORDER``, unknown files last."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in EXAMPLE_ORDER:
            return (EXAMPLE_ORDER.index(filename), filename)
        return (len(EXAMPLE_ORDER), filename)

    def __repr__(self):
        return "ExampleOrder"
