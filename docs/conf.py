"""Sphinx configuration of the skebm documentation.

Build it, warnings as errors, from the root of the repository::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build runs every gallery example in ``examples/``. Intersphinx links to
numpy, scipy and scikit-learn need their inventories from the network, so the
extension is enabled only when ``SKEBM_DOCS_INTERSPHINX=1``: offline builds
(CI, most developer machines here) then pass with ``-W`` and simply render
those names as code instead of links.
"""

# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
import warnings

# The build runs the gallery in this process on a small shared machine, where
# multithreaded BLAS on small matrices is many times slower than one thread.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from threadpoolctl import threadpool_limits  # noqa: E402

import skebm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]))

project = "skebm"
author = "The skebm developers"
copyright = "the skebm developers"
version = release = skebm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# Inventories are fetched over the network at build time; offline, Sphinx
# would warn (and -W fail) for each unreachable one, so linking is opt-in.
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
}
if os.environ.get("SKEBM_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")

# Docstrings inherited from scikit-learn (``n_features_in_``, the metadata
# routing methods) point at its glossary and user guide. Intersphinx resolves
# them; offline they are shown as plain text instead of failing the build.
_SKLEARN_LABELS = {"metadata_routing"}


def _sklearn_reference_as_text(app, env, node, contnode):
    if node.get("refdomain") != "std":
        return None
    reftype, target = node.get("reftype"), node.get("reftarget", "")
    if reftype == "term" or (reftype == "ref" and target in _SKLEARN_LABELS):
        return contnode
    return None


def setup(app):
    if "sphinx.ext.intersphinx" not in extensions:
        app.connect("missing-reference", _sklearn_reference_as_text, priority=900)


templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False

html_theme = "pydata_sphinx_theme"
html_title = f"skebm {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_sidebars = {"getting_started": [], "benchmarks": [], "scale_out": []}

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "doc_module": ("skebm",),
    "backreferences_dir": "generated/backreferences",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    # A name, not the class itself, so that Sphinx can pickle the config.
    "subsection_order": ["../examples/rbm", "../examples/hopfield"],
    "within_subsection_order": "gallery_order.ExampleOrder",
    "show_memory": False,
    "min_reported_time": 1,
}

# Agg draws the gallery's figures without a display.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings(
    "ignore",
    category=UserWarning,
    message="Matplotlib is currently using agg",
)
