"""Settings of the video reader and the pose model."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import MAX_DURATION_S, MAX_FRAME_SIDE, MAX_FRAMES, MAX_RATE_HZ, setting


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
    track_one_person: bool = True
    """Track one person from frame to frame instead of finding the runner afresh in every
    frame: the model then runs its person detector only when the track is lost, about 1.6
    times faster. The model asked for ``num_poses`` poses looks for other people now and
    then (``people_scan_s``) and the clip is run again the re-detecting way if it sees one.
    False re-detects in every frame (README, *Accuracy*, for the two compared)."""
    track_frontal: bool = False
    """Track one person also when the run's first look sees the runner square-on (front or
    rear: width ratio at least ``view.frontal_ratio``). Off, such a clip is run again
    re-detecting the runner in every frame: there the tracked crop read a clean runner's arm
    lift and shoulder rise over their cues and the wrists further from the truth; it read
    crossing arms as well, and from behind found strides re-detecting missed (README,
    *Accuracy*; ``benchmarks/results/track_frontal.md``)."""
    people_scan_s: float = setting(10.0, ge=0, le=3600.0)
    """With ``track_one_person``: the model asked for ``num_poses`` poses looks at the first
    ``people_watch_s`` seconds of each run or chunk and then at ``people_look_frames``
    frames every this many seconds; when it sees a second person, or the tracked person
    jumps by more than a torso length between frames, the clip is run again with
    ``num_poses`` poses per frame. One landmarker is open at a time (memory), so each look
    costs two model switches, about 0.2 s of CPU (README, *Figures behind the defaults*).
    The run again covers the whole clip, so a person who stays in view is found by any
    look; one who passes by between looks cannot take the runner's track without the
    jump that every frame is checked for. 0: no later looks."""
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
    their true timestamps. 60, not 30: a 60 fps clip analysed at 30 measures as well at
    ordinary running paces, but fast runners' swing arc loses accuracy (README, *Speed*;
    benchmarks/analysis_rate.py). Clips at 60 fps or less are analysed frame by frame."""
    max_seconds: float = setting(0.0, ge=0, le=MAX_DURATION_S)
    """Analyse only the first seconds of the clip (0 = whole clip)."""
    max_side: int = setting(1280, ge=0, le=MAX_FRAME_SIDE)
    """Frames are scaled down so their longer side is at most this (0 = full size). The
    landmark model sees a 256 px crop of the person, which a runner at least 28 % of a
    1080p frame's height still fills at 720p; MediaPipe returns the segmentation mask at
    the size of the image it is given, which at 1080p costs about as much as the landmark
    model (README, *Speed*)."""
    runner_px: int = setting(320, ge=0, le=MAX_FRAME_SIDE)
    """Once the first ``people_watch_s`` seconds of a run have shown how tall the runner
    is, frames are scaled down further (by 1.5 or a whole factor, where pixel-area
    averaging is cheap) so the runner stays at least this many pixels tall; re-read
    every half second or so as the runner comes nearer or goes away
    (:mod:`armcarriage.pose.sizing`). The landmark
    model sees a 256 px crop of the person: on 1080p renders a runner scaled from 768 to
    256 px measured as well as at full size, and the segmentation mask, returned at the
    size of the image, costs less (README, *Speed*). 0: only ``max_side`` scales."""
    person_x: float = setting(-1.0, ge=-1, le=1)
    """Follow the person whose box contains, or is nearest, this horizontal position
    (0-1 of the width) in the first second; below 0, follow the most prominent (largest)
    person (``analyze --person``, :mod:`armcarriage.person`)."""
    person_y: float = setting(-1.0, ge=-1, le=1)
    """With ``person_x``: the vertical position of the point (0-1 of the height, 0 = top);
    below 0, the horizontal position alone chooses."""
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
