"""Arm-carriage metrics: the registry of every per-stride number and its definition.

:data:`METRICS` maps each metric column name (fixed, shared by the analysis,
cues, reports, batch, web and the synthetic ground truth) to a
:class:`MetricSpec`: unit, one-line description, exact definition and the
camera views in which it is measured. The per-frame geometry lives in
:mod:`armcarriage.metrics.geometry` and is re-exported here, so ground truth
(synthetic runner, motion capture) and analysis use the same functions.

Per-stride values are computed from the per-frame series over one stride
(from a foot strike of the reference foot to its next strike) by the small
family modules: :mod:`~armcarriage.metrics.elbow`,
:mod:`~armcarriage.metrics.swing`, :mod:`~armcarriage.metrics.crossing`,
:mod:`~armcarriage.metrics.shrug`, :mod:`~armcarriage.metrics.rotation`,
:mod:`~armcarriage.metrics.coordination` and
:mod:`~armcarriage.metrics.timing`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from armcarriage.metrics.geometry import (
    elbow_angle,
    forward_offset,
    fundamental_phase_lag,
    image_forward,
    line_yaw_2d,
    midline_crossing,
    midpoint,
    shoulder_elevation,
    shoulder_width,
    torso_length,
    trunk_rotation_3d,
    trunk_up,
    upper_arm_angle,
)

SIDE_VIEWS: tuple[str, ...] = ("side_left", "side_right")
FRONTAL_VIEWS: tuple[str, ...] = ("front", "rear")
ALL_VIEWS: tuple[str, ...] = (*SIDE_VIEWS, *FRONTAL_VIEWS, "oblique")


@dataclass(frozen=True)
class MetricSpec:
    """What one metric column means.

    Attributes
    ----------
    name
        Column name.
    unit
        ``deg``, ``tl`` (torso lengths), ``sw`` (shoulder widths), ``%``,
        ``s`` or ``steps/min``.
    description
        One line for people.
    definition
        The exact definition (landmarks, reduction over the stride, sign).
    views
        Views in which the metric is measured; elsewhere it is NaN with a reason.
    per_arm
        True for one value per stride and arm, False for one value per stride
        (then repeated on both arm rows).
    better_view
        The view to film for this metric.
    view_notes
        ``(view, reason)`` pairs: why a view outside ``views`` cannot measure the
        metric, where the generic reason would not say it.
    noise
        Measurement noise in the metric's unit: the 95th-percentile per-stride error
        through the pose model in the view that measures it best (benchmarks/results,
        accuracy suite). A difference smaller than this is not told apart from measurement.

    """

    name: str
    unit: str
    description: str
    definition: str
    views: tuple[str, ...]
    per_arm: bool = True
    better_view: str = "side"
    view_notes: tuple[tuple[str, str], ...] = ()
    noise: float = 0.0


_ELBOW = (
    "Interior shoulder-elbow-wrist angle of the arm (geometry.elbow_angle; 180 = straight), "
    "near arm in a side view, "
)
_SWING = (
    "Upper-arm angle vs the downward trunk axis in the sagittal plane "
    "(geometry.upper_arm_angle; + = elbow in front of the trunk line), "
)
_WRIST = (
    "Forward offset of the wrist from the hip centre along the running direction, in clip-median "
    "torso lengths (geometry.forward_offset; + = in front), "
)
_SHRUG = (
    "Shoulder elevation e(t) = -(ear centre - own shoulder) . trunk axis / clip-median torso "
    "length (geometry.shoulder_elevation; + = shoulder nearer the ear); baseline b = 10th "
    "percentile of e over the whole clip (the runner's most relaxed shoulder position). Not "
    "from behind, where trunk rotation reads as a shrug (SHRUG_REAR_REASON); from the front a "
    "camera below shoulder height cancels most of that effect (a 22-deg rotation reads 0.001 "
    "on the synthetic runner's exact front track with the camera 1.1 m high); "
)

SHRUG_REAR_REASON = (
    "from behind, trunk rotation moves each shoulder up and down in the image as much as a "
    "shrug does (the synthetic runner's exact tracks: a trunk rotating 22 deg each way reads "
    "0.024 torso lengths, a 4.5 cm shrug 0.024), so a shrug cannot be told from it; film from "
    "the front or the side"
)
"""Why shoulder shrug is not measured from behind."""

SHRUG_NECK_REAR_REASON = (
    "not validated from behind: the ears the neck is measured from are guessed by the pose "
    "model when the face is turned away; film from the front or the side"
)
"""Why the neck gap is not measured from behind."""

SIDE_ROTATION_REASON = (
    "from the side the trunk's turn shows only as the horizontal offset between the two "
    "shoulders against the two hips, or as their depth; through the pose model none of four "
    "readings follows it on motion-capture-driven side renders (true amplitude about 40 deg "
    "per stride): the offsets over the true shoulder and hip widths err by 7.2 deg on average "
    "(15 at the 95th percentile, correlation 0.2), over widths from body proportions by 10.9, "
    "the landmark depth by 23 and the world landmarks by 19, where on the exact projections "
    "they err by 0.2-1.3 deg (benchmarks/results/side_rotation.md): the model does not follow "
    "the far shoulder and hip; film from the front or behind"
)
"""Why trunk rotation is not measured from the side."""

_SPECS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "elbow_angle_mean",
        "deg",
        "Mean elbow angle over the stride",
        _ELBOW + "mean over the stride's frames.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "elbow_angle_min",
        "deg",
        "Tightest elbow angle in the stride",
        _ELBOW + "minimum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "elbow_angle_max",
        "deg",
        "Most open elbow angle in the stride",
        _ELBOW + "maximum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "elbow_angle_range",
        "deg",
        "Elbow angle range in the stride",
        _ELBOW + "maximum minus minimum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "elbow_angle_forward",
        "deg",
        "Elbow angle at the forward swing extreme",
        _ELBOW + "at the frame of the stride's largest upper-arm angle (forward extreme).",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "elbow_angle_backward",
        "deg",
        "Elbow angle at the backward swing extreme",
        _ELBOW + "at the frame of the stride's smallest upper-arm angle (backward extreme).",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "swing_forward_deg",
        "deg",
        "Forward swing of the upper arm",
        _SWING + "maximum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "swing_backward_deg",
        "deg",
        "Backward swing of the upper arm",
        _SWING + "minus its minimum over the stride (+ = behind the trunk).",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "swing_arc_deg",
        "deg",
        "Total arc of the upper arm",
        _SWING + "maximum minus minimum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "wrist_forward_tl",
        "tl",
        "How far the wrist reaches in front of the hip",
        _WRIST + "maximum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "wrist_backward_tl",
        "tl",
        "How far the wrist goes behind the hip",
        _WRIST + "minus its minimum over the stride (+ = behind).",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "wrist_arc_tl",
        "tl",
        "Fore-aft wrist excursion",
        _WRIST + "maximum minus minimum over the stride.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "wrist_lift_tl",
        "tl",
        "Up-down travel of the wrist, seen from the front",
        "Height of the wrist above its own shoulder along the trunk axis, in clip-median "
        "torso lengths (metrics.swing.wrist_height; in 3D the points projected first on "
        "the plane across the running direction, as a front camera sees them); value = "
        "peak-to-peak of the stride-frequency sinusoid fitted to it over the stride "
        "(metrics.swing.lift_stride). The hand rises in front and drops behind once per "
        "stride, so a smaller swing lifts it less: the two arms' values compare their "
        "swings where a side view sees only one arm. Front view only: from behind, the "
        "pose model loses the hands in front of the body.",
        ("front",),
        better_view="front",
    ),
    MetricSpec(
        "crossing_max_sw",
        "sw",
        "Furthest the wrist crosses the body midline",
        "Signed wrist distance across the midline as a front or rear camera sees it "
        "(the line through the shoulder centre along the trunk axis; measured along the "
        "shoulder line seen along the running direction, metrics.crossing), in shoulder "
        "widths (clip 90th-percentile width; geometry.midline_crossing; > 0 = across, on "
        "the other side of the body; < 0 = short of the midline); maximum over the "
        "stride. From behind it is missing for an arm whose wrist the pose model loses: "
        "a hand in front of the body is hidden by it.",
        FRONTAL_VIEWS,
        better_view="front",
    ),
    MetricSpec(
        "crossing_fraction_pct",
        "%",
        "Share of the stride with the wrist across",
        "Percentage of the stride's frames in which geometry.midline_crossing > 0.",
        FRONTAL_VIEWS,
        better_view="front",
    ),
    MetricSpec(
        "shrug_neck_tl",
        "tl",
        "Neck left visible above the shoulders (small = held up)",
        "Distance from the ear centre down to the top of the shoulders along the trunk "
        "axis, in clip-median torso lengths (metrics.shrug.neck_gap). From the front "
        "the top of each shoulder's outline, read off the person's segmentation mask "
        "by the pose stage (armcarriage.silhouette: the top of the silhouette in the "
        "shoulder landmark's column), the two shoulders averaged; from the side the "
        "neck's waist, the narrowest run of the silhouette below the ears, which "
        "held-up trapezius and shoulders fill from below and move up "
        "(armcarriage.silhouette, neck_y; there the shoulder's own outline merges "
        "with the neck). Absolute, not relative to the clip, so "
        "shoulders held up throughout show; value = median over the stride, one value "
        "for both arms. Compared with a normal band (cues.toml, rules shrug_held and "
        "shrug_held_side). Missing on tracks made without the mask, and where the "
        "silhouette shows no neck below the ears (a hood or a high collar; "
        "metrics.neck_visible_tl).",
        (*SIDE_VIEWS, "front"),
        per_arm=False,
        better_view="front",
        view_notes=(("rear", SHRUG_NECK_REAR_REASON),),
    ),
    MetricSpec(
        "shrug_level_tl",
        "tl",
        "Shoulder height above the runner's relaxed level",
        _SHRUG + "value = median of e - b over the stride.",
        (*SIDE_VIEWS, "front"),
        better_view="front",
        view_notes=(("rear", SHRUG_REAR_REASON),),
    ),
    MetricSpec(
        "shrug_rise_tl",
        "tl",
        "Shoulder rise within the stride",
        _SHRUG + "value = maximum minus minimum of e over the stride.",
        (*SIDE_VIEWS, "front"),
        better_view="front",
        view_notes=(("rear", SHRUG_REAR_REASON),),
    ),
    MetricSpec(
        "trunk_rotation_deg",
        "deg",
        "Shoulder-vs-pelvis rotation, peak to peak",
        "Rotation of the shoulder line relative to the pelvis line about the trunk axis, "
        "peak-to-peak (max - min) over the stride (geometry.trunk_rotation_3d: the two "
        "lines projected on the plane across the trunk axis). From video (front/rear "
        "view): the same function on (x, y, depth) image points, depth being the pose "
        "model's relative landmark depth (world landmarks where depth is missing).",
        FRONTAL_VIEWS,
        per_arm=False,
        better_view="front or rear",
        view_notes=(("side_left", SIDE_ROTATION_REASON), ("side_right", SIDE_ROTATION_REASON)),
    ),
    MetricSpec(
        "arm_leg_phase_deg",
        "deg",
        "Arm swing timing vs the opposite leg",
        "Phase of the wrist forward offset relative to the opposite ankle's forward "
        "offset at the stride frequency (geometry.fundamental_phase_lag); 0 = arm and "
        "opposite leg swing forward together, + = the arm leads.",
        SIDE_VIEWS,
    ),
    MetricSpec(
        "stride_time_s",
        "s",
        "Stride duration",
        "Time from a foot strike of the reference foot to its next strike.",
        ALL_VIEWS,
        per_arm=False,
        better_view="side",
    ),
    MetricSpec(
        "cadence_spm",
        "steps/min",
        "Cadence",
        "120 / stride_time_s (two steps per stride).",
        ALL_VIEWS,
        per_arm=False,
    ),
    MetricSpec(
        "contact_time_s",
        "s",
        "Ground contact time",
        "From the reference foot's strike to its toe-off (Zeni events in a side view).",
        SIDE_VIEWS,
        per_arm=False,
    ),
    MetricSpec(
        "flight_time_s",
        "s",
        "Flight time",
        "From the reference foot's toe-off to the other foot's next strike.",
        SIDE_VIEWS,
        per_arm=False,
    ),
)

_NOISE: dict[str, float] = {
    "elbow_angle_mean": 2.7,
    "elbow_angle_min": 7.0,
    "elbow_angle_max": 8.2,
    "elbow_angle_range": 8.3,
    "elbow_angle_forward": 5.6,
    "elbow_angle_backward": 4.9,
    "swing_forward_deg": 6.9,
    "swing_backward_deg": 5.3,
    "swing_arc_deg": 7.7,
    "wrist_forward_tl": 0.058,
    "wrist_backward_tl": 0.088,
    "wrist_arc_tl": 0.085,
    "wrist_lift_tl": 0.15,
    "crossing_max_sw": 0.12,
    "crossing_fraction_pct": 8.0,
    "shrug_neck_tl": 0.034,
    "shrug_level_tl": 0.023,
    "shrug_rise_tl": 0.044,
    "trunk_rotation_deg": 5.0,
    "arm_leg_phase_deg": 5.4,
    "stride_time_s": 0.025,
    "cadence_spm": 6.1,
    "contact_time_s": 0.042,
    "flight_time_s": 0.088,
}
"""Per-stride 95th-percentile error through the pose model, best view (accuracy suite)."""

METRICS: dict[str, MetricSpec] = {
    spec.name: replace(spec, noise=_NOISE[spec.name]) for spec in _SPECS
}
"""Every metric column, in report order."""

PER_ARM_METRICS: tuple[str, ...] = tuple(n for n, s in METRICS.items() if s.per_arm)
"""Metric columns with one value per stride and arm."""
PER_STRIDE_METRICS: tuple[str, ...] = tuple(n for n, s in METRICS.items() if not s.per_arm)
"""Metric columns with one value per stride (repeated on both arm rows)."""

UNIT_WORDS: dict[str, str] = {
    "deg": "deg",
    "tl": "torso lengths",
    "sw": "shoulder widths",
    "%": "%",
    "s": "s",
    "steps/min": "steps/min",
}
"""Each registry unit as people read it."""


def unit_words(metric: str) -> str:
    """Return the unit of a metric column in words, or ``""`` for a column not in the registry."""
    spec = METRICS.get(metric)
    return UNIT_WORDS[spec.unit] if spec is not None else ""


__all__ = [
    "ALL_VIEWS",
    "FRONTAL_VIEWS",
    "METRICS",
    "PER_ARM_METRICS",
    "PER_STRIDE_METRICS",
    "SHRUG_NECK_REAR_REASON",
    "SHRUG_REAR_REASON",
    "SIDE_ROTATION_REASON",
    "SIDE_VIEWS",
    "UNIT_WORDS",
    "MetricSpec",
    "elbow_angle",
    "forward_offset",
    "fundamental_phase_lag",
    "image_forward",
    "line_yaw_2d",
    "midline_crossing",
    "midpoint",
    "shoulder_elevation",
    "shoulder_width",
    "torso_length",
    "trunk_rotation_3d",
    "trunk_up",
    "unit_words",
    "upper_arm_angle",
]
