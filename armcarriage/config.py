"""One typed configuration for every default and threshold.

The configuration is a tree of frozen dataclasses. Defaults live here and only
here; a TOML file (``armcarriage --config FILE``) and ``--set section.key=value``
overrides from the command line replace them.

Examples
--------
>>> from armcarriage.config import Config
>>> cfg = Config().override({"cleaning.cutoff_hz": 8.0})
>>> cfg.cleaning.cutoff_hz
8.0

"""

from __future__ import annotations

import dataclasses
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


@dataclass(frozen=True)
class VideoConfig:
    """Limits on what the video reader accepts."""

    max_width: int = 7680
    """Largest accepted frame width in pixels (after rotation)."""
    max_height: int = 7680
    """Largest accepted frame height in pixels (after rotation)."""
    max_frames: int = 500_000
    """Largest accepted frame count (about 35 min at 240 fps)."""
    max_duration_s: float = 3600.0
    """Longest accepted clip, seconds."""
    min_frames: int = 1
    """Fewest decodable frames a clip must hold."""
    capture_fps: float = 0.0
    """Frame rate the clip was filmed at, when it plays slower (slow motion) or faster
    (time-lapse) than it was filmed: the analysis rescales the clip's time by the playback
    rate over this one. 0 reads it from the container's tags (``capture_fps_tags``) and,
    without a tag, takes the playback time as real time."""
    capture_fps_tags: str = "capture.fps,capture-fps,capture_fps,capturefps"
    """Endings (comma-separated, any case) of the container or stream metadata keys that
    carry the capture rate: Android writes ``com.android.capture.fps``. A tag within
    ``capture_fps_tolerance`` of the playback rate means real time."""
    capture_fps_tolerance: float = 0.02
    """Relative difference between capture and playback rates below which the clip plays
    in real time (a 30 fps clip tagged 29.97)."""


@dataclass(frozen=True)
class PoseConfig:
    """Pose model and person selection."""

    model_path: str = ""
    """Path of a MediaPipe ``.task`` bundle; empty means the bundled full model."""
    num_poses: int = 2
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
    people_scan_s: float = 3.0
    """With ``track_one_person``: the model asked for ``num_poses`` poses looks at the first
    ``people_watch_s`` seconds of each run or chunk and then at ``people_look_frames``
    frames every this many seconds; when it sees a second person, or the tracked person
    jumps by more than a torso length between frames, the clip is run again with
    ``num_poses`` poses per frame. One landmarker is open at a time (each holds about
    85 MB), so each look costs two model switches (about 0.2 s of CPU). 0: no later looks."""
    people_watch_s: float = 0.5
    """Look at this many seconds at the start of each run and chunk, where the tracked
    person is chosen (see ``people_scan_s``)."""
    people_look_frames: int = 3
    """Frames of each later look (see ``people_scan_s``)."""
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    min_detection_rate: float = 0.2
    """Below this fraction of frames with a pose, the clip has no runner in view."""
    target_fps: float = 60.0
    """Analyse at most this many frames per second (0 = every frame); kept frames keep
    their true timestamps. 60 keeps accuracy: on a 240 fps synthetic side-view clip,
    analysing at 60 instead of 240 fps changed the near-arm elbow median by 0.2 deg, the
    far-arm one by 0.4 deg and the cadence not at all (benchmarks/analysis_rate.py),
    for a quarter of the pose work. Clips at 60 fps or less are analysed frame by frame."""
    max_seconds: float = 0.0
    """Analyse only the first seconds of the clip (0 = whole clip)."""
    max_side: int = 1920
    """Frames are scaled down so their longer side is at most this (0 = full size).
    The model's input is 256 px, so scaling costs no accuracy; but scaling is dearer
    than the plain colour conversion (measured on 1080p: 5.8 ms/frame unscaled vs
    11.6 ms at 1280), so 1080p passes unscaled and only larger frames are reduced."""
    person_x: float = -1.0
    """Follow the person nearest this horizontal position (0-1 of the width) at
    the start; below 0, follow the most prominent (largest) person."""
    workers: int = 0
    """Worker processes for pose inference (0 = one per core)."""
    chunk_seconds: float = 20.0
    """Longest time chunk given to one worker."""
    chunk_overlap_seconds: float = 1.0
    """Overlap between consecutive chunks: a chunk starts this much before the
    part it keeps, re-acquires the runner in the first half and is stitched to
    the previous chunk in the second half."""
    min_chunk_seconds: float = 4.0
    """Shortest chunk worth a worker process; clips shorter than two of these
    run in one process."""


