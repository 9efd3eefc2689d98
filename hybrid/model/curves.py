"""Learning curves: ``m(n) = ceiling - scale * n**(-exponent)``, fitted with its uncertainty.

The inverse power law is the form Hestness et al. ("Deep Learning Scaling is Predictable,
Empirically", 2017) found across tasks. Mahmood et al. ("How Much More Data Do I Need?", CVPR 2022)
show that fitting it on few, small points over-predicts what more data buys, so every fit here comes
with its parameter covariance (from SciPy's ``curve_fit``) and, with four or more points, a
back-test:
fit without the largest point and predict it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from hybrid.errors import InputError
from hybrid.model.scenario import FittedCurve, LearningCurveSpec

# A metric here is a fraction; the ceiling cannot exceed a perfect score.
MAX_CEILING = 1.0
MAX_EXPONENT = 3.0


def power_law(n: np.ndarray | float, ceiling: float, scale: float, exponent: float) -> np.ndarray:
    return ceiling - scale * np.power(n, -exponent)


@dataclass(frozen=True)
class CurveFit:
    """A fitted learning curve; ``cov`` is None when the points determine it exactly."""

    ceiling: float
    scale: float
    exponent: float
    cov: np.ndarray | None = None
    points: tuple[tuple[float, float], ...] = ()
    backtest_error: float | None = None
    backtest_note: str = ""
    rmse: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def params(self) -> tuple[float, float, float]:
        return (self.ceiling, self.scale, self.exponent)

    def predict(self, n: np.ndarray | float) -> np.ndarray:
        return power_law(np.asarray(n, dtype=float), *self.params)

    def examples_for(self, metric: float) -> float:
        """Examples needed to reach ``metric`` on this curve; inf at or above the ceiling."""
        gap = self.ceiling - metric
        if gap <= 0:
            return float("inf")
        return float((self.scale / gap) ** (1.0 / self.exponent))

    def sample_params(self, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Parameter draws from the fit's Gaussian approximation, clipped to valid ranges.

        Returns an array of shape (draws, 3). With no covariance every row is the point estimate.
        """
        mean = np.array(self.params)
        if self.cov is None:
            return np.tile(mean, (draws, 1))
        out = rng.multivariate_normal(mean, self.cov, size=draws, check_valid="ignore")
        out[:, 0] = np.clip(out[:, 0], 1e-6, MAX_CEILING)
        out[:, 1] = np.clip(out[:, 1], 1e-12, None)
        out[:, 2] = np.clip(out[:, 2], 1e-4, MAX_EXPONENT)
        return out

    def band(self, n: np.ndarray, level: float = 0.9, draws: int = 2000, seed: int = 0):
        """Lower and upper prediction band for the mean curve at ``n`` (parameter uncertainty)."""
        n = np.asarray(n, dtype=float)
        if self.cov is None:
            m = self.predict(n)
            return m, m
        rng = np.random.default_rng(seed)
        p = self.sample_params(draws, rng)
        curves = p[:, [0]] - p[:, [1]] * np.power(n[None, :], -p[:, [2]])
        lo, hi = np.quantile(curves, [(1 - level) / 2, (1 + level) / 2], axis=0)
        return np.clip(lo, 0, 1), np.clip(hi, 0, 1)

    def to_fitted(self) -> FittedCurve:
        return FittedCurve(ceiling=self.ceiling, scale=self.scale, exponent=self.exponent)


