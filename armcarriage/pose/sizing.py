"""How large the frames given to the pose model are: as small as the runner's height allows.

The landmark model sees a 256 px crop of the person, and MediaPipe returns the
segmentation mask at the size of the image it is given, so a frame larger than the
runner needs costs time and buys nothing (README, *Figures behind the defaults*).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from armcarriage.config import PoseConfig

RECHECK_FRAMES = 15
"""Frames between two reads of the runner's height after the first (their median)."""

GROW_BELOW = 0.9
"""A runner drawn under this fraction of ``pose.runner_px`` gets larger frames."""

SHRINK_ABOVE = 1.1
"""Smaller frames only where they keep the runner at this fraction of ``pose.runner_px``:
the gap to ``GROW_BELOW`` keeps a runner near a step from switching back and forth."""


def frame_side(width: int, height: int, runner_px: float, max_side: int, wanted_px: int) -> int:
    """Longest frame side (px) that keeps a runner ``runner_px`` tall at ``wanted_px`` or more.

    Parameters
    ----------
    width, height
        Full frame size.
    runner_px
        The runner's height in the full frame.
    max_side
        Upper bound (0: the full size).
    wanted_px
        Smallest runner height wanted (``pose.runner_px``).

    Returns
    -------
    int
        The full side divided by 1, 1.5 or a whole factor from 2 on (pixel-area
        averaging by a whole factor is OpenCV's fast path; few steps, so runs that
        start at different times of a clip mostly choose the same size); never
        larger than ``max_side`` or the full size.

    """
    long = max(width, height)
    cap = long if max_side <= 0 else min(long, max_side)
    factor = runner_px / wanted_px if wanted_px > 0 and np.isfinite(runner_px) else 1.0
    factor = math.floor(factor) if factor >= 2.0 else (1.5 if factor >= 1.5 else 1.0)
    return int(min(cap, round(long / factor)))


def body_height(landmarks: np.ndarray) -> float:
    """Height (px) of a pose, top of the head to the lowest foot point."""
    y = landmarks[:, 1]
    y = y[np.isfinite(y)]
    return float(y.max() - y.min()) if y.size else float("nan")


class RunnerSizer:
    """The frame size of one run of the model, from the runner's height as it goes.

    The first ``pose.people_watch_s`` seconds (at most half the chunks' overlap, so
    the frames a chunk keeps are sized as one pass over the clip sizes them) are
    read at ``pose.max_side``; then every ``RECHECK_FRAMES`` frames the median height
    of the last ones re-sizes the frames when the runner has come nearer or gone
    further (a runner running towards or away from the camera). The smallest person
    of a frame counts, so whoever turns out to be the runner keeps ``pose.runner_px``.
    """

    def __init__(self, pc: PoseConfig) -> None:
        self.pc = pc
        self.side = pc.max_side
        """Longest side (px) of the frames wanted now."""
        self._heights: deque[float] = deque(maxlen=RECHECK_FRAMES)
        self._until_s = math.inf
        self._sized = False
        self._since = 0

    def add(self, heights: list[float], time_s: float, width: int, height: int) -> None:
        """Count one frame's people heights (full-frame px); re-size when due."""
        pc = self.pc
        if pc.runner_px <= 0:
            return
        if self._until_s == math.inf:
            self._until_s = time_s + min(pc.people_watch_s, pc.chunk_overlap_seconds / 2)
        finite = [h for h in heights if np.isfinite(h)]
        if finite:
            self._heights.append(min(finite))
        self._since += 1
        if not self._heights or time_s < self._until_s:
            return
        if self._sized and self._since < RECHECK_FRAMES:
            return
        runner = float(np.median(self._heights))
        long = max(width, height)
        current = min(self.side or long, long)
        if not self._sized or runner * current / long < GROW_BELOW * pc.runner_px:
            self.side = frame_side(width, height, runner, pc.max_side, pc.runner_px)
        else:
            floor = round(SHRINK_ABOVE * pc.runner_px)
            self.side = min(current, frame_side(width, height, runner, pc.max_side, floor))
        self._sized, self._since = True, 0
