"""The validity matrix: which view measures which metric, and for which arm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from armcarriage.metrics import FRONTAL_VIEWS, METRICS, SIDE_VIEWS

if TYPE_CHECKING:
    import pandas as pd

FAR_ARM_REASON = "far arm in a side view: hidden behind the body"

REAR_HIDDEN_REASON = (
    "from behind, the pose model lost this wrist behind the body in some or all strides, and "
    "a hand crossing in front of the body is hidden there, so its crossing cannot be told; "
    "film from the front"
)
"""Why midline crossing is missing for an arm in a rear view whose wrist was lost."""

CROSSING_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m.startswith("crossing_"))


def coverage_reason(
    metric: str,
    view: str,
    coverage: float,
    min_coverage: float,
    crossing_rear_min_coverage: float,
) -> str:
    """Return why a stride's value is missing for lack of landmarks ('' when covered).

    Parameters
    ----------
    metric
        Metric name.
    view
        View label.
    coverage
        Fraction of the stride's frames holding the metric's series.
    min_coverage
        ``MetricsConfig.min_coverage``.
    crossing_rear_min_coverage
        ``MetricsConfig.crossing_rear_min_coverage``: the stricter need of
        midline crossing from behind, where a lost wrist is one in front of
        the body (:data:`REAR_HIDDEN_REASON`).

    Returns
    -------
    str
        The reason, or '' when the stride is covered well enough.

    """
    if metric in CROSSING_METRICS and view == "rear" and coverage < crossing_rear_min_coverage:
        return REAR_HIDDEN_REASON
    if coverage < min_coverage:
        return f"landmarks missing in {100 * (1 - coverage):.0f}% of the stride"
    return ""


def hide_rear_crossing(table: pd.DataFrame) -> None:
    """Withdraw crossing for every stride of an arm whose wrist was hidden in a rear view.

    One stride with :data:`REAR_HIDDEN_REASON` makes the arm's crossing missing
    in all its strides (in place): the strides in which the wrist stayed in
    sight are those in which it stayed beside the body, so judging the arm on
    them alone would report "hands stay on their own side" for a runner whose
    crossing strides were the hidden ones.
    """
    if not len(table):
        return
    for side in ("left", "right"):
        arm = table["side"] == side
        hidden = arm & (table["crossing_max_sw_reason"] == REAR_HIDDEN_REASON)
        if not hidden.any():
            continue
        for m in CROSSING_METRICS:
            table.loc[arm, m] = float("nan")
            table.loc[arm, f"{m}_conf"] = 0.0
            table.loc[arm, f"{m}_reason"] = REAR_HIDDEN_REASON


def view_reason(metric: str, view: str) -> str:
    """Return why ``view`` cannot measure ``metric`` ('' when it can)."""
    spec = METRICS[metric]
    if view in spec.views:
        return ""
    notes = dict(spec.view_notes)
    if view in notes:
        return notes[view]
    if view not in (*SIDE_VIEWS, *FRONTAL_VIEWS, "oblique"):
        return "camera view could not be determined"
    if view == "oblique":
        return f"oblique view foreshortens this metric; film from the {spec.better_view}"
    if view in SIDE_VIEWS:
        return f"a side view cannot measure this; film from the {spec.better_view}"
    return f"a {view} view cannot measure this; film from the {spec.better_view}"


def arm_rule(
    metric: str, view: str, side: str, near: str | None, policy: str, far_factor: float
) -> tuple[str, float]:
    """Decide whether one arm's value is measured in this view.

    Parameters
    ----------
    metric
        Metric name.
    view
        View label.
    side
        ``left`` or ``right`` (the arm).
    near
        The near side in a side view, else None.
    policy
        ``MetricsConfig.far_arm_policy``: ``exclude`` or ``low_confidence``.
    far_factor
        Confidence factor of the far arm under ``low_confidence``.

    Returns
    -------
    tuple
        ``(reason, confidence factor)``; reason '' when measured.

    """
    reason = view_reason(metric, view)
    if reason:
        return reason, 0.0
    if METRICS[metric].per_arm and near is not None and side != near:
        if policy == "exclude":
            return FAR_ARM_REASON, 0.0
        return "", far_factor
    return "", 1.0


def validity_matrix() -> dict[str, dict[str, bool]]:
    """Return ``{metric: {view: measured}}`` for every metric and view label."""
    views = (*SIDE_VIEWS, *FRONTAL_VIEWS, "oblique")
    return {m: {v: v in spec.views for v in views} for m, spec in METRICS.items()}
