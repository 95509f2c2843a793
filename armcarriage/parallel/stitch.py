"""Stitching chunks at the overlap frame where two runs agree best, into one track."""

from __future__ import annotations

import json
import logging
import math
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from armcarriage.config import Config
from armcarriage.parallel.chunks import ChunkResult
from armcarriage.pose import _centre_and_torso
from armcarriage.skeleton import KEYPOINTS, MIRROR_INDEX
from armcarriage.video import (
    VideoInfo,
)

if TYPE_CHECKING:  # the track module (xarray, pandas) is not needed in pose workers
    from armcarriage.track import PoseTrack

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- stitching
@dataclass
class Seam:
    """Where two chunks were joined and how well they agreed there."""

    chunk: int
    """Index of the later chunk."""
    cut_s: float
    """First frame taken from the later chunk."""
    overlap_frames: int
    disagreement: float
    """At the cut: mean landmark distance between the matched people of both
    chunks, in torso lengths (0 = identical)."""
    flipped: bool
    """True if the later chunk's left/right labels were swapped at the cut (a
    cut is only put there when no frame of the overlap agrees)."""


def frame_disagreement(
    a: np.ndarray, a_present: np.ndarray, b: np.ndarray, b_present: np.ndarray
) -> tuple[float, bool]:
    """How far one frame's detections in two runs are apart.

    People are matched by torso centre; the score is the largest, over matched
    people, of the mean landmark distance in torso lengths. A different number
    of people scores ``inf``.

    Parameters
    ----------
    a, b
        (P, 33, C) detections of the same frame from two runs.
    a_present, b_present
        (P,) which slots hold a person.

    Returns
    -------
    score : float
        0 when identical; ``inf`` when the people do not correspond.
    flipped : bool
        True when ``b`` matches ``a`` better with its left/right labels swapped.

    """
    ia, ib = np.flatnonzero(a_present), np.flatnonzero(b_present)
    if ia.size != ib.size:
        return math.inf, False
    if ia.size == 0:
        return 0.0, False
    ca = [_centre_and_torso(a[i]) for i in ia]
    cb = [_centre_and_torso(b[j]) for j in ib]
    if ia.size == 1:  # one person each: no matching (and no scipy beside the workers, 37 MB)
        rows, cols = np.zeros(1, int), np.zeros(1, int)
    else:
        from scipy.optimize import linear_sum_assignment

        cost = np.array([[np.linalg.norm(x[0] - y[0]) for y in cb] for x in ca])
        rows, cols = linear_sum_assignment(cost)
    worst, flips = 0.0, 0
    mirror = list(MIRROR_INDEX)
    for r, c in zip(rows, cols, strict=True):
        pa = a[ia[r], :, :2].astype(float)
        pb = b[ib[c], :, :2].astype(float)
        torso = ca[r][1]
        d = float(np.linalg.norm(pa - pb, axis=1).mean()) / torso
        dm = float(np.linalg.norm(pa - pb[mirror], axis=1).mean()) / torso
        worst = max(worst, d)
        flips += dm < d
    return worst, flips > 0


def choose_cut(prev: ChunkResult, nxt: ChunkResult, settle_s: float) -> Seam:
    """Pick the frame where ``nxt`` takes over from ``prev``.

    Candidates are the frames both chunks hold, at least ``settle_s`` after
    ``nxt`` started (its tracker has re-acquired by then). The cut goes to the
    frame of least disagreement without a left/right swap; ties go to the
    earliest such frame.

    Parameters
    ----------
    prev, nxt
        Consecutive chunks.
    settle_s
        Time the later chunk needs to re-acquire the people in view.

    Returns
    -------
    Seam

    """
    start = float(nxt.time[0]) if nxt.time.size else math.inf
    common, ia, ib = np.intersect1d(prev.time, nxt.time, return_indices=True)
    scores: list[tuple[float, bool, float]] = []
    for t, i, j in zip(common, ia, ib, strict=True):
        if t < start + settle_s - 1e-9:
            continue
        s, flipped = frame_disagreement(
            prev.cands[i], prev.present[i], nxt.cands[j], nxt.present[j]
        )
        scores.append((s, flipped, float(t)))
    if not scores:
        # No usable overlap: the later chunk takes over after the earlier one's last frame.
        cut = float(prev.time[-1]) + 1e-9 if prev.time.size else start
        return Seam(nxt.index, cut, int(common.size), math.inf, False)
    ok = [s for s in scores if not s[1]]
    pool = ok or scores
    best = min(pool, key=lambda s: (s[0], s[2]))
    if best[1] or not math.isfinite(best[0]):
        log.warning(
            "chunk %d: no overlap frame where both chunks agree (best disagreement %.3g "
            "torso lengths%s); cut at %.3f s",
            nxt.index,
            best[0],
            ", left/right swapped" if best[1] else "",
            best[2],
        )
    return Seam(nxt.index, best[2], int(common.size), best[0], best[1])


