"""Settings of the per-stride metrics and the cues."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import setting


@dataclass(frozen=True)
class MetricsConfig:
    """Metric definitions and confidence rules."""

    min_confidence: float = setting(0.5, ge=0, le=1)
    """Values with confidence below this are reported but not used in the summary."""
    far_arm_policy: str = setting("exclude", choices=("exclude", "low_confidence"))
    """Side view far arm: ``"exclude"`` (NaN with a reason) or ``"low_confidence"``."""
    symmetry_flag_percent: float = setting(15.0, ge=0, le=200.0)
    """Symmetry index above which an asymmetry is flagged."""
    drift_flag_fraction: float = setting(0.1, ge=0, le=10.0)
    """Relative first-third vs last-third change flagged as drift."""
    far_arm_confidence: float = setting(0.3, ge=0, le=1)
    """Confidence factor of the far arm in a side view when ``far_arm_policy`` keeps it."""
    min_coverage: float = setting(0.7, ge=0, le=1)
    """Fraction of a stride's frames that must hold the landmarks for a value to be measured."""
    crossing_rear_min_coverage: float = setting(0.95, ge=0, le=1)
    """From behind, midline crossing needs the wrist in at least this fraction of a stride's
    frames (else it is missing for the whole arm, with the reason): a wrist the pose model
    loses from behind is one in front of the body, where a crossing happens, so the maximum
    over the frames left would read a crossing as none. 0.95 forgives one lost frame in a
    stride at 30 fps. Through the pose model the synthetic runner's wrists are lost from
    behind in nearly every frame, crossing or not (README, *Figures behind the defaults*)."""
    oblique_confidence: float = setting(0.5, ge=0, le=1)
    """Confidence factor of values measured in an oblique view."""
    visibility_full: float = setting(0.5, gt=0, le=1)
    """Landmark visibility (the pose model's own score) from which a landmark counts as
    fully reliable in a value's confidence; below it the factor falls linearly to
    ``visibility_floor`` at 0. On the synthetic suite the pose model's wrist error is flat
    above a low visibility and grows only below it, and a wrist crossing in front of the
    body scores low while placed as well as a highly visible one, so a linear use of the
    score halved the confidence of exactly the values that show a crossing (README,
    *Figures behind the defaults*)."""
    visibility_floor: float = setting(0.25, ge=0, le=1)
    """Confidence factor of a landmark with visibility 0 (see ``visibility_full``): about
    the measured median error ratio of the best to the least visible landmarks."""
    shrug_baseline_percentile: float = setting(10.0, ge=0, le=100.0)
    """Percentile of the clip's shoulder elevation taken as the runner's relaxed baseline."""
    neck_visible_tl: float = setting(0.08, ge=0, le=1.0)
    """The silhouette's narrowest run below the ears must lie at least this far (torso
    lengths, clip median) below the ear centre for the neck gap to be measured
    (:func:`armcarriage.metrics.shrug.neck_hidden`): on renders of bare necks it lies well
    below it, shoulders held up included; where a hood fills the neck (the real treadmill
    clip), at the ear itself (README, *Figures behind the defaults*)."""
    rotation_from_pose_depth: bool = False
    """Report trunk rotation from a pose model's landmark depth. Off by default: on the
    synthetic runner its error is large and a runner twisting more read lower than a relaxed
    one (benchmarks/accuracy.py; README, *Accuracy*), so the value would mislead; it is
    reported missing with that reason instead. No depth-free method does better through the
    pose model: the 2D foreshortening of the shoulder and hip lines
    (``rotation_from_foreshortening``) is close on exact tracks but not through the model,
    where relaxed and over-rotating runners overlap."""
    elbow_source: str = setting("3d", choices=("3d", "image", "world"))
    """``3d`` (default): in side and oblique views each arm is rebuilt in 3D from its image
    points with constant segment lengths (:mod:`armcarriage.metrics.arm3d`): the 2D angle of
    a forearm leaving the image plane is not the elbow angle (the image angle reads too open
    on exact motion-capture side projections, and rebuilding cuts the stride mean's error
    through the pose model; benchmarks/results/elbow3d.md).
    The elbow is reported in side views only; front and rear views keep the image angle in
    the per-frame series. ``image``: the 2D angle of the image points;
    ``world``: the track's 3D world landmarks where present (exact for motion-capture tracks
    and the synthetic runner's truth; far off through the pose model, README, *Figures
    behind the defaults*)."""
    arm3d_length_percentile: float = setting(90.0, gt=50, le=100)
    """Percentile of a segment's image length (in body-scale units) over the clip that starts
    its length estimate (refined to the median of the length the rebuilt depth implies)."""
    arm3d_forearm_min_ratio: float = setting(0.8, gt=0, le=2)
    """Floor of the forearm's true length as a fraction of the upper arm's (adults: about
    0.85-0.95 between the landmarks), for views in which the forearm is never side-on."""
    arm3d_length_noise: float = setting(0.045, gt=0, le=1)
    """Relative error of a segment's image length through the pose model: the spread of
    the model's segment length about the exact render's, within the range measured on
    synthetic and motion-capture-driven renders (README, *Figures behind the defaults*)."""
    arm3d_hint_noise: float = setting(0.35, gt=0, le=10)
    """Error of the pose model's depth hint along the forearm once scaled to the clip, in
    segment lengths (the residual measured on rendered runners, README, *Figures behind the
    defaults*; along the upper arm it does not follow the truth, so the upper arm's sign
    comes from the body's outward side, ``arm3d_outward_strength``)."""
    arm3d_prior_spread: float = setting(0.5, gt=0, le=10)
    """Prior standard deviation of a segment's depth span in segment lengths: arms swing
    mostly across the image in the views where the arm is rebuilt."""
    arm3d_motion_noise: float = setting(0.15, gt=0, le=10)
    """Change of a segment's depth span between frames in segment lengths: continuity."""
    arm3d_hint_gain: float = setting(1.0, ge=0, le=100)
    """Scale of the depth hint (depth difference over segment length) when the clip has too
    few clearly foreshortened frames to fit it; fitted on the clip otherwise."""
    arm3d_outward_strength: float = setting(4.0, ge=0, le=100)
    """Log-odds per segment length of depth that the upper arm's depth lies on the arm's
    outward side (the elbow held out from the trunk: towards the camera for the near arm of a
    side view); 4 makes a depth of 0.3 segment lengths 92 % likely on that side."""
    arm3d_body_plane: bool = True
    """Oblique views: each arm's depth hints come from the body's lateral axis (the
    shoulders' and hips' line of the world landmarks) and anatomy's priors on the segments'
    lateral components (:mod:`armcarriage.metrics.sagittal`) instead of the pose model's
    landmark depth."""
    arm3d_upper_medial: float = setting(-0.3, ge=-1, le=1)
    """Mean medial component of the upper arm (segment lengths; - = elbow outside the
    shoulder), measured on running motion capture."""
    arm3d_upper_medial_sd: float = setting(0.1, gt=0, le=10)
    """Spread of the upper arm's medial component (segment lengths)."""
    arm3d_fore_medial: float = setting(0.15, ge=-1, le=1)
    """Mean medial component of the forearm (segment lengths; + = hand towards the midline)."""
    arm3d_fore_medial_sd: float = setting(0.4, gt=0, le=10)
    """Spread of the forearm's medial component (segment lengths)."""
    arm3d_fore_world_sd: float = setting(0.25, ge=0, le=10)
    """With the body plane (oblique views), the forearm's medial component per frame from the
    pose model's world landmarks, with this spread in segment lengths (their median error
    against the capture's on the oblique renders is 0.18, a normal spread of about 0.27;
    benchmarks/results/elbow3d.md); 0 takes the fixed ``arm3d_fore_medial`` instead."""
    arm3d_plane_prior_spread: float = setting(1.0, gt=0, le=10)
    """Prior spread of a segment's depth span (segment lengths) with the body plane's hints:
    an oblique camera sees the swing far out of the image plane; the hints hold the depth."""
    arm3d_grid: int = setting(41, ge=5, le=1001)
    """Grid points of a segment's depth span (-1 to 1 segment lengths) in the depth posterior."""
    arm3d_scale_window_s: float = setting(1.0, gt=0, le=60)
    """Running-median window of the body scale (torso length per frame), seconds."""
    swing_elbow_smooth_s: float = setting(0.15, gt=0, le=2)
    """Running-median window (s) of the move from the elbow keypoint to the elbow on the upper
    arm's constant length (:mod:`armcarriage.metrics.swing_elbow`, side views): the keypoint's
    shortfall at the swing's extremes changes over the stride, its frame-to-frame noise does
    not carry into the swing angle."""
    swing_elbow_min_forearm_ratio: float = setting(0.7, ge=0, le=1)
    """The swing elbow moves onto the upper arm's constant length only in frames whose forearm
    image is at least this fraction of its length (a high percentile over the clip): a
    shorter forearm leaves the image plane, and the arm with it. Without the limit the
    renders' swing arc bias is a little smaller, but the real treadmill runner's arc, whose
    forearm is often foreshortened, drops (benchmarks/results/swing_geometry.md)."""
    elbow_error_deg: float = setting(5.0, gt=0, le=90)
    """Expected error of an elbow value (deg, :class:`armcarriage.metrics.elbow.ElbowErrorModel`)
    at which its confidence is halved: factor ``1 / (1 + (s / elbow_error_deg)^2)``, 0.8 at
    half of it, where a normal error stays within ``elbow_error_deg`` 95 % of the time."""
    elbow_floor_mean_deg: float = setting(1.4, ge=0, le=90)
    """Expected error of a stride's mean elbow angle that the geometry does not see (the pose
    model's keypoints): fitted to rendered runners' per-stride errors, 1.2-1.5 whichever
    motion-capture trial is left out of the fit, 0.5 without the synthetic runner
    (benchmarks/results/elbow3d_conf.md)."""
    elbow_floor_extreme_deg: float = setting(3.4, ge=0, le=90)
    """The same floor for one-frame elbow statistics (min, max, forward, backward; the range
    has sqrt(2) times it): fitted 2.8-3.8, so they never reach the confidence of the mean."""
    elbow_geometry_gain: float = setting(1.3, ge=0, le=20)
    """Factor of the geometric expected error of an elbow value in its expected error (fitted
    1.28-1.43)."""


@dataclass(frozen=True)
class CueConfig:
    """Coaching cue selection."""

    rules_path: str = setting("", text="a TOML file path")
    """TOML file of cue rules; empty means the rules shipped with the package."""
    max_cues: int = setting(3, ge=0, le=100)
    """At most this many cues are shown."""
    reference_max_fill_ratio: float = setting(1.25, ge=1.0, le=10.0)
    """A relaxed reference of the athlete (rules ``shrug_held_own``, ``shrug_held_own_side``)
    serves a clip only when the torso's share of the frame height differs by at most this
    factor between the two (framing moves the neck reading; see
    benchmarks/results/accuracy_mocap.md)."""
    reference_min_strides: int = setting(3, ge=1, le=1000)
    """An earlier session from the history serves as a reference only with at least this
    many strides whose neck was measured with confidence."""
