"""One typed configuration for every default and threshold.

The configuration is a tree of frozen dataclasses. Defaults live here and only
here; a TOML file (``armcarriage --config FILE``) and ``--set section.key=value``
overrides from the command line replace them.

Every setting declares its type and the values it accepts next to its field
(:func:`setting`); :meth:`Config.__post_init__` checks them all whenever a
configuration is made, overridden or loaded, so a bad value stops with
``setting X: expected ..., got ...`` (exit 2) before any work starts. The ranges
also bound the memory of one clip: no setting can ask for unbounded frame
counts, rates or sizes.

Examples
--------
>>> from armcarriage.config import Config
>>> cfg = Config().override({"cleaning.cutoff_hz": 8.0})
>>> cfg.cleaning.cutoff_hz
8.0

"""

from __future__ import annotations

import dataclasses
import math
import operator
import sys
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from armcarriage.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

T = TypeVar("T")

MAX_FRAMES = 1_000_000
"""Most frames any clip limit may allow (about 70 min at 240 fps); with the rate cap
below it bounds the pose track and every per-frame array of one clip."""
MAX_FRAME_SIDE = 16384
"""Largest frame width or height any limit may allow (pixels)."""
MAX_DURATION_S = 86400.0
"""Longest clip any limit may allow (seconds)."""
MAX_RATE_HZ = 1000.0
"""Highest analysis, resampling or filter rate a setting may ask for (Hz)."""
VIEWS = ("side_left", "side_right", "front", "rear", "oblique")
"""View labels a comma-separated view setting may name."""
X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast",
    "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """What one setting accepts beyond its type.

    Numeric bounds are numbers or the name of another setting of the same
    section; ``choices`` lists the accepted strings, ``items`` the accepted
    entries of a comma-separated string, ``text`` describes free text.
    """

    ge: float | str | None = None
    gt: float | str | None = None
    le: float | str | None = None
    lt: float | str | None = None
    choices: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    text: str = ""

    def problem(self, value: Any, section: Any, name: str, relative: bool) -> str | None:
        """Return what is expected if ``value`` breaks this check, else None.

        ``relative`` picks the bounds to test: those naming another setting of
        ``section`` (called ``name``), or the fixed ones, choices and items.
        """
        if not relative and self.choices and value not in self.choices:
            return f"one of {', '.join(map(repr, self.choices))}"
        if not relative and self.items:
            names = [v.strip() for v in str(value).split(",") if v.strip()]
            if any(n not in self.items for n in names):
                return f"comma-separated names from {', '.join(self.items)}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        parts, ok = [], True
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            compare = getattr(operator, attr)
            bound = getattr(self, attr)
            if bound is None:
                continue
            if isinstance(bound, str):
                parts.append(f"{sign} {name}.{bound} ({getattr(section, bound)!r})")
                bound = getattr(section, bound) if relative else None
            else:
                parts.append(f"{sign} {bound:g}")
                bound = None if relative else bound
            if bound is not None:
                ok = ok and bool(compare(value, bound))
        return None if ok else " and ".join(parts)


def setting(default: T, **check: Any) -> T:
    """Declare a setting's default with what it accepts (see :class:`Check`)."""
    return field(default=default, metadata={"check": Check(**check)})  # type: ignore[no-any-return]


@dataclass(frozen=True)
class VideoConfig:
    """Limits on what the video reader accepts."""

    max_width: int = setting(7680, ge=1, le=MAX_FRAME_SIDE)
    """Largest accepted frame width in pixels (after rotation)."""
    max_height: int = setting(7680, ge=1, le=MAX_FRAME_SIDE)
    """Largest accepted frame height in pixels (after rotation)."""
    max_frames: int = setting(500_000, ge=1, le=MAX_FRAMES)
    """Largest accepted frame count (about 35 min at 240 fps)."""
    max_duration_s: float = setting(3600.0, gt=0, le=MAX_DURATION_S)
    """Longest accepted clip, seconds."""
    min_frames: int = setting(1, ge=1, le="max_frames")
    """Fewest decodable frames a clip must hold."""
    capture_fps: float = setting(0.0, ge=0, le=10_000.0)
    """Frame rate the clip was filmed at, when it plays slower (slow motion) or faster
    (time-lapse) than it was filmed: the analysis rescales the clip's time by the playback
    rate over this one. 0 reads it from the container's tags (``capture_fps_tags``) and,
    without a tag, takes the playback time as real time."""
    capture_fps_tags: str = setting(
        "capture.fps,capture-fps,capture_fps,capturefps",
        text="comma-separated endings of metadata keys",
    )
    """Endings (comma-separated, any case) of the container or stream metadata keys that
    carry the capture rate: Android writes ``com.android.capture.fps``. A tag within
    ``capture_fps_tolerance`` of the playback rate means real time."""
    capture_fps_tolerance: float = setting(0.02, ge=0, lt=1)
    """Relative difference between capture and playback rates below which the clip plays
    in real time (a 30 fps clip tagged 29.97)."""


