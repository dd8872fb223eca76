"""Few-cluster inference: the wild cluster bootstrap agrees with an independent implementation; CR2 with HC2."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from wildboottest.wildboottest import WildboottestCL

from analytics.cluster_inference import (
    WEBB_POINTS,
    cr2_interval,
    webb_weights,
    wild_cluster_bootstrap,
    wild_cluster_p_value,
)


def _clustered(seed: int = 5, groups: int = 10, size: int = 15, slope: float = 0.3):
    rng = np.random.default_rng(seed)
    clusters = np.repeat(np.arange(groups), size)
    x = rng.normal(size=groups * size) + rng.normal(size=groups)[clusters]
    y = 1.0 + slope * x + rng.normal(size=groups)[clusters] + rng.normal(size=groups * size)
    design = np.column_stack([np.ones_like(x), x, rng.normal(size=groups * size)])
    return design, y, clusters


def test_webb_weights_have_mean_zero_and_variance_one():
    assert WEBB_POINTS.mean() == pytest.approx(0.0)
    assert (WEBB_POINTS**2).mean() == pytest.approx(1.0)
    draws = webb_weights(12, draws=50)
    assert draws.shape == (50, 12) and set(np.unique(draws)) <= set(WEBB_POINTS)


@pytest.mark.parametrize("slope", [0.0, 0.3])
def test_restricted_bootstrap_p_value_matches_wildboottest_draw_for_draw(slope):
    x, y, clusters = _clustered(slope=slope)
    draws = webb_weights(10, draws=999, seed=3)
    ours = wild_cluster_p_value(x, y, clusters, k=1, weights=draws)

    theirs = WildboottestCL(X=x, Y=y, cluster=clusters, R=np.array([0.0, 1.0, 0.0]), B=999, seed=1, parallel=False)
    theirs.get_scores(bootstrap_type="11", impose_null=True)
    theirs.v, theirs.B = draws.T, 999
    theirs.get_numer()
    theirs.get_denom()
    theirs.get_tboot()
    theirs.get_vcov()
    theirs.get_tstat()
    theirs.get_pvalue(pval_type="two-tailed")
    assert ours == pytest.approx(theirs.pvalue, abs=1e-12)


def test_bootstrap_interval_bounds_are_where_the_test_stops_rejecting():
    x, y, clusters = _clustered()
    guide = cr2_interval(x, y, clusters, k=1)
    interval = wild_cluster_bootstrap(x, y, clusters, k=1, guide_se=(guide.high - guide.low) / 4)
    assert interval.low < interval.estimate < interval.high
    draws = webb_weights(10)
    width = interval.high - interval.low
    for bound, outward in ((interval.low, -1), (interval.high, 1)):
        assert wild_cluster_p_value(x, y, clusters, 1, bound - outward * 0.01 * width, draws) >= 0.05
        assert wild_cluster_p_value(x, y, clusters, 1, bound + outward * 0.01 * width, draws) < 0.05


def test_cr2_with_one_observation_per_cluster_is_hc2():
    x, y, _ = _clustered()
    ours = cr2_interval(x, y, np.arange(len(y)), k=1)
    hc2 = sm.OLS(y, x).fit(cov_type="HC2")
    half_width = (ours.high - ours.low) / 2
    se = half_width / stats.t.ppf(0.975, len(y) - 1)
    assert ours.estimate == pytest.approx(hc2.params[1])
    assert se == pytest.approx(hc2.bse[1], rel=1e-9)


def test_cr2_allows_cluster_fixed_effects():
    x, y, clusters = _clustered()
    dummies = (clusters[:, None] == np.arange(1, 10)[None, :]).astype(float)
    interval = cr2_interval(np.column_stack([x, dummies]), y, clusters, k=1)
    assert np.isfinite(interval.low) and interval.low < interval.estimate < interval.high
