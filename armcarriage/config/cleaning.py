"""Settings of track cleaning and view detection."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import MAX_RATE_HZ, setting


@dataclass(frozen=True)
class CleaningConfig:
    """Gap filling, outlier rejection, filtering and masking of a pose track."""

    min_visibility: float = setting(0.3, ge=0, le=1)
    """Landmarks with visibility below this are masked (NaN) before analysis (wrists: see
    ``wrist_by_position``)."""
    wrist_by_position: bool = True
    """Keep a wrist whose visibility score is below ``min_visibility`` when its position is
    consistent with the arm (:func:`armcarriage.cleaning.usable_wrists`). The model scores a
    crossing wrist low seen from the front while it places it well, and masking it left one
    crossing arm unmeasured (README, *Figures behind the defaults*). The position can still
    be wrong in a way no check sees (where the hand itself is hidden), so a kept wrist keeps its
    score's confidence, and the analysis does not take a mostly hidden wrist's "no crossing" as one
    (:data:`armcarriage.analysis.FRONT_HIDDEN_REASON`)."""
    wrist_forearm_ratio: float = setting(1.3, ge=1.0, le=5.0)
    """A kept low-score wrist lies at most this times the clip's forearm length from its
    elbow (image, 90th percentile of the visible frames): the forearm only shortens in
    the image, and 1.3 leaves room for the elbow's own keypoint error."""
    wrist_jump_tl: float = setting(0.15, gt=0, le=2.0)
    """A kept low-score wrist lies within this many torso lengths of the midpoint of its
    previous and next position: a hand moves at most about 0.1 torso lengths between
    frames at 30 frames/s (the outlier filter's measurement, ``hampel_min_tl``)."""
    min_torso_ratio: float = setting(0.6, gt=0, le=1)
    """A frame whose torso (shoulder centre to hip centre) is shorter than this times, or
    longer than its inverse times, the median torso within +/- ``torso_window_s`` is a
    collapsed pose and is masked whole. Frames of real running read 0.84-1.12 of that
    median (the shared clips, through the pose model) and 0.93-1.07 on the synthetic
    runner's suite; the collapsed poses the model returns now and then (a synthetic track
    jog, the shared road clips) read 0.09-0.3."""
    torso_window_s: float = setting(1.0, gt=0, le=60.0)
    """Half-width of the window of the median torso (s)."""
    max_gap_s: float = setting(0.1, ge=0, le=10.0)
    """Gaps up to this length are filled by interpolation."""
    hampel_window_s: float = setting(0.1, ge=0, le=10.0)
    """Half-window of the Hampel outlier filter, seconds."""
    hampel_sigmas: float = setting(3.0, gt=0, le=100.0)
    """Outlier threshold in robust standard deviations."""
    hampel_min_tl: float = setting(0.15, ge=0, le=10.0)
    """An outlier must also stray this far from the fit through its neighbours (torso
    lengths). Real running strays up to 0.11 from it at 30 frames/s (a foot landing;
    0.09 at the wrist's turn; motion capture of four running trials, shared data), so
    only larger jumps, such as a landmark leaping to the other limb, are spikes."""
    cutoff_hz: float = setting(8.0, gt=0, le=MAX_RATE_HZ)
    """Cut-off of the zero-lag 4th-order Butterworth low-pass filter (Hz) for the trunk,
    head and legs. Trunk motion lies below ~6 Hz; 8 Hz keeps the sharper foot motion
    that event timing needs and removes the pose model's frame-to-frame jitter."""
    arm_cutoff_hz: float = setting(12.0, gt=0, le=MAX_RATE_HZ)
    """Cut-off for the elbow, wrist and hand landmarks (Hz). The forearm's turn at the
    swing extremes is the fastest motion in running: on motion capture of running an 8 Hz
    filter rounds the per-stride maximum elbow angle off, 12 Hz keeps it (README, *Figures
    behind the defaults*; tests/eval/test_mocap_truth.py). Both cut-offs are
    capped at 0.8 x the Nyquist frequency (12 Hz at 30 frames/s)."""
    filter_order: int = setting(4, ge=1, le=10)
    resample_fps: float = setting(0.0, ge=0, le=MAX_RATE_HZ)
    """Resample uneven timestamps to this rate (0 = the clip's median rate)."""
    swap_prior_tl: float = setting(0.4, ge=0, le=100.0)
    """Cost, in torso lengths of limb acceleration, of labelling one frame's arm or leg
    pair swapped against the model's labels (:func:`armcarriage.cleaning.repair_swaps`).
    A real swap's start and end cost several torso lengths of acceleration, so swaps of up
    to ~20 frames are undone while the model's labels stand elsewhere. On 14 pose-model
    tracks of the synthetic runner (legs judged against the truth) the model mislabelled
    14 frames; 0.4 leaves 1 of them and mislabels no other frame, where the frame-by-frame
    repair it replaces carried one wrong decision on for 10-121 frames in 4 tracks. 0.1-0.2
    kept 24-frame runs wrong."""
    swap_cap_tl: float = setting(0.5, gt=0, le=100.0)
    """Each point's distance from its constant-velocity prediction counts up to this many
    torso lengths in the swap repair: beyond it the frame is a glitch under either
    labelling (the model blending both legs), which must not decide a swap."""
    swap_couple_tl: float = setting(0.5, ge=0, le=100.0)
    """Cost, in torso lengths, of a frame whose foot (ankle, heel, toe) is labelled apart
    from its knee in the leg swap repair (:mod:`armcarriage.cleaning.legs`): the pose model
    swaps a foot alone as often as the whole leg, so the chain may break where the motion
    says so, but not for less than this. 100 keeps knee and foot together."""
    swap_lateral_tl: float = setting(3.0, ge=0, le=100.0)
    """Cost per torso length by which the knees cross (the left knee on the right hip's
    side of the image) in a frame so labelled, in views from the front or behind: there
    the knees stay on their own side through the stride, where the feet of a runner
    landing on the midline cross. 0 turns the rule off."""
    swap_min_hip_sep_tl: float = setting(0.2, ge=0, le=10.0)
    """The knees' side is read only in clips whose hips are at least this far apart in the
    image (median, torso lengths): not in side views, where the hips overlap (pose model
    0.00-0.06; front and rear views 0.31-0.43, oblique ones 0.29-0.32)."""
    swap_knee_side_share: float = setting(0.95, ge=0, le=1.0)
    """... and only where the knees, as the model labels them, are in their own frame's
    hips' order in at least this share of the frames. Through the pose model front and
    rear renders show 0.98-1.00, oblique ones (30-45 degrees) 0.60-0.83: there the
    stride carries the knees across each other in the image."""


