"""The app's attrition training: evaluated on a time split, refitted on all labelled history, horizon chosen."""

from __future__ import annotations

from retention.attrition.training import fit_app_model


def test_app_model_is_refitted_on_all_labelled_rows_and_keeps_its_evaluation(history_panel):
    model = fit_app_model(history_panel)
    assert model.n_train == int(history_panel["left_within_12m"].notna().sum())
    assert model.evaluation.test_rows > 0
    p = model.predict_proba(history_panel)
    busy = history_panel["hours_per_week_12w"] > history_panel["hours_per_week_12w"].median()
    assert p[busy].mean() > 2 * p[~busy].mean()