@dataclass(frozen=True)
class CleaningConfig:
    """Gap filling, outlier rejection, filtering and masking of a pose track."""

    min_visibility: float = 0.3
    """Landmarks with visibility below this are masked (NaN) before analysis."""
    min_torso_ratio: float = 0.6
    """A frame whose torso (shoulder centre to hip centre) is shorter than this times, or
    longer than its inverse times, the median torso within +/- ``torso_window_s`` is a
    collapsed pose and is masked whole. Frames of real running read 0.84-1.12 of that
    median (the shared clips, through the pose model) and 0.93-1.07 on the synthetic
    runner's suite; the collapsed poses the model returns now and then (a synthetic track
    jog, the shared road clips) read 0.09-0.3."""
    torso_window_s: float = 1.0
    """Half-width of the window of the median torso (s)."""
    max_gap_s: float = 0.1
    """Gaps up to this length are filled by interpolation."""
    hampel_window_s: float = 0.1
    """Half-window of the Hampel outlier filter, seconds."""
    hampel_sigmas: float = 3.0
    """Outlier threshold in robust standard deviations."""
    hampel_min_tl: float = 0.15
    """An outlier must also stray this far from the fit through its neighbours (torso
    lengths). Real running strays up to 0.11 from it at 30 frames/s (a foot landing;
    0.09 at the wrist's turn; motion capture of four running trials, shared data), so
    only larger jumps, such as a landmark leaping to the other limb, are spikes."""
    cutoff_hz: float = 8.0
    """Cut-off of the zero-lag 4th-order Butterworth low-pass filter (Hz) for the trunk,
    head and legs. Trunk motion lies below ~6 Hz; 8 Hz keeps the sharper foot motion
    that event timing needs and removes the pose model's frame-to-frame jitter."""
    arm_cutoff_hz: float = 12.0
    """Cut-off for the elbow, wrist and hand landmarks (Hz). The forearm's turn at the
    swing extremes is the fastest motion in running: on motion capture of running at
    30 frames/s an 8 Hz filter rounded the per-stride maximum elbow angle by up to
    2.6 deg, 12 Hz by at most 0.8 deg (tests/test_mocap_truth.py). Both cut-offs are
    capped at 0.8 x the Nyquist frequency (12 Hz at 30 frames/s)."""
    filter_order: int = 4
    resample_fps: float = 0.0
    """Resample uneven timestamps to this rate (0 = the clip's median rate)."""
    swap_prior_tl: float = 0.4
    """Cost, in torso lengths of limb acceleration, of labelling one frame's arm or leg
    pair swapped against the model's labels (:func:`armcarriage.cleaning.repair_swaps`).
    A real swap's start and end cost several torso lengths of acceleration, so swaps of up
    to ~20 frames are undone while the model's labels stand elsewhere. On 14 pose-model
    tracks of the synthetic runner (legs judged against the truth) the model mislabelled
    14 frames; 0.4 leaves 1 of them and mislabels no other frame, where the frame-by-frame
    repair it replaces carried one wrong decision on for 10-121 frames in 4 tracks. 0.1-0.2
    kept 24-frame runs wrong."""
    swap_cap_tl: float = 0.5
    """Each point's distance from its constant-velocity prediction counts up to this many
    torso lengths in the swap repair: beyond it the frame is a glitch under either
    labelling (the model blending both legs), which must not decide a swap."""


@dataclass(frozen=True)
class ViewConfig:
    """Camera view classification."""

    segment_s: float = 2.0
    """Length of the segments that are classified one by one."""
    side_ratio: float = 0.28
    """Body width ratio below which the view is a side view: mean of shoulder width / torso
    length and (hip width / torso length) / 0.6 (about 0.55 seen square-on, 0.38 at 45 deg)."""
    frontal_ratio: float = 0.47
    """Body width ratio above which the view is front or rear (unless the legs say oblique,
    see ``frontal_max_leg_spread``). Seen square-on it reads 0.52-0.57 on motion-capture
    projections and 0.61-0.68 through the pose model on the synthetic runner (0.72 exact);
    at 45 deg 0.37-0.42 and 0.48-0.51: no width threshold separates them across bodies."""
    frontal_max_leg_spread: float = 0.6
    """Leg spread (half the 5-95 percentile range of left-minus-right ankle x, torso lengths;
    :func:`armcarriage.view.leg_spread`) above which a view wide enough to be frontal is
    oblique. It grows as sin(yaw): front and rear read 0.00-0.05 on the synthetic runner
    (exact and pose model), 0.10-0.34 on motion-capture projections (a real runner's path
    drifts) and 0.02-0.41 through the pose model on the shared real rear clips (road, walk);
    45 deg oblique reads 0.98-1.55 and side views 1.1-1.9. 0.6 is about 20-25 deg of yaw at
    running strides."""
    moving_fraction: float = 0.15
    """Hip travel across the frame (frame widths per second) above which the runner moves."""