class Stitcher:
    """Join chunk results in time order; each frame comes from one chunk.

    A part is final once the next chunk is cut against it; final parts wait on disk
    (one ``.npy`` file per array in a temporary folder) until the track is assembled,
    so what this process holds while the pose workers run does not grow with the
    clip. Only the frame times stay in memory.

    Parameters
    ----------
    settle_s
        See :func:`choose_cut`.
    spill
        Keep final parts on disk (False: in memory).

    """

    def __init__(self, settle_s: float, spill: bool = True) -> None:
        self.settle_s = settle_s
        self.spill = spill
        self.parts: list[ChunkResult | _OnDisk] = []
        self.seams: list[Seam] = []
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, result: ChunkResult) -> None:
        """Append the next chunk (chunks must arrive in time order)."""
        if not self.parts:
            self.parts.append(result)
            return
        last = self.parts[-1]
        prev = last.load() if isinstance(last, _OnDisk) else last  # the last stays in memory
        seam = choose_cut(prev, result, self.settle_s)
        self.seams.append(seam)
        self.parts[-1] = self._stored(prev.trimmed(stop=seam.cut_s))
        self.parts.append(result.trimmed(start=seam.cut_s))

    def _stored(self, part: ChunkResult) -> ChunkResult | _OnDisk:
        """Write a final part to disk (when spilling) and return its handle."""
        if not self.spill:
            return part
        try:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="armcarriage-pose-")
            return _OnDisk.write(part, Path(self._folder.name) / f"part{part.index:04d}")
        except OSError as exc:  # a full or read-only temporary folder: keep them in memory
            log.warning("pose: finished chunks kept in memory (temporary folder: %s)", exc)
            self.spill = False
            return part

    def close(self) -> None:
        """Delete the parts kept on disk (also done when the stitcher is collected)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    @property
    def num_poses(self) -> int:
        """Poses per frame the chunks were run with (0 before the first chunk)."""
        return self.parts[0].asked if self.parts else 0

    @property
    def n_frames(self) -> int:
        """Frames stitched so far."""
        return sum(p.time.size for p in self.parts)

    def time(self) -> np.ndarray:
        """Timestamps of the stitched frames."""
        return np.concatenate([p.time for p in self.parts]) if self.parts else np.zeros(0)

    def frame(self) -> np.ndarray:
        """Source frame indices of the stitched frames."""
        if not self.parts:
            return np.zeros(0, np.int64)
        return np.concatenate([p.frame for p in self.parts])

    def iter_candidates(self) -> Iterator[list[Any]]:
        """Per stitched frame, the detections as pose-stage candidates (views, no copies)."""
        from armcarriage.pose import _Candidate

        for handle in self.parts:
            part = handle.load() if isinstance(handle, _OnDisk) else handle
            for f in range(part.time.size):
                yield [
                    _Candidate(
                        part.cands[f, j, :, :5],
                        part.cands[f, j, :, 5:],
                        None if part.sil is None else part.sil[f, j],
                    )
                    for j in np.flatnonzero(part.present[f])
                ]


@dataclass
class _OnDisk:
    """A final part on disk: its times and frame indices in memory, the detections in files."""

    stem: Path
    time: np.ndarray
    frame: np.ndarray
    asked: int
    index: int
    has_sil: bool

    @classmethod
    def write(cls, part: ChunkResult, stem: Path) -> _OnDisk:
        """Save ``part``'s detections next to ``stem`` and return the handle."""
        np.save(stem.with_suffix(".cands.npy"), part.cands)
        np.save(stem.with_suffix(".present.npy"), part.present)
        if part.sil is not None:
            np.save(stem.with_suffix(".sil.npy"), part.sil)
        return cls(stem, part.time, part.frame, part.asked, part.index, part.sil is not None)

    def load(self) -> ChunkResult:
        """Read the part back."""
        sil = np.load(self.stem.with_suffix(".sil.npy")) if self.has_sil else None
        return ChunkResult(
            self.index,
            self.time,
            self.frame,
            np.load(self.stem.with_suffix(".cands.npy")),
            np.load(self.stem.with_suffix(".present.npy")),
            asked=self.asked,
            sil=sil,
        )


def _assemble(
    stitcher: Stitcher, info: VideoInfo, config: Config, results: list[dict[str, Any]]
) -> PoseTrack:
    """Choose the runner over the stitched clip and build the track."""
    from armcarriage.pose import (
        RunnerSelector,
        candidate_silhouettes,
        default_model_path,
        person_note,
        resolve_model_path,
    )

    selector = RunnerSelector.for_clip(info, config)
    for cands in stitcher.iter_candidates():
        selector.add(cands)
    picks = selector.resolve()
    n = len(picks)
    k = len(KEYPOINTS)
    lm = np.full((n, k, 5), np.nan)
    world = np.full((n, k, 3), np.nan)
    for i, c in enumerate(picks):
        if c is not None:
            lm[i] = c.landmarks
            world[i] = c.world
    decoded = sum(r["decoded"] for r in results)
    errors = sum(r["errors"] for r in results)
    whole = config.pose.max_seconds <= 0
    lost = max(0, info.frames - decoded) if (errors or whole) else 0
    try:
        model = resolve_model_path(config.pose.model_path or None).name
    except OSError:  # pragma: no cover - resolved before the pool started
        model = default_model_path().name
    attrs = {
        "source": info.path,
        "model": model,
        "person": person_note(selector, stitcher.num_poses, config),
        "video": json.dumps(info.to_dict()),
        "decode": json.dumps(
            {
                "decoded": decoded,
                "lost": lost,
                "dropped_non_increasing": sum(r["dropped_non_increasing"] for r in results),
                "error": next((r["error"] for r in results if r["error"]), ""),
            }
        ),
    }
    from armcarriage.track import PoseTrack

    return PoseTrack.from_arrays(
        stitcher.time(),
        lm[:, :, :2],
        fps=info.fps,
        width=info.width,
        height=info.height,
        visibility=lm[:, :, 3],
        depth=lm[:, :, 2],
        world=world,
        frame=stitcher.frame(),
        attrs=attrs,
        silhouette=candidate_silhouettes(picks) if config.pose.silhouette else None,
    )
