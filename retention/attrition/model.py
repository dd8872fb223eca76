"""The attrition model: a logistic regression of left/stayed on an HR frame, with its encoding and explanations.

:func:`fit_attrition_model` works on any frame of one row per employee (or per employee and as-of date) with
numeric and categorical columns plus a left/stayed column, such as an HRMS export. It encodes the frame itself:

* numeric and boolean columns: missing values are imputed with the training median and, where the rows with a gap
  hold at least :data:`MIN_OUTCOMES_PER_INDICATOR` leavers and as many stayers, a 0/1 ``<column> missing``
  indicator is added (so "no data" can carry its own risk); values are clipped to the training 1st-99th
  percentiles (:data:`WINSOR_SHARE`; no extrapolation) and standardised with the training mean and standard
  deviation, and the coefficients are reported back in the column's own unit;
* text and categorical columns: one-hot encoded against the most frequent level (the reference); levels seen
  fewer than ``min_level_count`` times are pooled into ``(other)``, missing values form ``(missing)``, and levels
  unseen in training score as the reference;
* declared identifiers (``id_columns``), date columns, constant columns and text columns with more than
  ``max_levels`` levels are ignored and listed in ``model.ignored``.

The model is a logistic regression, log-odds of leaving = intercept + sum(coef x feature), fitted by penalised
maximum likelihood: a normal prior of SD :data:`PRIOR_SD` on each standardised coefficient (ridge / L2, scipy
L-BFGS-B), so coefficients stay finite and no one scores exactly 0 or 1; ``nonnegative`` inputs are constrained to
coefficients >= 0 (monotone: more of them never lowers the risk). When the same employee appears at several as-of
dates, pass ``groups`` (the id column) for cluster-robust standard errors (Liang & Zeger 1986), since their rows are
not independent.

Recalibration on a later window is the app's training procedure (:mod:`retention.attrition.training`), not part of
this fit. The data set, the evaluation and the app's training procedure are in the sibling modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.linalg import qr
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from retention.features import FEATURES

if TYPE_CHECKING:
    from retention.attrition.evaluation import Evaluation, TimeSplitEvaluation

PRIOR_SD = 1.0
"""Normal prior N(0, 1) on each coefficient per standard deviation of its input (per unit for 0/1 indicators and
categories): a ridge (L2) penalty that keeps every coefficient finite, so no one scores 0 or 1 by construction, and
shrinks effects the exits do not support. Gelman et al. 2008, Ann Appl Stat 2(4):1360-1383, recommend weakly
informative priors of this kind for logistic regression (their default is Cauchy with scale 2.5 per 2 SD, about
1.25 per SD); with few exits and correlated inputs we use the slightly tighter normal."""

WINSOR_SHARE = 0.01
"""Numeric inputs are clipped (winsorised) to their training 1st and 99th percentiles, when fitting and when scoring:
beyond them a handful of rows decide the slope, and a straight line on the log-odds scale run out there drives
probabilities to 0 or 1 (Harrell 2015, Regression Modeling Strategies, 2nd ed., section 2.7, on extreme values)."""

MIN_OUTCOMES_PER_INDICATOR = 10
"""A ``<column> missing`` indicator is added only when the rows with the gap hold at least 10 leavers and 10
stayers: an indicator is one more coefficient, and 10 events per coefficient is the rule of Peduzzi et al. 1996,
J Clin Epidemiol 49(12):1373-1379. Otherwise the gap is imputed with the training median, so a handful of new
hires with no shift yet, none of whom left, cannot teach the model that having no shifts means never leaving."""

SEPARATION_LIMIT = 5.0
"""A fitted coefficient beyond +/-5 log-odds per standard deviation (or for a 0/1 indicator or category) multiplies
the odds by more than e^5 = 148: in practice the sign of (quasi-)complete separation, where the maximum-likelihood
estimate runs off to infinity (Albert & Anderson 1984, Biometrika 71(1):1-10). Reported in ``fit_warnings``."""

_POSITIVE = {"1", "true", "t", "yes", "y", "left", "leaver", "exit", "exited", "terminated", "voluntary", "quit"}
_NEGATIVE = {"0", "false", "f", "no", "n", "stayed", "stay", "active", "retained", "current", "stayer"}


def coerce_target(values: pd.Series) -> pd.Series:
    """Left/stayed column -> float 0/1 (NaN where missing).

    Accepts booleans, 0/1 numbers and words such as yes/no, left/stayed, true/false (any case).
    Raises ``ValueError`` naming the values it cannot read.
    """
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        numeric = pd.to_numeric(values.astype("Float64"), errors="coerce").astype(float)
        bad = sorted(set(numeric.dropna().unique()) - {0.0, 1.0})
        if bad:
            raise ValueError(f"The target column must be 0/1 or yes/no; found values {bad[:5]}.")
        return numeric
    text = values.astype("string").str.strip().str.lower()
    mapped = pd.Series(np.nan, index=values.index, dtype=float)
    mapped[text.isin(_POSITIVE).fillna(False).astype(bool)] = 1.0
    mapped[text.isin(_NEGATIVE).fillna(False).astype(bool)] = 0.0
    unknown = sorted(set(text[mapped.isna() & text.notna()].unique()))
    if unknown:
        raise ValueError(
            f"Cannot read {unknown[:5]} in the target column as left/stayed; "
            "use yes/no, left/stayed, true/false or 1/0."
        )
    return mapped


@dataclass
class _Numeric:
    name: str
    median: float
    mean: float
    sd: float
    indicator: bool
    low: float = -np.inf  # training 1st percentile: scoring clips to [low, high] (WINSOR_SHARE)
    high: float = np.inf


@dataclass
class _Categorical:
    name: str
    reference: str
    levels: list[str]  # non-reference levels, one dummy each


@dataclass
class AttritionModel:
    """A fitted attrition model. Build it with :func:`fit_attrition_model`.

    ``coefficients``: DataFrame indexed by encoded feature with columns ``source`` (input column), ``kind``
    (numeric / missing indicator / category / intercept), ``per`` (what one unit of the feature is), ``coef``
    (log-odds per unit), ``ci_low``/``ci_high`` (confidence interval of ``coef``), ``odds_ratio``,
    ``or_ci_low``/``or_ci_high``, ``p_value``.
    ``evaluation``: a :class:`TimeSplitEvaluation` (or ``Evaluation``) when the model was evaluated, else None.
    ``ignored``: input columns not used, with the reason.
    ``horizon_months``: the label's horizon when known (set by :func:`fit_app_model`).
    """

    target: str
    numeric: list[_Numeric]
    categorical: list[_Categorical]
    params: pd.Series  # on the standardised design, including "(intercept)"
    design_means: pd.Series  # training means of the standardised design columns
    coefficients: pd.DataFrame
    n_train: int
    events_train: int
    ignored: dict[str, str] = field(default_factory=dict)
    fit_warnings: list[str] = field(default_factory=list)
    evaluation: TimeSplitEvaluation | Evaluation | None = None
    horizon_months: int | None = None

    @property
    def feature_columns(self) -> list[str]:
        """Input columns the model reads."""
        return [n.name for n in self.numeric] + [c.name for c in self.categorical]

    def _design(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.feature_columns if c not in frame.columns]
        if missing:
            raise ValueError(f"The frame lacks column(s) {missing} that the attrition model uses.")
        return _encode(frame, self.numeric, self.categorical)

    def predict_proba(self, frame: pd.DataFrame) -> pd.Series:
        """Probability of the target (e.g. voluntary exit within 12 months), one float per row of ``frame``.

        Returns a Series with ``frame``'s index, named ``probability``. Raises ``ValueError`` if a column the
        model uses is missing.
        """
        design = self._design(frame)
        coef = self.params.reindex(design.columns, fill_value=0.0).to_numpy()
        logit = design.to_numpy(dtype=float) @ coef + self.params["(intercept)"]
        return pd.Series(1.0 / (1.0 + np.exp(-logit)), index=frame.index, name="probability")

    def linear_predictor(self, frame: pd.DataFrame) -> pd.Series:
        """Log-odds of the target per row of ``frame`` (Series with ``frame``'s index). Raises as ``predict_proba``."""
        design = self._design(frame)
        coef = self.params.reindex(design.columns, fill_value=0.0).to_numpy()
        return pd.Series(design.to_numpy(dtype=float) @ coef + self.params["(intercept)"], index=frame.index)

    def contributions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each input column's contribution to each row's log-odds: sum of coef x (x - training mean) over the
        column's encoded features. Rows sum, with the log-odds at the training means, to the row's log-odds.

        Returns a float DataFrame with ``frame``'s index and one column per model input column.
        """
        design = self._design(frame)
        means = self.design_means.reindex(design.columns, fill_value=0.0)
        centred = (design - means) * self.params.reindex(design.columns, fill_value=0.0)
        source = {col: _source_of(col, self.numeric) for col in design.columns}
        return centred.T.groupby(source).sum().T.reindex(columns=self.feature_columns)

    def drivers(self, frame: pd.DataFrame, top: int = 3, direction: str = "up") -> pd.DataFrame:
        """Each row's largest contributions, in log-odds and in plain words.

        ``direction``: ``"up"`` keeps contributions that raise the risk, ``"abs"`` ranks by size either way.
        Returns a long DataFrame (one row per input row and rank, input index kept as column ``row``) with
        columns ``row``, ``rank``, ``feature``, ``value``, ``typical``, ``contribution`` (log-odds),
        ``odds_factor`` (exp(contribution)) and ``text``.
        """
        contrib = self.contributions(frame)
        typical = self._typical()
        values = contrib.to_numpy(dtype=float)
        if direction == "up":
            values = np.where(values > 0, values, np.nan)
        order = np.argsort(-np.abs(np.nan_to_num(values, nan=0.0)), axis=1, kind="stable")[:, :top]
        columns = ["row", "rank", "feature", "value", "typical", "contribution", "odds_factor", "text"]
        records = []
        for i, row_label in enumerate(contrib.index):
            for rank, j in enumerate(order[i], start=1):
                c = values[i, j]
                if np.isnan(c) or c == 0:
                    continue
                feature = contrib.columns[j]
                value = frame[feature].iloc[i]
                records.append(
                    (
                        row_label,
                        rank,
                        feature,
                        value,
                        typical.get(feature),
                        float(c),
                        float(np.exp(c)),
                        _driver_text(feature, value, typical.get(feature), float(c)),
                    )
                )
        return pd.DataFrame.from_records(records, columns=columns)

    def driver_summary(self, frame: pd.DataFrame, top: int = 3) -> pd.Series:
        """One string per row joining its risk-raising drivers (``"; "``-separated); "" when none."""
        long = self.drivers(frame, top=top, direction="up")
        joined = long.groupby("row", sort=False)["text"].agg("; ".join)
        return joined.reindex(frame.index).fillna("").astype("string")

    def _typical(self) -> dict[str, object]:
        typical: dict[str, object] = {n.name: n.mean for n in self.numeric}
        typical.update({c.name: c.reference for c in self.categorical})
        return typical


def _source_of(encoded: str, numeric: Sequence[_Numeric]) -> str:
    """Input column an encoded design column comes from."""
    if encoded in {n.name for n in numeric}:
        return encoded
    if encoded.endswith(" missing"):
        return encoded[: -len(" missing")]
    return encoded.split("=", 1)[0]


def _driver_text(feature: str, value: object, typical: object, contribution: float) -> str:
    spec = FEATURES.get(feature)
    label = feature.replace("_", " ")
    verb = "raises" if contribution > 0 else "lowers"
    factor = f"x{np.exp(contribution):.2f}"
    if isinstance(typical, str):
        shown = "(missing)" if value is None or pd.isna(value) else str(value)
        return f"{label} = {shown} (most common: {typical}) {verb} the odds {factor}"
    if value is None or pd.isna(value):
        return f"{label} missing {verb} the odds {factor}"
    if spec is not None and spec.unit == "0/1":
        return (
            f"{label}: {'yes' if float(value) >= 0.5 else 'no'} (share {float(typical):.0%}) {verb} the odds {factor}"
        )
    unit = f" {spec.unit}" if spec else ""
    return f"{label} {float(value):.1f}{unit} (typical {float(typical):.1f}) {verb} the odds {factor}"


def _encode(frame: pd.DataFrame, numeric: Sequence[_Numeric], categorical: Sequence[_Categorical]) -> pd.DataFrame:
    columns: dict[str, np.ndarray] = {}
    for spec in numeric:
        raw = pd.to_numeric(frame[spec.name].astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(raw)
        filled = np.clip(np.where(missing, spec.median, raw), spec.low, spec.high)
        columns[spec.name] = (filled - spec.mean) / spec.sd
        if spec.indicator:
            columns[f"{spec.name} missing"] = missing.astype(float)
    for spec in categorical:
        text = _category_text(frame[spec.name], [*spec.levels, spec.reference])
        for level in spec.levels:
            columns[f"{spec.name}={level}"] = (text == level).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=frame.index)


def _category_text(values: pd.Series, known: Sequence[str] | None = None) -> pd.Series:
    text = values.astype("string").fillna("(missing)")
    if known is not None:
        text = text.where(text.isin(known), "(other)" if "(other)" in known else "(unseen)")
    return text


def fit_attrition_model(
    frame: pd.DataFrame,
    target: str,
    id_columns: Sequence[str] = (),
    *,
    groups: str | None = None,
    feature_columns: Sequence[str] | None = None,
    confidence: float = 0.95,
    max_levels: int = 30,
    min_level_count: int = 5,
    prior_sd: float | None = PRIOR_SD,
    nonnegative: Sequence[str] = (),
) -> AttritionModel:
    """Fit a penalised logistic regression of ``target`` (left = 1 / stayed = 0) on the other columns of ``frame``.

    ``frame``: one row per employee (or employee and as-of date); ``target``: the left/stayed column (bool,
    0/1 or words, see :func:`coerce_target`; rows with a missing target are dropped); ``id_columns``:
    identifiers to ignore; ``groups``: optional column (usually the employee id) for cluster-robust
    standard errors; ``feature_columns``: restrict to these input columns (default: all others);
    ``prior_sd``: SD of the normal prior on each coefficient per standard deviation of its input (None: plain
    maximum likelihood), see :data:`PRIOR_SD`; ``nonnegative``: numeric input columns whose coefficient may not be
    negative (more of the input never lowers the risk); one held at 0 is flagged ``held_at_zero`` in
    ``coefficients``.

    Returns an :class:`AttritionModel`. Raises ``ValueError`` when the target has no exits or no stayers, or
    no usable feature column remains.
    """
    y_all = coerce_target(frame[target])
    keep = y_all.notna()
    data, y = frame[keep], y_all[keep]
    if y.sum() == 0 or y.sum() == len(y):
        raise ValueError("The target needs both leavers and stayers to fit an attrition model.")
    ignored: dict[str, str] = {c: "declared identifier" for c in id_columns if c in frame.columns}
    if groups is not None:
        ignored.setdefault(groups, "declared identifier")
    candidates = list(feature_columns) if feature_columns is not None else list(frame.columns)
    numeric: list[_Numeric] = []
    categorical: list[_Categorical] = []
    for name in candidates:
        if name == target or name in ignored:
            continue
        col = data[name]
        if pd.api.types.is_datetime64_any_dtype(col) or isinstance(col.dtype, pd.PeriodDtype):
            ignored[name] = "date column (derive a duration such as tenure instead)"
        elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            spec = _numeric_spec(name, col, y.to_numpy())
            if spec is None:
                ignored[name] = "constant or empty in the training rows"
            else:
                numeric.append(spec)
        else:
            spec_c = _categorical_spec(name, col, max_levels, min_level_count)
            if isinstance(spec_c, str):
                ignored[name] = spec_c
            else:
                categorical.append(spec_c)
    if not numeric and not categorical:
        raise ValueError("No usable feature column: give numeric or categorical columns besides the target and ids.")
    design = _encode(data, numeric, categorical)
    design = design.loc[:, design.std(ddof=0) > 0]
    design, collinear = _drop_collinear(design)
    for name in collinear:
        ignored[name] = "collinear with other columns in the training rows (no separate effect can be estimated)"
    exog = sm.add_constant(design, has_constant="add").rename(columns={"const": "(intercept)"})
    fit_warnings: list[str] = []
    held = [c for c in nonnegative if c in design.columns]
    codes = pd.factorize(data[groups])[0] if groups is not None else None
    # One BLAS thread: the fit does many small matrix-vector products, for which a multi-threaded BLAS is far slower
    # on a shared 2-core server (measured 15x for the earlier IRLS fit at sample scale 1).
    with threadpool_limits(limits=1, user_api="blas"):
        beta, cov, message = _penalised_fit(exog, y.to_numpy(dtype=float), prior_sd, held, codes)
    if message:
        fit_warnings.append(message)
    params = pd.Series(beta, index=exog.columns)
    at_bound = [c for c in held if params[c] <= 1e-8]
    for name in at_bound:
        params[name] = 0.0
    fit_warnings += [
        f"{name}: coefficient {value:+.1f} on the fitting scale suggests (quasi-)separation (almost every row with "
        "this value has the same outcome); its confidence interval is not reliable."
        for name, value in params.drop("(intercept)").items()
        if abs(value) > SEPARATION_LIMIT
    ]
    se = pd.Series(np.sqrt(np.clip(np.diag(cov), 0, None)), index=exog.columns)
    z = float(norm.ppf(0.5 + confidence / 2))
    conf = pd.DataFrame({"lo": params - z * se, "hi": params + z * se})
    with np.errstate(divide="ignore", invalid="ignore"):
        pvalues = pd.Series(2 * norm.sf(np.abs(params / se)), index=exog.columns)
    conf.loc[at_bound] = np.nan  # a coefficient held at its bound has no sampling interval to report
    pvalues[at_bound] = np.nan
    coefficients = _coefficient_table(params, conf, pvalues, numeric, categorical)
    coefficients["held_at_zero"] = coefficients.index.isin(at_bound)
    return AttritionModel(
        target=target,
        numeric=numeric,
        categorical=categorical,
        params=params,
        design_means=design.mean(),
        coefficients=coefficients,
        n_train=len(y),
        events_train=int(y.sum()),
        ignored=ignored,
        fit_warnings=fit_warnings,
    )


def _penalised_fit(
    exog: pd.DataFrame, y: np.ndarray, prior_sd: float | None, nonnegative: Sequence[str], groups: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Maximise the binomial log-likelihood minus sum(b_j^2) / (2 prior_sd^2) (intercept unpenalised), with
    b_j >= 0 for ``nonnegative`` columns, by L-BFGS-B (scipy). Returns (coefficients, covariance, problem or None).

    Covariance: the penalised sandwich H^-1 B H^-1 with H = X'WX + I/prior_sd^2 and B the outer product of the
    per-cluster (or per-row) score sums (le Cessie & van Houwelingen 1992, Appl Stat 41(1):191-201, for the ridge
    logistic variance; Liang & Zeger 1986 for the clusters).
    """
    x = exog.to_numpy(dtype=float)
    penalty = np.zeros(x.shape[1])
    if prior_sd is not None:
        penalty[1:] = 1.0 / prior_sd**2
    bounds = [(0.0, None) if c in nonnegative else (None, None) for c in exog.columns]

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ beta
        nll = float(np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * np.sum(penalty * beta**2))
        return nll, x.T @ (expit(eta) - y) + penalty * beta

    start = np.zeros(x.shape[1])
    start[0] = float(np.log(y.mean() / (1 - y.mean())))
    result = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 5000, "gtol": 1e-9, "ftol": 1e-13},
    )
    beta = result.x
    p = expit(x @ beta)
    hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
    inverse = np.linalg.pinv(hessian)
    scores = x * (y - p)[:, None]
    if groups is not None:
        scores = pd.DataFrame(scores).groupby(groups).sum().to_numpy()
    cov = inverse @ (scores.T @ scores) @ inverse
    return beta, cov, None if result.success else f"The fit did not converge: {result.message}"