@dataclass(frozen=True)
class StrideConfig:
    """Foot-event detection and running checks."""

    min_strides: int = 3
    """Fewer strides than this are reported as too few strides."""
    min_cadence_spm: float = 130.0
    """Steps per minute below which the motion is not running when no flight phase is
    seen (see ``min_cadence_with_flight_spm``)."""
    max_cadence_spm: float = 330.0
    """Steps per minute above which the motion is not running: sprinters reach 260-300 and
    more; the stride search starts at 0.8 of the stride this gives."""
    max_human_stride_s: float = 2.5
    """Longest stride (s) a person makes in real time, slow walking included. A leg
    rhythm slower than this, or legs whose swing is this slow, show a clip that plays
    slower than it was filmed: the analysis reports slow motion and no cadence."""
    slow_motion_search: float = 12.0
    """To recognise slow motion, the leg rhythm is also searched up to this many times
    ``max_stride_s`` (limited by the clip's length)."""
    typical_stride_s: float = 0.7
    """A running stride in real time (s; 170 steps/min), used only to suggest the capture
    rate of a clip recognised as slow motion."""
    min_contact_frames: float = 3.0
    """Frames a foot contact must span for its strike and toe-off to be timed: with fewer
    (sprinting filmed at a low frame rate) the analysis says so and advises filming at
    ``contact_frames_advised`` frames per contact."""
    contact_frames_advised: float = 6.0
    """Frames per foot contact the frame-rate advice aims at (within a frame is then
    within a sixth of the contact)."""
    min_flight_fraction: float = 0.0
    """Fraction of a stride in flight required to call it running (0 = not checked)."""
    max_stride_s: float = 2.2
    """Longest stride period searched for (s); covers slow walking so it can be rejected."""
    min_periodicity: float = 0.3
    """Autocorrelation of the left-minus-right foot signal at the stride period below which
    the legs show no stride rhythm (no running)."""
    min_rhythm_strides: float = 2.5
    """Without a stride rhythm, moving legs are declared not running only when they are in
    view for this many strides at ``min_cadence_spm`` (2.3 s); a shorter view gives too few
    strides (a runner crossing the frame: the real road clip from the side is in view 1.8 s)."""
    min_leg_travel_tl: float = 0.25
    """Range (5th-95th percentile) of the legs' stride signal (torso lengths) below which
    the legs barely move: standing or balancing, not running, whatever the clip's length.
    Through the pose model: balancing 0.11, walking 0.46-2.8, running 2.6-3.1 (side) and
    0.44 (rear, the feet's height difference)."""
    min_still_s: float = 0.5
    """Shortest view of the legs (s) from which legs that barely move are declared not
    running."""
    max_duty_factor: float = 0.5
    """Contact time / stride time above which the gait is walking (side views)."""
    min_cadence_with_flight_spm: float = 100.0
    """Lowest running cadence when a side view shows a duty factor below
    ``max_duty_factor`` (a flight phase), or where no duty factor is read (front and
    oblique views) when the hips bounce at least ``min_bounce_tl``; ``min_cadence_spm``
    applies otherwise."""
    min_bounce_tl: float = 0.16
    """Peak-to-peak vertical oscillation of the hip centre over a step (torso lengths) that
    shows a flight phase where no duty factor is read: exact motion capture gives 0.07-0.08
    for walking (110 steps/min) and 0.27-0.51 for running; walking moves the body's centre 3-5 cm,
    so 0.16 (8 cm for a 50 cm torso) accepts only a clear bounce."""
    contact_height_tl: float = 0.06
    """A foot is on the ground while its heel or toe is within this height (torso lengths,
    about 3 cm) of its own ground level in the image."""
    event_height_tl: float = 0.05
    """Within a contact, strike and toe-off are timed where the heel or toe crosses this
    height above the stance's own lowest point (torso lengths, about 2.5 cm). On exact
    projections of four motion-capture runs (ground level following each stance, front
    heights corrected for perspective) 0.05 puts 26-27 of 27 strikes within one frame
    (30 fps) of the 3D touchdown in every view and the cadence within 1 % in 15 of 16
    trial x view cases; 0.03 and 0.04 give 27/27 in every view but 13 and 14 of 16, 0.06
    23-27/27 and 15 of 16. Through the pose model 0.05 keeps every strike of the synthetic
    runner's side and front clips within a frame (0.03-0.04: 82-91 % in some). Also the
    flatness that makes a stance floor (:func:`armcarriage.strides._stance_ground`)."""
    side_strike_timing: str = "zeni_calibrated"
    """Side views: which strikes time the stride windows (the per-stride rows, their
    stride time and cadence). ``zeni_calibrated``: each foot's maxima of the heel's forward
    offset from the hip (Zeni), moved by their median offset from the foot-clearance
    strikes, so the windows keep the clearance's definition of contact with Zeni's
    regularity; ``clearance``: the clearance strikes. The reported events and the clip
    cadence always come from the clearance, the more accurate on exact motion capture
    (99 % of side strikes within a frame; calibrated Zeni 87 %). On the real treadmill
    clip through the pose model the clearance windows put 38 % of stride times within 5 %
    of their median and their mean per-stride cadence 5 % above the clip's; Zeni's 93 %
    and within 1 %."""
    world_height_views: str = "rear"
    """Views (comma-separated) whose foot heights are read from the world landmarks
    (perspective-free) instead of the image; see :mod:`armcarriage.strides`. From behind,
    the image times strikes 2-6 frames late on motion capture; from the front, the pose
    model's world heights are the noisier signal (see ``depth_corrected_views``)."""
    depth_corrected_views: str = "front"
    """Views (comma-separated) whose image foot heights are moved to the hip's distance
    with the world landmarks' depth (:func:`armcarriage.strides._perspective_corrected`):
    seen from the front a planted foot rises in the image as it moves away through the
    stance. On motion capture the front strikes within one frame go from 19 to 26 of 27
    and the cadence within 1 % from 2 to 3 of 4 trials; through the pose model the three
    synthetic front clips keep 11 of 11 strikes within a frame, their mean error moving
    from -0.6 to +0.1 frame. Not from behind: there the pose model's depth of the feet
    correlates 0.3 with the truth (0.8 from the front)."""
    max_perspective_slope: float = 1.0
    """Largest image-height change per torso length of depth accepted from the fit of
    ``depth_corrected_views`` (a level camera's height over its distance: 0.25 for a
    camera 1 m high 4 m away; fits read 0.24-0.28 on exact tracks and 0.31-0.35 through
    the pose model, whose depth is compressed); 1 is a camera looking down at 45 degrees."""
    min_contact_s: float = 0.05
    """Contact runs (and gaps between them) shorter than this are ignored (s)."""
    ground_window_s: float = 2.5
    """Window of the rolling ground level of each foot point (s), used where no stride
    period is known or fewer than two stance floors are found."""
    cadence_edge_tolerance: float = 0.2
    """A first or last step (or per-foot stride interval) more than this fraction off the
    median is left out of the cadence (one at each end): a strike misplaced at the clip's
    edge moved a blurred clip's cadence by 3.4 %; running steps vary a few per cent."""
    cadence_fit_max_spread: float = 0.1
    """The cadence is the slope of one line through the strikes' step numbers and times
    (:func:`armcarriage.strides.mean_cadence`) while they scatter about it by at most this
    fraction of a step (RMS; a tenth of a step is 1-2 frames at 30 fps); more irregular
    strikes fall back to per-foot stride intervals."""
    periodicity_tolerance: float = 0.15
    """Largest relative difference between the wrist-swing and stride periods."""


