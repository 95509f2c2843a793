"""Following the runner among the people the model finds, frame after frame."""

from __future__ import annotations

import numpy as np

from armcarriage.config import Config
from armcarriage.pose.candidate import _Candidate, _centre_and_torso
from armcarriage.video import VideoInfo


class RunnerSelector:
    """Follow one person through the clip among several detections.

    Detections are linked frame to frame into tracklets (Hungarian matching of
    torso centres, gated at one torso length plus the distance allowed by the
    gap; the torso length is the tracklet's median over its last detections, as
    the model now and then returns a collapsed pose whose torso is a few pixels
    long, which must not close the gate). The runner is the most prominent
    tracklet (largest summed extent, with the tracklets chained to it: a runner lost
    for a moment outweighs a neighbour seen throughout) or, with ``person_x`` >= 0, the
    one seen in the first second of detections whose box contains, or comes nearest
    to, the point (``person_x``, ``person_y``) as fractions of the frame (``person_y``
    < 0: the horizontal position alone; :mod:`armcarriage.person`). Tracklets that continue it
    without overlapping in time, and start where it left off, are chained to it. Frames
    where the chosen person is not seen stay empty: another person is never
    substituted.
    """

    def __init__(
        self,
        width: int,
        person_x: float = -1.0,
        fps: float = 30.0,
        *,
        height: int = 0,
        person_y: float = -1.0,
    ) -> None:
        self.width = width
        self.height = height
        self.person_x = person_x
        self.person_y = person_y if height > 0 else -1.0
        self.fps = fps
        self.frames: list[list[_Candidate]] = []
        self._geometry: list[list[tuple[np.ndarray, float]]] = []
        """Per frame and detection, the torso centre and length, computed once."""
        self.multi_frames = 0
        self.n_tracklets = 0

    @classmethod
    def for_clip(cls, info: VideoInfo, config: Config) -> RunnerSelector:
        """Return the selector of a clip, following ``config.pose``'s person choice."""
        from armcarriage.person import PersonChoice

        choice = PersonChoice.from_config(config)
        return cls(info.width, choice.x, info.fps or 30.0, height=info.height, person_y=choice.y)

    def add(self, candidates: list[_Candidate]) -> None:
        """Record the detections of the next frame."""
        if len(candidates) > 1:
            self.multi_frames += 1
        self.frames.append(candidates)
        self._geometry.append([_centre_and_torso(c.landmarks) for c in candidates])

    def resolve(self) -> list[_Candidate | None]:
        """Return, per recorded frame, the runner's detection or None."""
        tracklets = self._link()
        self.n_tracklets = len(tracklets)
        if not tracklets:
            return [None] * len(self.frames)
        chosen = self._seed(tracklets)
        chain = self._chain(chosen, tracklets)
        out: list[_Candidate | None] = [None] * len(self.frames)
        for tr in chain:
            for f, c in tr:
                out[f] = self.frames[f][c]
        return out

    def _link(self) -> list[list[tuple[int, int]]]:
        from scipy.optimize import linear_sum_assignment

        max_gap = max(1, int(round(0.5 * self.fps)))
        active: list[list[tuple[int, int]]] = []
        done: list[list[tuple[int, int]]] = []
        for f, cands in enumerate(self.frames):
            still: list[list[tuple[int, int]]] = []
            for tr in active:
                (done if f - tr[-1][0] > max_gap else still).append(tr)
            active = still
            used: set[int] = set()
            if active and cands:
                cost = np.full((len(active), len(cands)), 1e9)
                for i, tr in enumerate(active):
                    lf, lc = tr[-1]
                    last = self._geometry[lf][lc][0]
                    gate = self._torso(tr, end=True) * (1.0 + 0.5 * (f - lf - 1))
                    for j, (centre, _) in enumerate(self._geometry[f]):
                        d = float(np.linalg.norm(centre - last))
                        if d <= gate:
                            cost[i, j] = d
                rows, cols = linear_sum_assignment(cost)
                for i, j in zip(rows, cols, strict=True):
                    if cost[i, j] < 1e9:
                        active[i].append((f, int(j)))
                        used.add(int(j))
            for j in range(len(cands)):
                if j not in used:
                    active.append([(f, j)])
        return done + active

    def _torso(self, tr: list[tuple[int, int]], end: bool) -> float:
        """Median torso length (px) of a tracklet's last (or first) detections."""
        part = tr[-_TORSO_SPAN:] if end else tr[:_TORSO_SPAN]
        return float(np.median([self._geometry[f][c][1] for f, c in part]))

    def _prominence(self, tr: list[tuple[int, int]]) -> float:
        return sum(self.frames[f][c].size for f, c in tr)

    def _seed(self, tracklets: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
        """Return the chosen person's tracklet: the most prominent, or the one nearest the point.

        The model now and then reports one person twice, as two tracklets side by side;
        of those within a torso length of the nearest detection, the most prominent is
        the person's main tracklet.
        """
        if self.person_x < 0:
            # a person the model loses for a moment (occluded, blurred) is one person: a
            # tracklet's prominence is its chain's, so a neighbour seen throughout does not
            # outweigh the runner's pieces
            seeds = sorted(tracklets, key=self._prominence)[-_CHAIN_SEEDS:]
            return max(
                seeds, key=lambda tr: sum(self._prominence(c) for c in self._chain(tr, tracklets))
            )
        window = min(tr[0][0] for tr in tracklets) + max(1, int(round(self.fps)))
        point = np.array([self.person_x * self.width, self.person_y * self.height])
        nearest: list[tuple[tuple[float, float], list[tuple[int, int]], _Candidate]] = []
        for tr in tracklets:
            seen = [self.frames[f][c] for f, c in tr if f < window]
            if seen:
                det = min(seen, key=lambda d: self._distance(d, point))
                nearest.append((self._distance(det, point), tr, det))
        if not nearest:
            return max(tracklets, key=self._prominence)
        _, _, best = min(nearest, key=lambda n: n[0])
        same = [
            tr for _, tr, d in nearest if np.linalg.norm(d.centre - best.centre) <= _torso(best)
        ]
        return max(same, key=self._prominence)

    def _distance(self, c: _Candidate, point: np.ndarray) -> tuple[float, float]:
        """Distance (px) from ``point`` to a detection's box (0 inside), then to its centre.

        A negative ``person_y`` compares horizontal positions only.
        """
        pts = c.landmarks[:, :2]
        lo, hi = np.nanmin(pts, axis=0), np.nanmax(pts, axis=0)
        axes = slice(0, 1) if self.person_y < 0 else slice(0, 2)
        gap = np.maximum(0.0, np.maximum(lo - point, point - hi))[axes]
        off = (c.centre - point)[axes]
        box, centre = float(np.linalg.norm(gap)), float(np.linalg.norm(off))
        return (box, centre) if np.isfinite(box) and np.isfinite(centre) else (np.inf, np.inf)

    def _chain(
        self, seed: list[tuple[int, int]], tracklets: list[list[tuple[int, int]]]
    ) -> list[list[tuple[int, int]]]:
        chain = [seed]
        for forward in (True, False):
            end = seed
            while True:
                best, best_d = None, np.inf
                ef, ec = end[-1] if forward else end[0]
                e = self.frames[ef][ec]
                torso = self._torso(end, end=forward)
                for tr in tracklets:
                    if any(tr is c for c in chain):
                        continue
                    sf, sc = tr[0] if forward else tr[-1]
                    gap = (sf - ef) if forward else (ef - sf)
                    if gap <= 0 or gap > 2 * self.fps:
                        continue
                    d = float(np.linalg.norm(self.frames[sf][sc].centre - e.centre))
                    if d <= torso * (1.0 + 0.5 * gap * 30.0 / self.fps) and d < best_d:
                        best, best_d = tr, d
                if best is None:
                    break
                chain.append(best)
                end = best
        return chain

    def describe(self) -> str:
        """Say how the runner was chosen, for the track's attributes."""
        from armcarriage.person import PersonChoice

        how = PersonChoice(self.person_x, self.person_y).words()
        return (
            f"followed {how}; {self.multi_frames} frames showed more than one person, "
            f"{self.n_tracklets} tracklets were linked and other people were ignored"
        )


_TORSO_SPAN = 15
"""Detections over which a tracklet's torso length is taken (the median)."""


def person_note(selector: RunnerSelector, num_poses: int, config: Config) -> str:
    """Say how the runner was chosen and how many poses the model looked for.

    A clip without a person in any frame says so, rather than how a runner was followed.
    """
    if selector.n_tracklets == 0:
        return "no person was found in any frame"
    return f"{selector.describe()}; {people_note(num_poses, config)}"


def people_note(num_poses: int, config: Config) -> str:
    """Say how many poses per frame the model was asked for, and why."""
    pc = config.pose
    if num_poses > 1 and pc.track_one_person:
        return f"more than one person was in view: the model looked for {num_poses} per frame"
    if num_poses > 1:
        return f"the model looked for {num_poses} people in every frame"
    if pc.num_poses > 1:
        return (
            f"one person was in view (looked for others every {pc.people_scan_s:g} s): "
            "the model tracked one pose"
        )
    return "the model tracked one pose (pose.num_poses = 1)"


def _torso(c: _Candidate) -> float:
    """Shoulder-mid to hip-mid distance of a detection, in pixels (>= 10)."""
    return _centre_and_torso(c.landmarks)[1]


_CHAIN_SEEDS = 20
"""The most prominent tracklets whose chains are weighed for the runner (a bound on the
work in a crowded clip; a runner's pieces are among them)."""
