from skebm import HopfieldMemory, RBMTransformer


def test_repr_shows_only_the_parameters_that_differ_from_the_defaults():
    assert repr(RBMTransformer()) == "RBMTransformer()"
    assert repr(RBMTransformer(16, method="cd")) == (
        "RBMTransformer(method='cd', n_components=16)"
    )
    assert repr(HopfieldMemory("hebbian", beta=2.0)) == (
        "HopfieldMemory(beta=2.0, rule='hebbian')"
    )


def test_html_repr_names_the_estimator_and_its_changed_parameters():
    html = RBMTransformer(16)._repr_html_()
    assert "RBMTransformer" in html and "n_components" in html
    assert "HopfieldMemory" in HopfieldMemory()._repr_html_()