@dataclass(frozen=True)
class MetricsConfig:
    """Metric definitions and confidence rules."""

    min_confidence: float = 0.5
    """Values with confidence below this are reported but not used in the summary."""
    far_arm_policy: str = "exclude"
    """Side view far arm: ``"exclude"`` (NaN with a reason) or ``"low_confidence"``."""
    symmetry_flag_percent: float = 15.0
    """Symmetry index above which an asymmetry is flagged."""
    drift_flag_fraction: float = 0.1
    """Relative first-third vs last-third change flagged as drift."""
    far_arm_confidence: float = 0.3
    """Confidence factor of the far arm in a side view when ``far_arm_policy`` keeps it."""
    min_coverage: float = 0.7
    """Fraction of a stride's frames that must hold the landmarks for a value to be measured."""
    crossing_rear_min_coverage: float = 0.95
    """From behind, midline crossing needs the wrist in at least this fraction of a stride's
    frames (else it is missing for the whole arm, with the reason): a wrist the pose model
    loses from behind is one in front of the body, where a crossing happens, so the maximum
    over the frames left would read a crossing as none. 0.95 forgives one lost frame in a
    stride at 30 fps. Through the pose model the synthetic runner's wrists are lost from
    behind in 95-100 % of frames (visibility 0.02-0.27), crossing or not."""
    oblique_confidence: float = 0.5
    """Confidence factor of values measured in an oblique view."""
    visibility_full: float = 0.5
    """Landmark visibility (the pose model's own score) from which a landmark counts as
    fully reliable in a value's confidence; below it the factor falls linearly to
    ``visibility_floor`` at 0. Measured on the 19 synthetic suite clips (pose model against
    exact truth, 24,000 wrist and elbow samples): the median wrist error is 0.04-0.05 torso
    lengths at every visibility from 0.3 to 1 and grows below (0.07 at 0.2-0.3, 0.10 at
    0.1-0.2, 0.15 under 0.1). A wrist crossing in front of the body scores 0.3-0.6 while
    placed as well as a wrist at 0.9, so a linear use of the score halved the confidence of
    exactly the values that show a crossing."""
    visibility_floor: float = 0.25
    """Confidence factor of a landmark with visibility 0 (see ``visibility_full``): the
    median error ratio of the best to the least visible landmarks measured 0.29."""
    shrug_baseline_percentile: float = 10.0
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
    elbow_source: str = "image"
    """``image``: elbow angle from the 2D image points (side view, near arm); ``world``: from
    the track's 3D world landmarks where present (exact for motion-capture tracks and the
    synthetic runner's truth, within 0.01 deg of the 3D angle there). Through the pose model
    ``image`` is the accurate one on the synthetic runner's side clips (median error 1.5-5.3 deg
    per statistic, against 10-26 from its world landmarks and 5-34 from its image points with
    their depth). The 2D angle equals the 3D one only while the arm moves in the image plane:
    on exact tracks a relaxed bent arm is within 1 deg in every statistic, a straight arm whose
    forearm turns towards the midline up to 4 deg off at the forward extreme and 1.3 on the
    mean (tests/test_accuracy_exact.py)."""