@dataclass(frozen=True)
class PoseConfig:
    """Pose model and person selection."""

    model_path: str = setting("", text="a .task file path")
    """Path of a MediaPipe ``.task`` bundle; empty means the bundled full model."""
    num_poses: int = setting(2, ge=1, le=10)
    """Poses the model looks for per frame; the runner is chosen among them. Asked for
    more than one, the model runs its person detector on every frame that shows fewer,
    so it finds the runner afresh in every frame. 1 tracks one pose from frame to frame
    (see ``track_one_person``) and never looks for anyone else."""
    track_one_person: bool = False
    """Track one person from frame to frame instead of finding the runner afresh in every
    frame: the model then runs its person detector only when the track is lost, which
    makes it about 1.6 times faster (19 instead of 31 ms of CPU per frame on the shared
    treadmill clip; the whole pose stage 1.4 times on benchmarks/throughput.py's
    10-minute clip) but less accurate. On the synthetic runner's 19 suite clips
    (benchmarks/accuracy.py --set pose.track_one_person=true) the median wrist error grew
    by 6 % (up to 23 %) per clip, and on the side_left clips the per-stride elbow angle's
    median error from 0.9 to 1.8 deg (mean) and from 2.8 to 3.7 deg (max), the arm-leg
    phase's 95th percentile from 6 to 9 deg. Off by default: accuracy comes first. When
    on, the model asked for ``num_poses`` poses looks for other people now and then
    (``people_scan_s``) and the clip is run again the default way if it sees one."""
    people_scan_s: float = setting(3.0, ge=0, le=3600.0)
    """With ``track_one_person``: the model asked for ``num_poses`` poses looks at the first
    ``people_watch_s`` seconds of each run or chunk and then at ``people_look_frames``
    frames every this many seconds; when it sees a second person, or the tracked person
    jumps by more than a torso length between frames, the clip is run again with
    ``num_poses`` poses per frame. One landmarker is open at a time (each holds about
    85 MB), so each look costs two model switches (about 0.2 s of CPU). 0: no later looks."""
    people_watch_s: float = setting(0.5, ge=0, le=60.0)
    """Look at this many seconds at the start of each run and chunk, where the tracked
    person is chosen (see ``people_scan_s``)."""
    people_look_frames: int = setting(3, ge=1, le=100)
    """Frames of each later look (see ``people_scan_s``)."""
    min_detection_confidence: float = setting(0.5, ge=0, le=1)
    min_presence_confidence: float = setting(0.5, ge=0, le=1)
    min_tracking_confidence: float = setting(0.5, ge=0, le=1)
    min_detection_rate: float = setting(0.2, ge=0, le=1)
    """Below this fraction of frames with a pose, the clip has no runner in view."""
    target_fps: float = setting(60.0, ge=0, le=MAX_RATE_HZ)
    """Analyse at most this many frames per second (0 = every frame); kept frames keep
    their true timestamps. 60 keeps accuracy: on a 240 fps synthetic side-view clip,
    analysing at 60 instead of 240 fps changed the near-arm elbow median by 0.2 deg, the
    far-arm one by 0.4 deg and the cadence not at all (benchmarks/analysis_rate.py),
    for a quarter of the pose work. Clips at 60 fps or less are analysed frame by frame."""
    max_seconds: float = setting(0.0, ge=0, le=MAX_DURATION_S)
    """Analyse only the first seconds of the clip (0 = whole clip)."""
    max_side: int = setting(1920, ge=0, le=MAX_FRAME_SIDE)
    """Frames are scaled down so their longer side is at most this (0 = full size).
    The model's input is 256 px, so scaling costs no accuracy; but scaling is dearer
    than the plain colour conversion (measured on 1080p: 5.8 ms/frame unscaled vs
    11.6 ms at 1280), so 1080p passes unscaled and only larger frames are reduced."""
    person_x: float = setting(-1.0, ge=-1, le=1)
    """Follow the person nearest this horizontal position (0-1 of the width) at
    the start; below 0, follow the most prominent (largest) person."""
    workers: int = setting(0, ge=0, le=256)
    """Worker processes for pose inference (0 = one per core)."""
    chunk_seconds: float = setting(20.0, ge=0.5, le=3600.0)
    """Longest time chunk given to one worker."""
    chunk_overlap_seconds: float = setting(1.0, ge=0, lt="chunk_seconds")
    """Overlap between consecutive chunks: a chunk starts this much before the
    part it keeps, re-acquires the runner in the first half and is stitched to
    the previous chunk in the second half."""
    min_chunk_seconds: float = setting(4.0, gt=0, le=3600.0)
    """Shortest chunk worth a worker process; clips shorter than two of these
    run in one process."""
    silhouette: bool = True
    """Ask the model for the person's segmentation mask and keep a few heights read off it
    per frame (:mod:`armcarriage.silhouette`: top of the head, the neck, the top of each
    shoulder), which the shoulder shrug is measured from; the mask itself is not kept.
    The cost is printed by benchmarks/shrug_crossing.py."""


