"""Names the doctests of every module may use without importing them."""

import pytest
import sinter
import stim

import qec


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace: dict) -> None:
    doctest_namespace.update(qec=qec, stim=stim, sinter=sinter)
