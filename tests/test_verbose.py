import re

import numpy as np

from skebm import HopfieldMemory, RBMTransformer

LINE = re.compile(
    r"^\[(RBMTransformer|HopfieldMemory)\] [^,]+(, [a-z0-9 -]+ = [^,]+)*, "
    r"time = \d+\.\d\ds$"
)


def test_both_estimators_report_progress_in_one_format(capsys):
    X = (np.random.default_rng(0).random((60, 10)) < 0.4).astype(float)
    RBMTransformer(4, n_iter=3, verbose=1, random_state=0).fit(X)
    HopfieldMemory("hebbian", verbose=1).fit(X).partial_fit(X[:5])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5
    assert all(LINE.match(line) for line in lines), lines
    assert "train log-likelihood" in lines[0]
    assert lines[3].startswith("[HopfieldMemory] fit, memories = 60")
    assert lines[4].startswith("[HopfieldMemory] partial_fit, memories = 65")


def test_silent_by_default(capsys):
    X = (np.random.default_rng(0).random((30, 6)) < 0.4).astype(float)
    RBMTransformer(3, n_iter=2, random_state=0).fit(X).score(X)
    HopfieldMemory().fit(X).predict(X)
    assert capsys.readouterr().out == ""


def test_long_ais_runs_report_their_progress(capsys):
    X = (np.random.default_rng(0).random((40, 25)) < 0.4).astype(float)
    rbm = RBMTransformer(
        25, n_iter=1, verbose=1, ais_n_betas=500, ais_n_chains=10, random_state=0
    ).fit(X)
    capsys.readouterr()
    assert np.isfinite(rbm.log_partition_)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 9
    assert all(LINE.match(line) and "AIS" in line for line in lines), lines
