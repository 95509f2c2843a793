"""What analysing a 60 fps clip at 30 fps costs in accuracy: arm metrics and foot timing.

``pose.target_fps`` analyses at most that many frames per second. A 60 fps clip analysed at
30 fps halves the pose work; this script measures what it costs, through the real pose model,
on 60 fps renders with exact truth:

- the synthetic runner (:mod:`armcarriage_eval.synthetic`) seen from either side;
- the renderer's figure driven by motion capture of running (:mod:`armcarriage_eval.mocap_render`,
  BVH from ``../shared/data/mocap``; the clips are skipped when the folder is absent), from the
  side and the front. The capture is 30 fps: its kinematics are resampled to 60 fps (cubic
  splines of the points, slerp of the body frames) before rendering, and the truth is the same
  splines at 600 fps.

Every clip is analysed with ``pose.target_fps`` 60 and 30, in each pose mode asked for
(``--modes``: ``one_person`` = ``pose.track_one_person=true``, ``default``), and the exact
projected landmarks (no pose model) at both rates show the part of the change that is frame
sampling alone. Scored per stride and arm against the 3D truth reduced over the analysed
stride's own window, taken at 600 fps for both rates (so the 30 fps analysis is charged for
what its frames miss): MAE, bias, 95th percentile of the absolute error, and the standard error
of the MAE; foot strikes and toe-offs against the true events (error in ms, the share within
one 60 fps frame and within one 30 fps frame); clip cadence against the true one.

Usage::

    python benchmarks/analysis_rate.py [--modes one_person,default] [--clips NAME,...] [--mocap DIR]

Pose tracks and renders are cached under ``benchmarks/cache/analysis_rate`` (git-ignored).
Writes ``benchmarks/results/analysis_rate.{json,md}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import compare as synth_compare
from accuracy import pose_track
from accuracy import spec_key as synth_key
from accuracy_mocap import MOCAP
from accuracy_mocap import compare as mocap_compare
from accuracy_mocap import spec_key as mocap_key
from analysis_rate_report import (
    cadence_stats,
    event_stats,
    markdown,
    metric_stats,
    paired_stats,
)

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.track import PoseTrack

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache" / "analysis_rate"
RESULTS = ROOT / "benchmarks" / "results" / "analysis_rate.json"
RATES = (60.0, 30.0)
MODES = {"one_person": {"pose.track_one_person": True}, "default": {}}
TRUTH_FPS = 600.0
SECONDS = 8.0
MATCH_S = 0.1
"""An analysed foot event further than this from every true one of its foot is unmatched."""


def clips() -> dict[str, tuple[str, str, Any]]:
    """The clips: name -> (kind, group, spec), all 60 fps and :data:`SECONDS` long.

    The fast run (220 steps/min, feet down 27 % of the stride, 147 ms) and the sprint (290
    steps/min, 22 %, 91 ms) are groups of their own: a lower rate should cost most there.
    """
    from armcarriage_eval.mocap_render import MocapClipSpec as M
    from armcarriage_eval.synthetic.clip import ClipSpec as S

    n1, n2 = "bandai2_run_normal_001.bvh", "bandai2_run_normal_002.bvh"
    ac, ti = "bandai1_run_active_001.bvh", "bandai1_run_tired_001.bvh"
    kw: dict[str, Any] = {"fps": 60.0, "seconds": SECONDS}
    fast = {"cadence_spm": 220.0, "duty": 0.27, "speed_mps": 5.5}
    sprint = {"cadence_spm": 290.0, "duty": 0.22, "speed_mps": 8.0}
    syn, mo = "synthetic", "mocap"
    return {
        "synth_side_left_clean": (syn, "synthetic side", S(view="side_left", seed=0, **kw)),
        "synth_side_right_asym": (
            syn,
            "synthetic side",
            S(view="side_right", fault="asymmetry", seed=2, **kw),
        ),
        "synth_side_left_fast": (
            syn,
            "synthetic side 220 spm",
            S(view="side_left", seed=6, runner=fast, **kw),
        ),
        "synth_side_left_sprint": (
            syn,
            "synthetic side 290 spm",
            S(view="side_left", seed=4, runner=sprint, **kw),
        ),
        "mocap_normal1_side_left": (mo, "mocap side", M(n1, "side_left", seed=1, **kw)),
        "mocap_active_side_right": (mo, "mocap side", M(ac, "side_right", seed=3, **kw)),
        "mocap_normal2_front": (mo, "mocap front", M(n2, "front", seed=5, **kw)),
        "mocap_tired_front": (mo, "mocap front", M(ti, "front", seed=18, **kw)),
    }


# ------------------------------------------------------------------ clips and truth
def resampled(kin: Any, times: np.ndarray) -> Any:
    """The kinematics at ``times``: cubic splines of the points, slerp of the frames."""
    from scipy.interpolate import CubicSpline
    from scipy.spatial.transform import Rotation, Slerp

    t = np.asarray(kin.time, float)
    joints = {k: CubicSpline(t, v, axis=0)(times) for k, v in kin.joints.items()}
    frames = {
        k: Slerp(t, Rotation.from_matrix(v))(times).as_matrix() for k, v in kin.frames.items()
    }
    landmarks = CubicSpline(t, kin.landmarks, axis=0)(times)
    return dataclasses.replace(kin, time=times, joints=joints, frames=frames, landmarks=landmarks)


def mocap_clip(name: str, spec: Any, mocap_dir: Path) -> dict[str, Any]:
    """Render a 60 fps mocap clip (cached); return its video, exact track, truth and events."""
    from armcarriage_eval import mocap_render as mr
    from armcarriage_eval.synthetic.encode import write_mp4

    cap = dataclasses.replace(spec, fps=30.0, seconds=spec.seconds + 0.2)
    rig, kin30, _ = mr.build(cap, mocap_dir)
    cam = mr.clip_camera(dataclasses.replace(cap, seconds=spec.seconds), kin30)
    kin = resampled(kin30, np.arange(spec.n_frames) / spec.fps)
    video = CACHE / f"{mocap_key(name, spec)}.mp4"
    if not video.exists():
        write_mp4(mr.iter_frames(spec, kin, cam), video, spec.fps, crf=spec.crf)
    dense = resampled(kin30, np.arange(0.0, spec.seconds, 1.0 / TRUTH_FPS))
    strikes = rig.events[rig.events.kind == "strike"]["time_subframe"].to_numpy()
    strikes = np.sort(strikes[strikes < spec.seconds])
    return {
        "video": video,
        "exact": mr.clip_truth_track(spec, kin, cam, source=name),
        "truth": mr.truth_series(dense),
        "events": rig.events.assign(time=rig.events["time_subframe"]),
        "cadence_spm": float(60.0 * (strikes.size - 1) / np.ptp(strikes)),
        "score": lambda an, ser, ev=rig.events: mocap_compare(an, ser, ev),
    }


def synthetic_clip(name: str, spec: Any, mocap_dir: Path) -> dict[str, Any]:
    """Render a 60 fps synthetic clip (cached); return its video, exact track, truth, events."""
    from armcarriage_eval.synthetic.clip import frame_times, make_clip, truth_paths
    from armcarriage_eval.synthetic.gait import simulate
    from armcarriage_eval.synthetic.metrics_truth import dense_kinematics, series
    from armcarriage_eval.synthetic.truth import truth_track

    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    video = CACHE / f"{synth_key(name, spec)}.mp4"
    if not (video.exists() and truth_paths(video)["truth"].exists()):
        make_clip(video, spec)
    return {
        "video": video,
        "exact": truth_track(kin, spec.camera(), spec.fps, view=spec.view),
        "truth": series(dense_kinematics(kin, TRUTH_FPS)),
        "events": kin.events,
        "cadence_spm": float(spec.params().cadence_spm),
        "score": lambda an, ser, s=spec: synth_compare(an, ser, s),
    }


def decimated(track: PoseTrack, fps: float) -> PoseTrack:
    """The frames the video reader keeps at ``target_fps = fps``."""
    from armcarriage.parallel import decimate
    from armcarriage.video import Frame

    frames = [Frame(i, t, np.empty(0)) for i, t in enumerate(track.time)]
    keep = [f.index for f in decimate(frames, fps, track.fps)]
    return track.with_ds(track.ds.isel(time=keep))


# ------------------------------------------------------------------ scoring
def event_errors(analysis: Any, truth: pd.DataFrame) -> pd.DataFrame:
    """Analysed strikes and toe-offs matched to the true ones of the same foot (ms)."""
    rows = []
    if analysis.status != "ok" or analysis.events.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    for r in analysis.events.itertuples(index=False):
        mine = truth[(truth.foot == r.foot) & (truth.kind == r.kind)]["time"].to_numpy(float)
        if mine.size == 0:
            continue
        true = float(mine[int(np.argmin(np.abs(mine - float(r.time))))])
        d = float(r.time) - true
        err = 1000.0 * d if abs(d) <= MATCH_S else np.nan
        rows.append((r.kind, r.foot, float(r.time), round(true, 6), err))
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


EVENT_COLUMNS = ["kind", "foot", "time", "true_time", "error_ms"]


def with_start(errors: pd.DataFrame, analysis: Any) -> pd.DataFrame:
    """The per-stride errors with their stride's start time (to pair strides across rates)."""
    if errors.empty:
        return errors.assign(t_start=pd.Series(dtype=float))
    start = analysis.strides.drop_duplicates("stride").set_index("stride")["t_start"]
    return errors.assign(t_start=errors["stride"].map(start).astype(float))


