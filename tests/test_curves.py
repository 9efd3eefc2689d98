import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hybrid.errors import InputError
from hybrid.model.curves import fit_curve, power_law

SIZES = np.array([100, 200, 400, 800, 1600, 3200, 6400], dtype=float)


@pytest.mark.parametrize("c, a, b", [(0.92, 1.5, 0.5), (0.8, 0.9, 0.3), (0.99, 3.0, 0.7)])
def test_recovers_known_parameters_exactly(c, a, b):
    fit = fit_curve(np.c_[SIZES, power_law(SIZES, c, a, b)])
    assert fit.ceiling == pytest.approx(c, abs=1e-4)
    assert fit.scale == pytest.approx(a, rel=1e-3)
    assert fit.exponent == pytest.approx(b, abs=1e-3)
    assert fit.backtest_error < 1e-4


def test_noisy_points_recover_within_uncertainty():
    rng = np.random.default_rng(7)
    c, a, b = 0.9, 1.2, 0.45
    m = power_law(SIZES, c, a, b) + rng.normal(0, 0.003, len(SIZES))
    fit = fit_curve(np.c_[SIZES, m])
    se = np.sqrt(np.diag(fit.cov))
    assert abs(fit.ceiling - c) < 3 * se[0] + 0.01
    assert abs(fit.exponent - b) < 3 * se[2] + 0.05
    assert fit.backtest_error is not None and fit.backtest_error < 0.03
    lo, hi = fit.band(np.array([10000.0]))
    assert lo[0] < power_law(10000.0, c, a, b) + 0.01 and hi[0] > power_law(10000.0, c, a, b) - 0.01
    assert hi[0] > lo[0]


def test_three_points_fit_exactly_without_uncertainty():
    fit = fit_curve([[100, 0.6], [400, 0.7], [1600, 0.75]])
    assert fit.cov is None and fit.backtest_error is None
    assert np.allclose(fit.predict([100, 400, 1600]), [0.6, 0.7, 0.75], atol=1e-4)


@pytest.mark.parametrize(
    "points, message",
    [
        ([[100, 0.5], [200, 0.6]], "at least 3 points"),
        ([[0, 0.5], [200, 0.6], [400, 0.7]], "positive"),
        ([[-5, 0.5], [200, 0.6], [400, 0.7]], "positive"),
        ([[100, 0.5], [100, 0.6], [400, 0.7]], "3 distinct"),
        ([[100, 0.8], [200, 0.7], [400, 0.6]], "does not improve"),
        ([[100, 0.5], [200, 1.6], [400, 0.7]], "fractions"),
    ],
)
def test_refuses_what_cannot_be_a_curve(points, message):
    with pytest.raises(InputError, match=message):
        fit_curve(points)


@settings(max_examples=40, deadline=None)
@given(
    c=st.floats(0.6, 0.99),
    a=st.floats(0.2, 5.0),
    b=st.floats(0.1, 1.0),
)
def test_fit_reproduces_any_clean_curve(c, a, b):
    m = power_law(SIZES, c, a, b)
    if np.any(m < 0.01) or np.ptp(m) < 1e-3:
        return
    fit = fit_curve(np.c_[SIZES, m])
    assert np.max(np.abs(fit.predict(SIZES) - m)) < 2e-3


def test_examples_to_reach_inverts_the_curve():
    fit = fit_curve(np.c_[SIZES, power_law(SIZES, 0.9, 1.0, 0.5)])
    n = fit.examples_for(0.85)
    assert fit.predict(n) == pytest.approx(0.85, abs=1e-6)
    assert fit.examples_for(0.95) == float("inf")
