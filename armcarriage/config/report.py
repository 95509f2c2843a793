"""Settings of the reports and of session comparison."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import MAX_FRAME_SIDE, MAX_RATE_HZ, X264_PRESETS, setting


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
    advice_min_strides: int = setting(10, ge=1, le=10_000)
    """Fewer measured strides than this get filming advice to film longer (docs/filming.md:
    at least 10 steady strides)."""
    advice_min_fps: float = setting(60.0, gt=0, le=MAX_RATE_HZ)
    """A side-view clip filmed at fewer frames per second than this gets advice to film
    faster for the contact and flight times (docs/filming.md: 60 fps times strikes to a
    frame)."""
    advice_min_fill: float = setting(0.5, ge=0, le=1)
    """A runner filling less of the frame height than this (head to shoe, estimated from
    the torso length and ``torso_height_ratio``) gets advice to move closer (docs/filming.md:
    half to two thirds of the height)."""
    advice_min_brightness: float = setting(50.0, ge=0, le=255)
    """A clip whose frames' mean brightness (Rec. 601 luma, 0-255) is below this gets
    advice on light."""
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