def _drop_collinear(design: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Keep a linearly independent subset of design columns (with the intercept), by QR with column pivoting.

    Returns the reduced design and the dropped column names, in input order.
    """
    if design.shape[1] == 0:
        return design, []
    values = design.to_numpy(dtype=float)
    centred = np.column_stack([np.ones(len(values)), (values - values.mean(axis=0)) / values.std(axis=0)])
    _, r, pivots = qr(centred, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > diag[0] * 1e-9 * max(centred.shape)).sum())
    kept = sorted(p - 1 for p in pivots[:rank] if p > 0)
    dropped = [c for i, c in enumerate(design.columns) if i not in set(kept)]
    return design.iloc[:, kept], dropped


def _numeric_spec(name: str, col: pd.Series, y: np.ndarray) -> _Numeric | None:
    values = pd.to_numeric(col.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    gaps = np.isnan(values)
    present = values[~gaps]
    if len(present) == 0:
        return None
    median = float(np.median(present))
    leavers_in_gaps = float(y[gaps].sum())
    indicator = bool(min(leavers_in_gaps, gaps.sum() - leavers_in_gaps) >= MIN_OUTCOMES_PER_INDICATOR)
    filled = np.where(gaps, median, values)
    sd = float(filled.std())
    if sd == 0 and not indicator:
        return None
    low, high = np.quantile(present, [WINSOR_SHARE, 1 - WINSOR_SHARE])
    return _Numeric(name, median, float(filled.mean()), sd if sd > 0 else 1.0, indicator, float(low), float(high))


def _categorical_spec(name: str, col: pd.Series, max_levels: int, min_count: int) -> _Categorical | str:
    text = _category_text(col)
    counts = text.value_counts()
    if len(counts) > max_levels:
        return f"{len(counts)} distinct values (more than {max_levels}); looks like an identifier or free text"
    frequent = counts[counts >= min_count]
    rare = counts[counts < min_count]
    levels = list(frequent.index)
    if len(rare):
        levels.append("(other)")
    if len(levels) < 2:
        return "a single level in the training rows"
    reference = str(frequent.index[0]) if len(frequent) else "(other)"
    return _Categorical(name, reference, [str(level) for level in levels if level != reference])


def _coefficient_table(
    params: pd.Series,
    conf: pd.DataFrame,
    pvalues: pd.Series,
    numeric: Sequence[_Numeric],
    categorical: Sequence[_Categorical],
) -> pd.DataFrame:
    rows = []
    scale = {n.name: n.sd for n in numeric}
    for feature in params.index:
        if feature == "(intercept)":
            source, kind, per, factor = "(intercept)", "intercept", "log-odds at the training means", 1.0
        elif feature in scale:
            source, kind, factor = feature, "numeric", 1.0 / scale[feature]
            per = _per_unit(feature)
        elif feature.endswith(" missing"):
            source, kind, per, factor = feature[: -len(" missing")], "missing indicator", "missing vs present", 1.0
        else:
            source, level = feature.split("=", 1)
            reference = next(c.reference for c in categorical if c.name == source)
            kind, per, factor = "category", f"{level} vs {reference}", 1.0
        coef = params[feature] * factor
        lo, hi = conf.loc[feature, "lo"] * factor, conf.loc[feature, "hi"] * factor
        with np.errstate(over="ignore"):
            odds = (np.exp(coef), np.exp(lo), np.exp(hi))
        rows.append(
            {
                "feature": feature,
                "source": source,
                "kind": kind,
                "per": per,
                "coef": coef,
                "ci_low": lo,
                "ci_high": hi,
                "odds_ratio": odds[0],
                "or_ci_low": odds[1],
                "or_ci_high": odds[2],
                "p_value": pvalues[feature],
            }
        )
    return pd.DataFrame(rows).set_index("feature")


def _per_unit(feature: str) -> str:
    """What one unit of a numeric feature is, in words, for the coefficient table."""
    spec = FEATURES.get(feature)
    if spec is None:
        return "per 1 hours/week" if feature.endswith("hours_per_week_12w") else "per 1 unit"
    return {
        "0/1": "yes vs no",
        "share 0-1": "share from 0% to 100%",
        "1-5": "per point (1-5 scale)",
        "points (1-5 scale)": "per point of change",
    }.get(spec.unit, f"per 1 {spec.unit}")