def _profile_start(n: np.ndarray, m: np.ndarray) -> tuple[float, float, float]:
    """Starting point by variable projection: for a fixed exponent the model is linear in
    (ceiling, scale), so a vectorised least squares over a grid of exponents finds the basin."""
    top = float(m.max())
    b = np.geomspace(1e-3, MAX_EXPONENT, 160)
    x = np.power(n[None, :], -b[:, None])  # (B, N)
    xm, mm = x.mean(axis=1), m.mean()
    sxx = ((x - xm[:, None]) ** 2).sum(axis=1)
    sxy = ((x - xm[:, None]) * (m - mm)[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.maximum(-sxy / sxx, 1e-12)
    ceiling = np.clip(mm + scale * xm, top, MAX_CEILING)
    # Re-solve the scale for a clipped ceiling so the pair stays consistent.
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.maximum(
            ((ceiling[:, None] - m[None, :]) * x).sum(axis=1) / (x * x).sum(axis=1), 1e-12
        )
    sse = (((ceiling[:, None] - scale[:, None] * x) - m[None, :]) ** 2).sum(axis=1)
    i = int(np.nanargmin(sse))
    return float(ceiling[i]), float(np.log(scale[i])), float(b[i])


def _fit_params(n: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Least squares in (ceiling, log scale, exponent) with bounds; log scale keeps it positive."""
    top = float(m.max())

    def model(x, ceiling, log_scale, exponent):
        return ceiling - np.exp(log_scale - exponent * np.log(x))

    def jac(x, ceiling, log_scale, exponent):
        t = np.exp(log_scale - exponent * np.log(x))
        return np.column_stack([np.ones_like(x), -t, t * np.log(x)])

    # Imported here, not at the top: SciPy's optimize package takes about a second to import,
    # which every dashboard page paid before its heading (benchmarks/bench_pages.py).
    from scipy.optimize import OptimizeWarning, curve_fit

    c0, a0, b0 = _profile_start(n, m)
    lower = [top - 1e-9, -50.0, 1e-4]
    upper = [MAX_CEILING, 50.0, MAX_EXPONENT]
    p0 = np.clip([c0, a0, b0], np.add(lower, 1e-12), np.subtract(upper, 1e-12))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            popt, pcov = curve_fit(model, n, m, p0=p0, jac=jac, bounds=(lower, upper), maxfev=20000)
    except (RuntimeError, ValueError):
        popt, pcov = p0, None
    if not np.all(np.isfinite(popt)):
        raise InputError("learning curve: the points could not be fitted by m(n) = c - a*n^-b")
    ceiling, log_scale, exponent = (float(v) for v in popt)
    scale = float(np.exp(log_scale))
    params = np.array([ceiling, scale, exponent])
    cov = None
    if len(n) > 3 and pcov is not None and np.all(np.isfinite(pcov)):
        # Delta method from (c, log a, b) to (c, a, b).
        jac_t = np.diag([1.0, scale, 1.0])
        cov = jac_t @ pcov @ jac_t.T
    return params, cov


def fit_curve(points: list[tuple[float, float]] | np.ndarray, backtest: bool = True) -> CurveFit:
    """Fit measured ``(n, metric)`` points; refuse what cannot make a curve, with a clear
    message."""
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InputError("learning curve: points must be pairs [n, metric]")
    if len(arr) < 3:
        raise InputError(f"learning curve: needs at least 3 points, got {len(arr)}")
    if not np.all(np.isfinite(arr)):
        raise InputError("learning curve: points must be finite numbers")
    if np.any(arr[:, 0] <= 0):
        raise InputError("learning curve: dataset sizes n must be positive")
    if np.any((arr[:, 1] < 0) | (arr[:, 1] > 1)):
        raise InputError("learning curve: metrics must be fractions between 0 and 1")
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    n, m = arr[:, 0], arr[:, 1]
    if len(np.unique(n)) < 3:
        raise InputError("learning curve: needs at least 3 distinct dataset sizes")
    notes: list[str] = []
    if m[-1] <= m[0]:
        raise InputError(
            "learning curve: the metric does not improve with more data "
            f"({m[0]:.3f} at n={n[0]:g}, {m[-1]:.3f} at n={n[-1]:g}); a curve cannot be fitted"
        )
    params, cov = _fit_params(n, m)
    resid = power_law(n, *params) - m
    rmse = float(np.sqrt(np.mean(resid**2)))
    if cov is None:
        notes.append("with 3 points the curve passes through them exactly: no uncertainty estimate")
    backtest_error = None
    backtest_note = "back-test needs at least 4 points"
    if backtest and len(np.unique(n[:-1])) >= 3 and len(n) >= 4:
        try:
            bp, _ = _fit_params(n[:-1], m[:-1])
            backtest_error = float(abs(power_law(n[-1], *bp) - m[-1]))
            backtest_note = f"fitted without n={n[-1]:g}, predicted it within {backtest_error:.4f}"
        except InputError:
            backtest_note = "back-test fit failed"
    return CurveFit(
        ceiling=float(params[0]),
        scale=float(params[1]),
        exponent=float(params[2]),
        cov=cov,
        points=tuple((float(a), float(b)) for a, b in arr),
        backtest_error=backtest_error,
        backtest_note=backtest_note,
        rmse=rmse,
        notes=tuple(notes),
    )


def curve_from_spec(spec: LearningCurveSpec) -> CurveFit:
    """The scenario's curve: fitted parameters as given, or a fit of its points."""
    if spec.fitted is not None:
        f = spec.fitted
        return CurveFit(ceiling=f.ceiling, scale=f.scale, exponent=f.exponent)
    assert spec.points is not None
    return fit_curve(spec.points, backtest=False)