@dataclass(frozen=True)
class CueConfig:
    """Coaching cue selection."""

    rules_path: str = ""
    """TOML file of cue rules; empty means the rules shipped with the package."""
    max_cues: int = 3
    """At most this many cues are shown."""


@dataclass(frozen=True)
class ReportConfig:
    """Outputs of an analysis."""

    annotated_video: bool = True
    """Write ``annotated.mp4`` (the clip with the overlay). It is the dearest report: it
    decodes, draws and re-encodes every frame."""
    html: bool = True
    """Write the self-contained ``report.html``."""
    plots_dpi: int = 100
    """Resolution of the report's figures (dots per inch); 100 is sharp on a screen and
    keeps the inlined PNGs small."""
    key_frames: int = 4
    """Swing-extreme frames shown in the report's key-frame section."""
    video_max_side: int = 1280
    """Longest side of ``annotated.mp4`` in pixels (0 = the clip's own size); larger
    clips are scaled down with the aspect ratio kept, so 1080p becomes 720p. Encoding and
    colour conversion cost in proportion to the pixels: on the 1080 x 1920 benchmark clip,
    x264 (veryfast) took 22 ms of CPU a frame at full size and 9.5 ms at 720 x 1280, the
    RGB/YUV conversions 13 and 4 ms. 720p is more than the report page or a phone shows;
    the overlay is drawn at the output size, so lines and text keep their proportions."""
    video_preset: str = "superfast"
    """x264 preset of ``annotated.mp4``, with ``video_x264_params`` on top. Measured at
    720p on the benchmark clip (CPU per frame, file size): ``veryfast`` 9.6 ms, 6.9 kB;
    ``superfast`` 6.6 ms, 11.6 kB; ``superfast`` with the macroblock tree back on
    (``video_x264_params``) 6.0 ms, 7.8 kB; ``ultrafast`` 3.0 ms, 2.9 times the size."""
    video_x264_params: str = "mbtree=1:rc-lookahead=10"
    """Extra x264 options (``key=value:key=value``) applied over the preset; empty for
    none. The macroblock tree, which ``superfast`` turns off, saves a third of the file
    for no measurable time; ``rc-lookahead=10`` is ``veryfast``'s look-ahead."""
    video_crf: int = 23
    """x264 constant-rate factor of ``annotated.mp4`` (lower = better and larger); 23 is
    x264's default, visually clean for an overlay on a running clip."""
    video_prefetch_frames: int = 4
    """Frames decoded and converted ahead of the drawing and encoding, in a second thread
    (0 = all in one thread). On two cores this cut the video's wall time by a fifth
    (13.6 to 10.5 s for 900 frames) at the same CPU time; each frame waiting is one
    output-size RGB image (2.8 MB at 720p)."""
    video_threads: int = 0
    """Encoder threads for ``annotated.mp4`` (0 = x264's choice, 1.5 per core): frame
    threads let the encoder work while the next frame is decoded and drawn."""