@dataclass(frozen=True)
class CleaningConfig:
    """Gap filling, outlier rejection, filtering and masking of a pose track."""

    min_visibility: float = setting(0.3, ge=0, le=1)
    """Landmarks with visibility below this are masked (NaN) before analysis (wrists: see
    ``wrist_by_position``)."""
    wrist_by_position: bool = True
    """Keep a wrist whose visibility score is below ``min_visibility`` when its position is
    consistent with the arm (:func:`armcarriage.cleaning.usable_wrists`). On the synthetic
    runner's front crossing the crossing wrist scores below 0.3 in about 40 % of frames
    while the model places it within 8-13 px, and masking it left one crossing arm
    unmeasured. The position can still be wrong in a way no check sees (motion-capture
    renders: 25 px short at the crossing frames), so a kept wrist keeps its score's
    confidence, and the analysis does not take a mostly hidden wrist's "no crossing" as one
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
    swing extremes is the fastest motion in running: on motion capture of running at
    30 frames/s an 8 Hz filter rounded the per-stride maximum elbow angle by up to
    2.6 deg, 12 Hz by at most 0.8 deg (tests/test_mocap_truth.py). Both cut-offs are
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


@dataclass(frozen=True)
class ViewConfig:
    """Camera view classification."""

    segment_s: float = setting(2.0, ge=0.1, le=3600.0)
    """Length of the segments that are classified one by one."""
    side_ratio: float = setting(0.28, gt=0, le=2)
    """Body width ratio below which the view is a side view: mean of shoulder width / torso
    length and (hip width / torso length) / 0.6 (about 0.55 seen square-on, 0.38 at 45 deg)."""
    frontal_ratio: float = setting(0.47, ge="side_ratio", le=2)
    """Body width ratio above which the view is front or rear (unless the legs say oblique,
    see ``frontal_max_leg_spread``). Seen square-on it reads 0.52-0.57 on motion-capture
    projections and 0.61-0.68 through the pose model on the synthetic runner (0.72 exact);
    at 45 deg 0.37-0.42 and 0.48-0.51: no width threshold separates them across bodies."""
    frontal_max_leg_spread: float = setting(0.6, ge=0, le=10.0)
    """Leg spread (half the 5-95 percentile range of left-minus-right ankle x, torso lengths;
    :func:`armcarriage.view.leg_spread`) above which a view wide enough to be frontal is
    oblique. It grows as sin(yaw): front and rear read 0.00-0.05 on the synthetic runner
    (exact and pose model), 0.10-0.34 on motion-capture projections (a real runner's path
    drifts) and 0.02-0.41 through the pose model on the shared real rear clips (road, walk);
    45 deg oblique reads 0.98-1.55 and side views 1.1-1.9. 0.6 is about 20-25 deg of yaw at
    running strides."""
    moving_fraction: float = setting(0.15, ge=0, le=10.0)
    """Hip travel across the frame (frame widths per second) above which the runner moves."""


@dataclass(frozen=True)
class StrideConfig:
    """Foot-event detection and running checks."""

    min_strides: int = setting(3, ge=1, le=1000)
    """Fewer strides than this are reported as too few strides."""
    min_cadence_spm: float = setting(130.0, gt=0, lt="max_cadence_spm")
    """Steps per minute below which the motion is not running when no flight phase is
    seen (see ``min_cadence_with_flight_spm``)."""
    max_cadence_spm: float = setting(330.0, gt=0, le=1000.0)
    """Steps per minute above which the motion is not running: sprinters reach 260-300 and
    more; the stride search starts at 0.8 of the stride this gives."""
    max_human_stride_s: float = setting(2.5, gt=0, le=60.0)
    """Longest stride (s) a person makes in real time, slow walking included. A leg
    rhythm slower than this, or legs whose swing is this slow, show a clip that plays
    slower than it was filmed: the analysis reports slow motion and no cadence."""
    slow_motion_search: float = setting(12.0, ge=1, le=100.0)
    """To recognise slow motion, the leg rhythm is also searched up to this many times
    ``max_stride_s`` (limited by the clip's length)."""
    film_rates_fps: str = setting("60,120,240,480,960", text="comma-separated frame rates")
    """Frame rates (comma-separated) a camera films at, among which the frame-rate advice
    for short foot contacts picks (``contact_frames_advised``)."""
    slow_motion_max_duty: float = setting(0.4, ge=0, le=1)
    """A duty factor at most this (a clear flight phase: running) at a cadence below the
    running range shows a clip played slower than it was filmed (2x slow motion: 85 steps/min
    with duty factor 0.37 on the exact track); walking keeps each foot down over half the
    stride (0.48-0.52 on the real walking clips through the pose model)."""
    typical_stride_s: float = setting(0.7, gt=0, le=5.0)
    """A running stride in real time (s; 170 steps/min), used only to suggest the capture
    rate of a clip recognised as slow motion."""
    min_contact_frames: float = setting(3.0, ge=0, le=100.0)
    """Frames a foot contact must span for its strike and toe-off to be timed: with fewer
    (sprinting filmed at a low frame rate) the analysis says so and advises filming at
    ``contact_frames_advised`` frames per contact."""
    contact_frames_advised: float = setting(6.0, gt=0, le=100.0)
    """Frames per foot contact the frame-rate advice aims at (within a frame is then
    within a sixth of the contact)."""
    min_flight_fraction: float = setting(0.0, ge=0, le=1)
    """Fraction of a stride in flight required to call it running (0 = not checked)."""
    max_stride_s: float = setting(2.2, gt=0, le=10.0)
    """Longest stride period searched for (s); covers slow walking so it can be rejected."""
    min_periodicity: float = setting(0.3, ge=-1, le=1)
    """Autocorrelation of the left-minus-right foot signal at the stride period below which
    the legs show no stride rhythm (no running)."""
    min_rhythm_strides: float = setting(2.5, ge=0, le=100.0)
    """Without a stride rhythm, moving legs are declared not running only when they are in
    view for this many strides at ``min_cadence_spm`` (2.3 s); a shorter view gives too few
    strides (a runner crossing the frame: the real road clip from the side is in view 1.8 s)."""
    min_leg_travel_tl: float = setting(0.25, ge=0, le=10.0)
    """Range (5th-95th percentile) of the legs' stride signal (torso lengths) below which
    the legs barely move: standing or balancing, not running, whatever the clip's length.
    Through the pose model: balancing 0.11, walking 0.46-2.8, running 2.6-3.1 (side) and
    0.44 (rear, the feet's height difference)."""
    min_still_s: float = setting(0.5, ge=0, le=60.0)
    """Shortest view of the legs (s) from which legs that barely move are declared not
    running."""
    max_duty_factor: float = setting(0.5, gt=0, le=1)
    """Contact time / stride time above which the gait is walking (side views)."""
    min_cadence_with_flight_spm: float = setting(100.0, gt=0, le="max_cadence_spm")
    """Lowest running cadence when a side view shows a duty factor below
    ``max_duty_factor`` (a flight phase), or where no duty factor is read (front and
    oblique views) when the hips bounce at least ``min_bounce_tl``; ``min_cadence_spm``
    applies otherwise."""
    min_bounce_tl: float = setting(0.16, ge=0, le=10.0)
    """Peak-to-peak vertical oscillation of the hip centre over a step (torso lengths) that
    shows a flight phase where no duty factor is read: exact motion capture gives 0.07-0.08
    for walking (110 steps/min) and 0.27-0.51 for running; walking moves the body's centre 3-5 cm,
    so 0.16 (8 cm for a 50 cm torso) accepts only a clear bounce."""
    contact_height_tl: float = setting(0.06, gt=0, le=2.0)
    """A foot is on the ground while its heel or toe is within this height (torso lengths,
    about 3 cm) of its own ground level in the image."""
    event_height_tl: float = setting(0.05, gt=0, le=2.0)
    """Within a contact, strike and toe-off are timed where the heel or toe crosses this
    height above the stance's own lowest point (torso lengths, about 2.5 cm). On exact
    projections of four motion-capture runs (ground level following each stance, front
    heights corrected for perspective) 0.05 puts 26-27 of 27 strikes within one frame
    (30 fps) of the 3D touchdown in every view and the cadence within 1 % in 15 of 16
    trial x view cases; 0.03 and 0.04 give 27/27 in every view but 13 and 14 of 16, 0.06
    23-27/27 and 15 of 16. Through the pose model 0.05 keeps every strike of the synthetic
    runner's side and front clips within a frame (0.03-0.04: 82-91 % in some). Also the
    flatness that makes a stance floor (:func:`armcarriage.strides._stance_ground`)."""
    side_strike_timing: str = setting("steadier", choices=("steadier", "clearance"))
    """Side views: which strikes time the stride windows (the per-stride rows, their
    stride time and cadence). ``steadier``: per foot, the foot-clearance strikes or Zeni's
    (maxima of the heel's forward offset from the hip, moved by their median offset from
    the clearance strikes, so both keep the clearance's definition of contact), whichever
    scatters less from stride to stride (:func:`armcarriage.strides.steadier_strikes`);
    ``clearance``: the clearance strikes. The reported events and the clip cadence always
    come from the clearance, the more accurate on exact motion capture (99 % of side
    strikes within a frame; calibrated Zeni 87 %). On the real treadmill clip the clearance
    strikes scatter (38 % of stride times within 5 % of their median, per-stride cadence
    5 % above the clip's) and Zeni's do not (93 %, within 1 %); on rendered runners a glitch
    of the heel's forward path put single Zeni strikes 0.14 s off while the clearance stayed
    regular (benchmarks/results/strides.md)."""
    world_height_views: str = setting("rear", items=VIEWS)
    """Views (comma-separated) whose foot heights are read from the world landmarks
    (perspective-free) instead of the image; see :mod:`armcarriage.strides`. From behind,
    the image times strikes 2-6 frames late on motion capture; from the front, the pose
    model's world heights are the noisier signal (see ``depth_corrected_views``)."""
    depth_corrected_views: str = setting("front", items=VIEWS)
    """Views (comma-separated) whose image foot heights are moved to the hip's distance
    with the world landmarks' depth (:func:`armcarriage.strides._perspective_corrected`):
    seen from the front a planted foot rises in the image as it moves away through the
    stance. On motion capture the front strikes within one frame go from 19 to 26 of 27
    and the cadence within 1 % from 2 to 3 of 4 trials; through the pose model the three
    synthetic front clips keep 11 of 11 strikes within a frame, their mean error moving
    from -0.6 to +0.1 frame. Not from behind: there the pose model's depth of the feet
    correlates 0.3 with the truth (0.8 from the front)."""
    max_perspective_slope: float = setting(1.0, ge=0, le=10.0)
    """Largest image-height change per torso length of depth accepted from the fit of
    ``depth_corrected_views`` (a level camera's height over its distance: 0.25 for a
    camera 1 m high 4 m away; fits read 0.24-0.28 on exact tracks and 0.31-0.35 through
    the pose model, whose depth is compressed); 1 is a camera looking down at 45 degrees."""
    min_contact_s: float = setting(0.05, ge=0, le=2.0)
    """Contact runs (and gaps between them) shorter than this are ignored (s)."""
    ground_window_s: float = setting(2.5, gt=0, le=60.0)
    """Window of the rolling ground level of each foot point (s), used where no stride
    period is known or fewer than two stance floors are found."""
    cadence_edge_tolerance: float = setting(0.2, ge=0, le=1)
    """A first or last step (or per-foot stride interval) more than this fraction off the
    median is left out of the cadence (one at each end): a strike misplaced at the clip's
    edge moved a blurred clip's cadence by 3.4 %; running steps vary a few per cent."""
    cadence_fit_max_spread: float = setting(0.1, gt=0, le=1)
    """The cadence numbers the strikes' steps and fits one line through them
    (:func:`armcarriage.strides.mean_cadence`) while they scatter about it by at most this
    fraction of a step (RMS; a tenth of a step is 1-2 frames at 30 fps); more irregular
    strikes fall back to per-foot stride intervals."""
    periodicity_tolerance: float = setting(0.15, ge=0, le=1)
    """Largest relative difference between the wrist-swing and stride periods."""


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
    behind in 95-100 % of frames (visibility 0.02-0.27), crossing or not."""
    oblique_confidence: float = setting(0.5, ge=0, le=1)
    """Confidence factor of values measured in an oblique view."""
    visibility_full: float = setting(0.5, gt=0, le=1)
    """Landmark visibility (the pose model's own score) from which a landmark counts as
    fully reliable in a value's confidence; below it the factor falls linearly to
    ``visibility_floor`` at 0. Measured on the 19 synthetic suite clips (pose model against
    exact truth, 24,000 wrist and elbow samples): the median wrist error is 0.04-0.05 torso
    lengths at every visibility from 0.3 to 1 and grows below (0.07 at 0.2-0.3, 0.10 at
    0.1-0.2, 0.15 under 0.1). A wrist crossing in front of the body scores 0.3-0.6 while
    placed as well as a wrist at 0.9, so a linear use of the score halved the confidence of
    exactly the values that show a crossing."""
    visibility_floor: float = setting(0.25, ge=0, le=1)
    """Confidence factor of a landmark with visibility 0 (see ``visibility_full``): the
    median error ratio of the best to the least visible landmarks measured 0.29."""
    shrug_baseline_percentile: float = setting(10.0, ge=0, le=100.0)
    """Percentile of the clip's shoulder elevation taken as the runner's relaxed baseline."""
    rotation_from_pose_depth: bool = False
    """Report trunk rotation from a pose model's landmark depth. Off by default: on the
    synthetic runner its median error is 20 deg from the front and 64 deg from the rear,
    and a runner twisting more read lower than a relaxed one (benchmarks/accuracy.py), so
    the value would mislead; it is reported missing with that reason instead. No depth-free
    method does better through the pose model: the 2D foreshortening of the shoulder and hip
    lines (benchmarks/accuracy.py, ``rotation_from_foreshortening``) is within 2 deg on exact
    tracks but through the model its median error is 27 deg from the front and 14 from the
    rear (37 at the 95th percentile): relaxed runners (30 deg true) read 25-70, over-rotating
    ones (56 true) 54-77."""
    elbow_source: str = setting("3d", choices=("3d", "image", "world"))
    """``3d`` (default): in side and oblique views each arm is rebuilt in 3D from its image
    points with constant segment lengths (:mod:`armcarriage.metrics.arm3d`): the 2D angle of
    a forearm leaving the image plane is not the elbow angle (on exact motion-capture side
    projections the image angle reads a stride's mean 4.3 deg too open on average, 10.7 at
    worst, and a frame up to 42 deg off; through the pose model on motion-capture-driven
    renders the stride mean's error falls from 6.8 to 1.9 deg; benchmarks/results/elbow3d.md).
    The elbow is reported in side views only; front and rear views keep the image angle in
    the per-frame series. ``image``: the 2D angle of the image points;
    ``world``: the track's 3D world landmarks where present (exact for motion-capture tracks
    and the synthetic runner's truth; through the pose model 10-26 deg off)."""
    arm3d_length_percentile: float = setting(90.0, gt=50, le=100)
    """Percentile of a segment's image length (in body-scale units) over the clip that starts
    its length estimate (refined to the median of the length the rebuilt depth implies)."""
    arm3d_forearm_min_ratio: float = setting(0.8, gt=0, le=2)
    """Floor of the forearm's true length as a fraction of the upper arm's (adults: about
    0.85-0.95 between the landmarks), for views in which the forearm is never side-on."""
    arm3d_length_noise: float = setting(0.045, gt=0, le=1)
    """Relative error of a segment's image length through the pose model: the standard
    deviation of the model's segment length about the exact render's is 0.02-0.06 of the
    segment on the synthetic runner's side and oblique clips and 0.04-0.11 on the
    motion-capture-driven renders."""
    arm3d_hint_noise: float = setting(0.35, gt=0, le=10)
    """Error of the pose model's depth hint along the forearm once scaled to the clip, in
    segment lengths (residual 0.2-0.6 on rendered runners, whose forearm depth it follows
    with a correlation of 0.6-0.95; along the upper arm it does not follow the truth, so
    the upper arm's sign comes from the body's outward side, ``arm3d_outward_strength``)."""
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
    arm3d_grid: int = setting(41, ge=5, le=1001)
    """Grid points of a segment's depth span (-1 to 1 segment lengths) in the depth posterior."""
    arm3d_scale_window_s: float = setting(1.0, gt=0, le=60)
    """Running-median window of the body scale (torso length per frame), seconds."""
    elbow_error_deg: float = setting(5.0, gt=0, le=90)
    """Geometric expected error of an elbow value (deg, from its frames' expected errors,
    :func:`armcarriage.metrics.elbow.stat_expected_error`) at which its confidence is halved:
    factor ``1 / (1 + (e / elbow_error_deg)^2)``."""


@dataclass(frozen=True)
class CueConfig:
    """Coaching cue selection."""

    rules_path: str = setting("", text="a TOML file path")
    """TOML file of cue rules; empty means the rules shipped with the package."""
    max_cues: int = setting(3, ge=0, le=100)
    """At most this many cues are shown."""


@dataclass(frozen=True)
class ReportConfig:
    """Outputs of an analysis."""

    annotated_video: bool = False
    """Write ``annotated.mp4`` (the clip with the overlay; ``analyze --export-video``). Off
    by default: it is the dearest report (it decodes, draws and re-encodes every frame),
    and the page shows the key frames."""
    drift_min_strides: int = setting(30, ge=2, le=100_000)
    """Fewest strides for a fatigue-drift comparison (first third vs last third of the
    strides). With 30, each third holds 10 strides, so one odd stride cannot move its
    median; a shorter clip (30 strides is about 20 s of running) is a snapshot, not a
    run that could tire, and gets no drift."""
    percent_floor_deg: float = setting(5.0, ge=0, le=180)
    """Angles smaller than this (degrees) get no percentage (symmetry index, relative
    drift): a few degrees is the keypoint noise of a phone clip, so a ratio of two such
    angles is noise."""
    percent_floor_tl: float = setting(0.05, ge=0, le=10)
    """Lengths in torso lengths smaller than this get no percentage: a relaxed runner's
    shoulder height reads up to 0.036 torso lengths of keypoint noise in a side view
    (cues.toml, rule shrug_level_side)."""
    percent_floor_sw: float = setting(0.05, ge=0, le=10)
    """Lengths in shoulder widths smaller than this get no percentage (the same few
    pixels of keypoint noise as ``percent_floor_tl``, on a shorter length)."""
    height_cm: float = setting(0.0, ge=0, le=260)
    """The runner's height (``analyze --height-cm``); when > 0, distances in torso
    lengths and shoulder widths are also given in centimetres."""
    torso_height_ratio: float = setting(0.288, gt=0, le=1)
    """Torso length (shoulder landmarks' midpoint to hip landmarks' midpoint) as a share
    of body height: shoulder height 0.818 H minus hip height 0.530 H in the segment
    proportions of Drillis and Contini (1966), as tabled in Winter, Biomechanics and
    Motor Control of Human Movement (2009), fig. 4.1."""
    shoulder_width_height_ratio: float = setting(0.259, gt=0, le=1)
    """Shoulder width (between the shoulder landmarks, on top of the shoulders) as a
    share of body height: the biacromial width 0.259 H of the same proportions."""
    html: bool = True
    """Write the self-contained ``report.html``."""
    plots_dpi: int = setting(100, ge=20, le=600)
    """Resolution of the report's figures (dots per inch); 100 is sharp on a screen and
    keeps the inlined PNGs small."""
    key_frames: int = setting(4, ge=0, le=32)
    """Swing-extreme frames shown in the report's key-frame section."""
    player_video: str = setting("auto", choices=("auto", "proxy", "none"))
    """The clip the report's player shows, ``clip.mp4`` beside ``report.html``: ``auto``
    links (or copies) a clip browsers play as it is (H.264, 8-bit 4:2:0, MP4/MOV) and
    re-encodes any other (HEVC, VP9, MPEG-4, 10-bit) to H.264 at ``player_max_side``;
    ``proxy`` always re-encodes; ``none`` writes no clip (the page then has no player)."""
    player_max_side: int = setting(1280, ge=0, le=MAX_FRAME_SIDE)
    """Longest side of a re-encoded player clip in pixels (0 = the clip's own size): 720p
    for a 1080p clip, sharper than a phone screen shows a video in a page."""
    video_max_side: int = setting(1280, ge=0, le=MAX_FRAME_SIDE)
    """Longest side of ``annotated.mp4`` in pixels (0 = the clip's own size); larger
    clips are scaled down with the aspect ratio kept, so 1080p becomes 720p. Encoding and
    colour conversion cost in proportion to the pixels: on the 1080 x 1920 benchmark clip,
    x264 (veryfast) took 22 ms of CPU a frame at full size and 9.5 ms at 720 x 1280, the
    RGB/YUV conversions 13 and 4 ms. 720p is more than the report page or a phone shows;
    the overlay is drawn at the output size, so lines and text keep their proportions."""
    video_preset: str = setting("superfast", choices=X264_PRESETS)
    """x264 preset of ``annotated.mp4``, with ``video_x264_params`` on top. Measured at
    720p on the benchmark clip (CPU per frame, file size): ``veryfast`` 9.6 ms, 6.9 kB;
    ``superfast`` 6.6 ms, 11.6 kB; ``superfast`` with the macroblock tree back on
    (``video_x264_params``) 6.0 ms, 7.8 kB; ``ultrafast`` 3.0 ms, 2.9 times the size."""
    video_x264_params: str = setting("mbtree=1:rc-lookahead=10", text="x264 options")
    """Extra x264 options (``key=value:key=value``) applied over the preset; empty for
    none. The macroblock tree, which ``superfast`` turns off, saves a third of the file
    for no measurable time; ``rc-lookahead=10`` is ``veryfast``'s look-ahead."""
    video_crf: int = setting(23, ge=0, le=51)
    """x264 constant-rate factor of ``annotated.mp4`` (lower = better and larger); 23 is
    x264's default, visually clean for an overlay on a running clip."""
    video_prefetch_frames: int = setting(4, ge=0, le=64)
    """Frames decoded and converted ahead of the drawing and encoding, in a second thread
    (0 = all in one thread). On two cores this cut the video's wall time by a fifth
    (13.6 to 10.5 s for 900 frames) at the same CPU time; each frame waiting is one
    output-size RGB image (2.8 MB at 720p)."""
    video_threads: int = setting(0, ge=0, le=256)
    """Encoder threads for ``annotated.mp4`` (0 = x264's choice, 1.5 per core): frame
    threads let the encoder work while the next frame is decoded and drawn."""


@dataclass(frozen=True)
class CompareConfig:
    """Comparing two sessions (``armcarriage compare``).

    A change of a session median counts only when its bootstrap interval excludes zero and it
    is at least the metric's measurement noise (:attr:`armcarriage.metrics.MetricSpec.noise`).
    """

    min_strides: int = setting(3, ge=1, le=1000)
    """Fewest strides per session for a verdict."""
    n_boot: int = setting(2000, ge=100, le=100_000)
    """Bootstrap resamples of each session's strides."""
    interval: float = setting(0.95, gt=0, lt=1)
    """Coverage of the bootstrap intervals."""
    seed: int = setting(0, ge=0, le=2**32 - 1)
    """Seed of the bootstrap, so a comparison is repeatable."""


@dataclass(frozen=True)
class BatchConfig:
    """Batch analysis and history."""

    database_url: str = setting("", text="a database URL or file")
    """SQLAlchemy-style URL of the history database; empty means a SQLite file in the output."""
    workers: int = setting(0, ge=0, le=256)
    """Videos analysed at once (0 = one per core)."""
    scheduler: str = setting("", text="a Dask scheduler address or local")
    """Address of a Dask scheduler; empty means local processes."""


@dataclass(frozen=True)
class ServeConfig:
    """Web app limits and browser security."""

    host: str = setting("127.0.0.1", text="a host name or address")
    port: int = setting(8000, ge=1, le=65535)
    max_upload_mb: float = setting(500.0, gt=0, le=1e6)
    """Largest file in an upload, MB; enforced while the body streams."""
    max_request_mb: float = setting(2000.0, gt=0, le=1e6)
    """Largest upload request (all its files and fields), MB; counted while the body streams,
    chunked bodies included."""
    max_duration_s: float = setting(600.0, gt=0, le=MAX_DURATION_S)
    max_width: int = setting(3840, ge=1, le=MAX_FRAME_SIDE)
    max_height: int = setting(3840, ge=1, le=MAX_FRAME_SIDE)
    """Frame size limits, checked on the container headers before any frame is decoded."""
    max_frames: int = setting(100_000, ge=1, le=MAX_FRAMES)
    workers: int = setting(1, ge=0, le=64)
    """Worker processes that analyse queued jobs (0: none in this process; a separate
    worker picks the jobs up)."""
    max_files_per_upload: int = setting(20, ge=1, le=1000)
    """Files accepted in one upload request."""
    max_fields: int = setting(10, ge=1, le=1000)
    """Text fields accepted in one upload request."""
    max_field_bytes: int = setting(4096, ge=16, le=1 << 20)
    """Longest text field or part header of an upload, and largest sign-in form, bytes."""
    max_name_chars: int = setting(120, ge=8, le=255)
    """Uploaded file names are kept for display (NFC) up to this many characters."""
    max_concurrent_uploads: int = setting(3, ge=1, le=1000)
    """Uploads one team may stream at the same time; more are answered 429."""
    max_concurrent_decodes: int = setting(2, ge=1, le=64)
    """First frames of uploads the server decodes at once (each up to the frame size limit)."""
    team_quota_mb: float = setting(50_000.0, gt=0, le=1e9)
    """Disk space for one team's stored clips, MB; an upload that would pass it is cut off."""
    allowed_hosts: str = setting("localhost,127.0.0.1,::1", text="comma-separated host names")
    """Comma-separated names the server answers to (the request's Host header), against
    DNS rebinding; ``*`` accepts any. ``armcarriage serve --host NAME`` adds NAME."""
    login_attempts: int = setting(5, ge=1, le=1000)
    """Failed sign-ins from one address within ``login_window_s`` before it must wait."""
    login_window_s: float = setting(300.0, ge=1.0, le=86400.0)
    lease_s: float = setting(60.0, gt=0, le=86400.0)
    """A running job whose worker sent no heartbeat for this long is requeued."""
    max_attempts: int = setting(3, ge=1, le=100)
    """A job interrupted this many times (worker killed) is marked failed."""
    poll_s: float = setting(0.5, gt=0, le=60.0)
    """How often an idle worker looks for a queued job."""
    job_timeout_s: float = setting(3600.0, ge=0, le=1e6)
    """An analysis running longer than this is stopped and its job failed (0 = no limit)."""
    tokens_file: str = setting("", text="a file path")
    """File of access tokens, one ``TOKEN TEAM`` pair a line; see ``armcarriage serve --help``."""


@dataclass(frozen=True)
class Config:
    """Every default and threshold of armcarriage."""

    video: VideoConfig = field(default_factory=VideoConfig)
    pose: PoseConfig = field(default_factory=PoseConfig)
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    strides: StrideConfig = field(default_factory=StrideConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    cues: CueConfig = field(default_factory=CueConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    batch: BatchConfig = field(default_factory=BatchConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)

    def __post_init__(self) -> None:
        """Check every setting's type and range (raises :class:`ConfigError`)."""
        for f in fields(self):
            _validate_section(getattr(self, f.name), f.name)

    def override(self, values: dict[str, Any]) -> Config:
        """Return a copy with dotted-key values replaced.

        Parameters
        ----------
        values
            Mapping such as ``{"cleaning.cutoff_hz": 8.0}``. Values given as
            strings are converted to the field's type.

        Returns
        -------
        Config
            A new configuration.

        Raises
        ------
        ConfigError
            If a key names no setting or a value has the wrong type.

        """
        nested: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            section, _, name = key.partition(".")
            if not name:
                raise ConfigError(
                    f"config key {key!r}: expected 'section.setting', e.g. 'cleaning.cutoff_hz'"
                )
            nested.setdefault(section, {})[name] = value
        return _apply(self, nested, "")

    def override_pairs(self, pairs: Iterable[str]) -> Config:
        """Return a copy with ``section.key=value`` strings (as ``--set`` takes them) applied.

        Parameters
        ----------
        pairs
            Strings such as ``"cleaning.cutoff_hz=8"``; the values are converted
            as in :meth:`override`.

        Returns
        -------
        Config
            A new configuration (this one when ``pairs`` is empty).

        Raises
        ------
        ConfigError
            If a string has no ``=``, a key names no setting or a value has the
            wrong type.

        """
        values: dict[str, Any] = {}
        for item in pairs:
            key, sep, value = item.partition("=")
            if not sep:
                raise ConfigError(f"--set {item!r}: expected section.key=value")
            values[key.strip()] = value.strip()
        return self.override(values) if values else self

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Return the configuration as plain nested dictionaries."""
        return dataclasses.asdict(self)

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Read a TOML file of overrides on top of the defaults.

        Parameters
        ----------
        path
            A TOML file with one table per section, e.g. ``[cleaning]``.

        Returns
        -------
        Config
            The defaults with the file's values applied.

        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path}: not found") from None
        except IsADirectoryError:
            raise ConfigError(f"config file {path}: expected a TOML file, got a folder") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
        except RecursionError:
            raise ConfigError(
                f"config file {path}: expected tables of settings, got values nested too "
                "deeply to read"
            ) from None
        except OSError as exc:
            raise ConfigError(f"config file {path}: cannot be read ({exc.strerror})") from None
        for section, table in data.items():
            if not isinstance(table, dict):
                kind = type(table).__name__
                raise ConfigError(f"config file {path}: expected a table [{section}], got a {kind}")
        try:
            return _apply(cls(), data, "")
        except ConfigError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None


def _apply(obj: T, values: dict[str, Any], where: str) -> T:
    """Replace fields of a dataclass tree from a nested mapping (``where``: dotted prefix)."""
    known = {f.name: f for f in fields(obj)}  # type: ignore[arg-type]
    hints = _hints(type(obj))
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(
                f"{where[:-1] + ': ' if where else ''}unknown setting {name!r}; "
                f"expected one of: {', '.join(sorted(known))}"
            )
        current = getattr(obj, name)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"setting {where}{name}: expected a table, got {value!r}")
            changes[name] = _apply(current, value, f"{where}{name}.")
        else:
            changes[name] = _coerce(value, hints[name], f"{where}{name}")
    return replace(obj, **changes)  # type: ignore[type-var]


_TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _hints(cls: type) -> dict[str, Any]:
    """Return the resolved field types of a settings class (cached)."""
    cached = _HINTS.get(cls)
    if cached is None:
        cached = _HINTS[cls] = typing.get_type_hints(cls)
    return cached


_HINTS: dict[type, dict[str, Any]] = {}


def _validate_section(section: Any, name: str) -> None:
    """Check the type, finiteness and declared range of every setting of one section."""
    hints = _hints(type(section))
    for f in fields(section):
        value = getattr(section, f.name)
        kind = hints[f.name]
        where = f"setting {name}.{f.name}"
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if ok and not math.isfinite(value):
                raise ConfigError(f"{where}: expected a finite number, got {value!r}")
        if not ok:
            raise ConfigError(f"{where}: expected {_TYPE_NAMES.get(kind, kind)}, got {value!r}")
    for relative in (False, True):  # a setting's own range before its relation to others
        for f in fields(section):
            check = f.metadata.get("check")
            value = getattr(section, f.name)
            expected = check.problem(value, section, name, relative) if check else None
            if expected is not None:
                raise ConfigError(f"setting {name}.{f.name}: expected {expected}, got {value!r}")


def _coerce(value: Any, kind: Any, where: str) -> Any:
    """Convert ``value`` to ``kind`` (bool, int, float or str)."""
    if isinstance(kind, types.UnionType):  # pragma: no cover - no unions yet
        kind = typing.get_args(kind)[0]
    try:
        if kind is bool:
            if isinstance(value, str):
                low = value.strip().lower()
                if low in {"1", "true", "yes", "on"}:
                    return True
                if low in {"0", "false", "no", "off"}:
                    return False
                raise ValueError(value)
            if isinstance(value, bool):
                return value
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind is str:
            if isinstance(value, dict | list):
                raise ValueError(value)
            return str(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(
            f"setting {where}: expected a {getattr(kind, '__name__', kind)}, got {value!r}"
        ) from None
    return value  # pragma: no cover