@dataclass(frozen=True)
class ViewConfig:
    """Camera view classification."""

    segment_s: float = setting(2.0, ge=0.1, le=3600.0)
    """Length of the segments that are classified one by one."""
    side_ratio: float = setting(0.28, gt=0, le=2)
    """Body width ratio below which the view is a side view: mean of shoulder width / torso
    length and (hip width / torso length) / 0.6, which falls as the body turns side-on
    (README, *Figures behind the defaults*)."""
    frontal_ratio: float = setting(0.47, ge="side_ratio", le=2)
    """Body width ratio above which the view is front or rear (unless the legs say oblique,
    see ``frontal_max_leg_spread``). The ratio of a square-on view of one body overlaps that
    of a 45 deg view of another, so no width threshold separates them across bodies (README,
    *Figures behind the defaults*)."""
    frontal_max_leg_spread: float = setting(0.6, ge=0, le=10.0)
    """Leg spread (half the 5-95 percentile range of left-minus-right ankle x, torso lengths;
    :func:`armcarriage.view.leg_spread`) above which a view wide enough to be frontal is
    oblique. It grows as sin(yaw): front and rear views, real runners' drifting paths
    included, stay well below it and 45 deg oblique and side views well above (README,
    *Figures behind the defaults*); 0.6 is about 20-25 deg of yaw at running strides."""
    moving_fraction: float = setting(0.15, ge=0, le=10.0)
    """Hip travel across the frame (frame widths per second) above which the runner moves."""