@dataclass(frozen=True)
class BatchConfig:
    """Batch analysis and history."""

    database_url: str = ""
    """SQLAlchemy-style URL of the history database; empty means a SQLite file in the output."""
    workers: int = 0
    """Videos analysed at once (0 = one per core)."""
    scheduler: str = ""
    """Address of a Dask scheduler; empty means local processes."""


@dataclass(frozen=True)
class ServeConfig:
    """Web app limits."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_mb: float = 500.0
    max_duration_s: float = 600.0
    max_width: int = 3840
    max_height: int = 3840
    max_frames: int = 100_000
    workers: int = 1
    """Worker processes that analyse queued jobs."""
    max_files_per_upload: int = 20
    """Files accepted in one upload request."""
    lease_s: float = 60.0
    """A running job whose worker sent no heartbeat for this long is requeued."""
    max_attempts: int = 3
    """A job interrupted this many times (worker killed) is marked failed."""
    poll_s: float = 0.5
    """How often an idle worker looks for a queued job."""
    job_timeout_s: float = 3600.0
    """An analysis running longer than this is stopped and its job failed (0 = no limit)."""
    tokens_file: str = ""
    """File of access tokens, one ``TOKEN TEAM`` pair a line; see ``armcarriage serve --help``."""


@dataclass(frozen=True)
class MocapConfig:
    """Ground truth from motion capture (:mod:`armcarriage.mocap`)."""

    contact_height_m: float = 0.01
    """A foot is on the ground while its heel or toe point is within this height of the
    point's own ground level (its 5th-percentile height over the trial), metres: the
    smallest margin safely above the +-0.5 cm jitter of a planted foot. Touchdown
    times from 0.5-1.5 cm differ by less than 0.5 frame on the running files."""
    contact_vz_m_s: float = 0.4
    """A low run of frames is a contact only if the foot also stops: vertical speed
    below this (m/s) in at least one of its frames."""
    min_contact_frames: int = 2
    """Contact runs shorter than this (frames) are ignored."""
    min_gap_frames: int = 2
    """Gaps in contact shorter than this (frames) are closed."""


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
    mocap: MocapConfig = field(default_factory=MocapConfig)

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
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
        for section, table in data.items():
            if not isinstance(table, dict):
                kind = type(table).__name__
                raise ConfigError(
                    f"config file {path}: expected a table [{section}], got a {kind}"
                )
        return _apply(cls(), data, f"config file {path}: ")


def _apply(obj: T, values: dict[str, Any], where: str) -> T:
    """Replace fields of a dataclass tree from a nested mapping."""
    known = {f.name: f for f in fields(obj)}  # type: ignore[arg-type]
    hints = typing.get_type_hints(type(obj))
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(
                f"{where}unknown setting {name!r}; expected one of: {', '.join(sorted(known))}"
            )
        current = getattr(obj, name)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}{name}: expected a table, got {value!r}")
            changes[name] = _apply(current, value, f"{where}{name}.")
        else:
            changes[name] = _coerce(value, hints[name], f"{where}{name}")
    return replace(obj, **changes)  # type: ignore[type-var]


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
            return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{where}: expected a {getattr(kind, '__name__', kind)}, got {value!r}"
        ) from None
    return value  # pragma: no cover
