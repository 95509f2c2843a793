"""Pose estimation of one clip across worker processes.

The clip is cut into time chunks that overlap by ``pose.chunk_overlap_seconds``.
With ``pose.workers`` = N, N - 1 pool processes (``spawn``) and the calling
process each take the next chunk in time order. Each loads the pose model once
and streams its chunk's frames from the decoder to the model (the clip is never
held in memory; the parent keeps only the detections). Every chunk
starts cold, so the tracker re-acquires the people in view during the first
part of the overlap; the parent then stitches consecutive chunks at the overlap
frame where the two runs agree best (same people, same left/right labels, the
smallest landmark distance), so every frame comes from exactly one chunk. The
runner is chosen afterwards over the whole stitched clip with the
single-process :class:`~armcarriage.pose.RunnerSelector`, so the same person is
followed across chunks.

Frame decimation (``pose.target_fps``) keeps the first frame of each
``1 / target_fps`` time cell, with the cell grid anchored at t = 0 so chunks
agree on which frames are kept; kept frames keep their true timestamps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from armcarriage.parallel.chunks import N_CHANNELS as N_CHANNELS
    from armcarriage.parallel.chunks import ChunkResult, Stopped, run_chunk
    from armcarriage.parallel.chunks import _compact as _compact
    from armcarriage.parallel.chunks import _init_worker as _init_worker
    from armcarriage.parallel.plan import Chunk, decimate, plan_chunks, resolve_workers
    from armcarriage.parallel.run import _context as _context
    from armcarriage.parallel.run import estimate_pose_parallel
    from armcarriage.parallel.stitch import Seam, Stitcher, choose_cut, frame_disagreement
    from armcarriage.parallel.stitch import _assemble as _assemble

_HOME = {
    "N_CHANNELS": "chunks",
    "ChunkResult": "chunks",
    "Stopped": "chunks",
    "run_chunk": "chunks",
    "_compact": "chunks",
    "_init_worker": "chunks",
    "Chunk": "plan",
    "decimate": "plan",
    "plan_chunks": "plan",
    "resolve_workers": "plan",
    "estimate_pose_parallel": "run",
    "Seam": "stitch",
    "Stitcher": "stitch",
    "choose_cut": "stitch",
    "frame_disagreement": "stitch",
    "_assemble": "stitch",
    "_context": "run",
}
"""Where each name lives. Loaded on first use: the command starts the pose workers
(:mod:`armcarriage.parallel.early`) before it imports the decoder and the model."""


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "Chunk",
    "ChunkResult",
    "Seam",
    "Stitcher",
    "Stopped",
    "choose_cut",
    "decimate",
    "estimate_pose_parallel",
    "frame_disagreement",
    "plan_chunks",
    "resolve_workers",
    "run_chunk",
]