def score(clip: dict[str, Any], track: PoseTrack, config: Config) -> dict[str, Any]:
    """Analyse one track; return its per-stride errors, event errors and cadence."""
    from armcarriage.analysis import analyze

    analysis = analyze(track, config)
    ok = analysis.status == "ok"
    return {
        "status": analysis.status,
        "view": analysis.view.get("label"),
        "frames": int(track.n_frames),
        "strides": int(analysis.strides["stride"].nunique()) if ok else 0,
        "cadence_spm": float(analysis.cadence_spm) if ok else None,
        "cadence_error_pct": (
            100.0 * (analysis.cadence_spm / clip["cadence_spm"] - 1.0) if ok else None
        ),
        "errors": with_start(clip["score"](analysis, clip["truth"]), analysis),
        "events": event_errors(analysis, clip["events"]),
    }


def run_clip(
    name: str, kind: str, group: str, spec: Any, modes: list[str], mocap_dir: Path
) -> list[dict[str, Any]]:
    """Every (source, mode, rate) run of one clip."""
    clip = (mocap_clip if kind == "mocap" else synthetic_clip)(name, spec, mocap_dir)
    base = {"clip": name, "group": group, "truth_cadence_spm": clip["cadence_spm"]}
    runs = []
    for fps in RATES:
        config = Config().override({"pose.target_fps": fps})
        exact = decimated(clip["exact"], fps)
        runs.append(
            {**base, "source": "exact", "mode": "-", "fps": fps, **score(clip, exact, config)}
        )
        for mode in modes:
            cfg = config.override(MODES[mode])
            t0 = time.perf_counter()
            track, _ = pose_track(clip["video"], cfg)
            print(
                f"  {name} {mode} {fps:g} fps: {track.n_frames} frames, "
                f"{time.perf_counter() - t0:.0f} s",
                flush=True,
            )
            runs.append(
                {**base, "source": "pipeline", "mode": mode, "fps": fps, **score(clip, track, cfg)}
            )
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="one_person,default", help="pose modes, in order")
    ap.add_argument("--clips", default="", help="comma-separated clip names (default: all)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--mocap", type=Path, default=MOCAP, help="folder of the BVH files")
    args = ap.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(modes) - set(MODES):
        print(f"unknown mode(s) {set(modes) - set(MODES)}; expected some of {list(MODES)}")
        return 2
    chosen = clips()
    if args.clips:
        chosen = {n: chosen[n] for n in args.clips.split(",")}
    if not args.mocap.is_dir():
        print(f"no motion capture at {args.mocap}: the mocap clips are skipped")
        chosen = {n: c for n, c in chosen.items() if c[0] != "mocap"}
    CACHE.mkdir(parents=True, exist_ok=True)
    runs = []
    for name, (kind, group, spec) in chosen.items():
        print(name, flush=True)
        runs += run_clip(name, kind, group, spec, modes, args.mocap)
    result = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "clips": list(chosen),
        "modes": modes,
        "truth_fps": TRUTH_FPS,
        "seconds": SECONDS,
        "metrics": metric_stats(runs),
        "events": event_stats(runs),
        "paired_metrics": paired_stats(runs, "errors"),
        "paired_events": paired_stats(runs, "events"),
        "cadence": cadence_stats(runs),
        "runs": [{k: v for k, v in r.items() if k not in ("errors", "events")} for r in runs],
    }
    write_text(args.out, json.dumps(result, indent=1, default=str) + "\n")
    md = markdown(result)
    write_text(args.out.with_suffix(".md"), md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
