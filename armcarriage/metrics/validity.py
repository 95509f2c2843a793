"""The validity matrix: which view measures which metric, and for which arm."""

from __future__ import annotations

from armcarriage.metrics import FRONTAL_VIEWS, METRICS, SIDE_VIEWS

FAR_ARM_REASON = "far arm in a side view: hidden behind the body"


def view_reason(metric: str, view: str) -> str:
    """Return why ``view`` cannot measure ``metric`` ('' when it can)."""
    spec = METRICS[metric]
    if view in spec.views:
        return ""
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
