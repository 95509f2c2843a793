"""Strike timing, cadence and the running verdict on renders, motion capture and real clips.

Usage: ``.venv/bin/python benchmarks/strides_timing.py [--work DIR] [--cases NAME,NAME]``

Cases (the synthetic runner, rendered at 320 x 240 and run through the pose model; renders
and pose tracks are cached under ``--work``, a render under a key of its spec and of the
renderers' code, so a change of the figure's motion renders it again; the motion-capture
renders then need the shared data, ``--shared``):

- slow motion: a runner at 170 steps/min filmed at 240 fps and played at 30, without a
  tag and no option (must say slow motion, name ``--capture-fps``, give no cadence), with
  the option, and with an Android ``com.android.capture.fps`` tag; filmed at 60 fps and
  played at 30, without and with the option;
- the same 60 fps slow motion seen from the front, without and with the option;
- sprint at 290 steps/min (side at 30 and 60 fps, front at 60 fps);
- front and rear views at 172 steps/min;
- walking (110 steps/min, duty factor 0.65) from the side;
- front and rear renders of the figure driven by two motion-capture runs
  (:mod:`armcarriage_eval.mocap_render`), truth cadence from their own strikes.

For each: status, cadence error, each truth strike's timing error in frames
(:func:`armcarriage_eval.mocap_score.score_strikes`, one-frame tolerance), the share of
per-stride stride times within 5 % of their median and the mean per-stride cadence
against the clip cadence. Then the four running trials of the shared motion capture,
projected exactly into side, front and rear views (no pose model), and the real
treadmill clip (truth 168.9 steps/min). Written to ``benchmarks/results/strides.json``
and ``strides.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pandas as pd
from armcarriage_eval.mocap_score import score_strikes
from strides_markdown import markdown

from armcarriage.analysis import analyze
from armcarriage.config import Config
from armcarriage.track import PoseTrack

ROOT = Path(__file__).resolve().parents[1]
SHARED = [ROOT.parent / "shared" / "data"]
RESULTS = ROOT / "benchmarks" / "results"

CASES: dict[str, dict[str, Any]] = {
    "slow240_untagged": {"slow": True, "tag": False, "option": 0.0},
    "slow240_option": {"slow": True, "tag": False, "option": 240.0},
    "slow240_tagged": {"slow": True, "tag": True, "option": 0.0},
    "slow60_untagged": {"slow": True, "tag": False, "option": 0.0, "capture": 60, "seconds": 3.0},
    "slow60_option": {"slow": True, "tag": False, "option": 60.0, "capture": 60, "seconds": 3.0},
    "slow60_front_untagged": {
        "slow": True,
        "tag": False,
        "option": 0.0,
        "capture": 60,
        "seconds": 3.0,
        "view": "front",
    },
    "slow60_front_option": {
        "slow": True,
        "tag": False,
        "option": 60.0,
        "capture": 60,
        "seconds": 3.0,
        "view": "front",
    },
    "sprint_side_30": {"view": "side_left", "fps": 30, "seconds": 3.0, "cadence": 290.0},
    "sprint_side_60": {"view": "side_left", "fps": 60, "seconds": 3.0, "cadence": 290.0},
    "sprint_front_60": {"view": "front", "fps": 60, "seconds": 3.0, "cadence": 290.0},
    "run_front": {"view": "front", "fps": 30, "seconds": 4.0, "cadence": 172.0},
    "run_rear": {"view": "rear", "fps": 30, "seconds": 4.0, "cadence": 172.0},
    "walk_side": {"view": "side_left", "fps": 30, "seconds": 4.0, "cadence": 110.0, "walk": True},
    "mocap_front": {
        "mocap": "bandai2_run_normal_001.bvh",
        "view": "front",
        "fps": 30,
        "seconds": 4.0,
    },
    "mocap_rear": {
        "mocap": "bandai2_run_normal_001.bvh",
        "view": "rear",
        "fps": 30,
        "seconds": 4.0,
    },
    "mocap_active_front": {
        "mocap": "bandai1_run_active_001.bvh",
        "view": "front",
        "fps": 30,
        "seconds": 4.0,
    },
    "mocap_active_rear": {
        "mocap": "bandai1_run_active_001.bvh",
        "view": "rear",
        "fps": 30,
        "seconds": 4.0,
    },
}
SLOW = {"view": "side_left", "fps": 240, "seconds": 3.2, "cadence": 170.0, "playback": 30}


def _slow(case: dict[str, Any]) -> tuple[int, float]:
    """Capture rate and real-time length of a slow-motion case."""
    return int(case.get("capture", SLOW["fps"])), float(case.get("seconds", SLOW["seconds"]))


def _runner(case: dict[str, Any]) -> dict[str, Any]:
    runner: dict[str, Any] = {"cadence_spm": case["cadence"]}
    if case["cadence"] > 250:
        runner.update({"duty": 0.22, "speed_mps": 8.0})
    if case.get("walk"):
        runner.update({"duty": 0.65, "speed_mps": 1.4, "bounce_m": 0.02})
    return runner


def _write(frames: list[np.ndarray], path: Path, fps: float, tags: dict[str, str]) -> None:
    opts = {"movflags": "use_metadata_tags"} if tags else {}
    with av.open(str(path), "w", format="mp4", options=opts) as c:
        c.metadata.update(tags)
        st = c.add_stream("libx264", rate=Fraction(fps))
        st.pix_fmt = "yuv420p"
        st.width, st.height = frames[0].shape[1], frames[0].shape[0]
        st.options = {"crf": "20"}
        for img in frames:
            for p in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in st.encode():
            c.mux(p)


def _plan(name: str, case: dict[str, Any], work: Path) -> tuple[Path, Path, Any, dict[str, str]]:
    """Return the clip's path, its truth events' path, its render spec and container tags.

    A slow-motion clip's tags carry its playback rate (an empty string when untagged).
    """
    from armcarriage_eval.synthetic.clip import ClipSpec

    if case.get("slow"):
        fps, seconds = _slow(case)
        view = case.get("view", SLOW["view"])
        stem = f"slow{fps}" if view == SLOW["view"] else f"slow{fps}_{view}"
        spec = ClipSpec(
            view=view,
            fps=fps,
            seconds=seconds,
            width=320,
            height=240,
            runner={"cadence_spm": SLOW["cadence"]},
        )
        tags = {"com.android.capture.fps": f"{fps:.6f}" if case["tag"] else ""}
        tags["playback_fps"] = str(SLOW["playback"])
        video = work / f"{stem}_{'tagged' if case['tag'] else 'untagged'}.mp4"
        return video, work / f"{stem}.events.csv", spec, tags
    if case.get("mocap"):
        from armcarriage_eval import mocap_render

        spec = mocap_render.MocapClipSpec(
            trial=case["mocap"],
            view=case["view"],
            seconds=case["seconds"],
            fps=case["fps"],
            width=320,
            height=240,
        )
    else:
        spec = ClipSpec(
            view=case["view"],
            fps=case["fps"],
            seconds=case["seconds"],
            width=320,
            height=240,
            runner=_runner(case),
        )
    return work / f"{name}.mp4", work / f"{name}.events.csv", spec, {}


def render_key(spec: Any, tags: dict[str, str]) -> str:
    """Return a hash of all that shapes a render: its spec, the motion, tags and the code.

    The code is the synthetic figure's and the motion-capture renderer's (docstrings
    and comments left out), so a clip rendered before a change of the figure's motion
    is rendered again rather than scored against the new truth.
    """
    import armcarriage_eval.synthetic as synthetic
    from accuracy import code_of
    from armcarriage_eval import mocap, mocap_render

    files = [
        *sorted(Path(synthetic.__file__).parent.glob("*.py")),
        Path(mocap.__file__),
        Path(mocap_render.__file__),
    ]
    blob = json.dumps(
        {
            "spec": dataclasses.asdict(spec),
            "motion": repr(spec.params()) if hasattr(spec, "params") else "",
            "tags": tags,
        },
        sort_keys=True,
        default=str,
    )
    code = "".join(code_of(f) for f in files)
    return hashlib.sha1((blob + code).encode()).hexdigest()[:12]


def _make(video: Path, events: Path, spec: Any, tags: dict[str, str], case: dict[str, Any]) -> None:
    """Render a clip and write its truth beside it."""
    from armcarriage_eval.synthetic.clip import frame_times, iter_images, make_clip
    from armcarriage_eval.synthetic.gait import simulate

    if case.get("slow"):
        kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
        meta = {k: v for k, v in tags.items() if k != "playback_fps" and v}
        _write(list(iter_images(spec, kin)), video, float(tags["playback_fps"]), meta)
        ev = kin.events.copy()
        ev["frame"] = np.rint(ev["time"] * spec.fps).astype(int)
        ev.to_csv(events, index=False)
    elif case.get("mocap"):
        from armcarriage_eval import mocap_render

        mocap_render.make_clip(video, spec, SHARED[0] / "mocap")
    else:
        make_clip(video, spec)


def render(name: str, case: dict[str, Any], work: Path) -> tuple[Path, Path]:
    """Return the clip and its truth events file, rendering them if missing or stale.

    A render is kept while its key (:func:`render_key`, in ``<clip>.render-key``)
    matches; else it is rendered again, and its cached pose track is dropped when the
    video changed: a track of an older render (the walker once bounced as a runner
    does) would be scored against a truth it does not show.
    """
    video, events, spec, tags = _plan(name, case, work)
    key = render_key(spec, tags)
    stamp = video.with_suffix(".render-key")
    if video.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return video, events
    stamp.unlink(missing_ok=True)
    before = _digest(video)
    _make(video, events, spec, tags, case)
    if before is None or _digest(video) != before:
        (work / f"{video.stem}.pose.parquet").unlink(missing_ok=True)
    stamp.write_text(key + "\n")
    return video, events


def _digest(path: Path) -> str | None:
    """Return the SHA-1 of a file's bytes, None when it does not exist."""
    return hashlib.sha1(path.read_bytes()).hexdigest() if path.exists() else None


def pose_track(video: Path, work: Path) -> PoseTrack:
    """Return the pose track of a clip (cached), with the container's capture-rate tag."""
    from armcarriage.pose import estimate_pose
    from armcarriage.video import probe_video

    cached = work / f"{video.stem}.pose.parquet"
    if cached.exists():
        return PoseTrack.load(cached)
    cfg = Config().override({"pose.workers": 1})
    info = probe_video(video, cfg)
    track = estimate_pose(video, cfg, info=info)
    track.ds.attrs["capture_fps_tag"] = float(info.capture_fps)
    track.save(cached)
    return track


def consistency(a: Any) -> dict[str, Any]:
    """Per-stride stride times against their median, per-stride cadence against the clip's."""
    rows = a.strides.drop_duplicates("stride") if len(a.strides) else a.strides
    if not len(rows):
        return {"n_strides": 0}
    st = (
        rows["stride_time_s"].to_numpy(float)
        if "stride_time_s" in rows
        else (rows["t_end"] - rows["t_start"]).to_numpy(float)
    )
    med = float(np.median(st))
    per = 120.0 / st
    return {
        "n_strides": int(len(st)),
        "within_5pct_of_median": round(float(np.mean(np.abs(st / med - 1) <= 0.05)), 3),
        "per_stride_cadence_mean": round(float(np.mean(per)), 2),
        "per_stride_vs_clip_pct": round(100 * (float(np.mean(per)) / a.cadence_spm - 1), 2)
        if np.isfinite(a.cadence_spm)
        else None,
    }


def strike_errors(
    a: Any, events: pd.DataFrame, n_frames: int, fps: float, scale: float = 1.0
) -> dict[str, Any]:
    """Strike timing against the truth events (times in the analysis's time axis)."""
    ev = a.events.copy()
    if len(ev):
        ev["time"] = ev["time"] * scale
    s = score_strikes(ev, events, n_frames, fps)
    err = s.errors["error_s"].to_numpy(float) * fps if len(s.errors) else np.array([])
    err = err[np.isfinite(err)]
    return {
        "n_truth": s.n_truth,
        "recall_1frame": round(s.recall, 3) if np.isfinite(s.recall) else None,
        "precision_1frame": round(s.precision, 3) if np.isfinite(s.precision) else None,
        "error_frames_median": round(float(np.median(err)), 2) if err.size else None,
        "error_frames_p95_abs": round(float(np.percentile(np.abs(err), 95)), 2)
        if err.size
        else None,
        "error_frames": [round(float(x), 2) for x in err],
    }


def run_case(name: str, case: dict[str, Any], work: Path) -> dict[str, Any]:
    video, events_path = render(name, case, work)
    track = pose_track(video, work)
    cfg = Config()
    if case.get("option"):
        cfg = cfg.override({"video.capture_fps": case["option"]})
    a = analyze(track, cfg)
    fps = _slow(case)[0] if case.get("slow") else case["fps"]
    events = pd.read_csv(events_path)
    if case.get("mocap"):  # the truth's own cadence: 60 (n - 1) / (last - first strike)
        st = np.sort(events.loc[events["kind"] == "strike", "time"].to_numpy(float))
        truth_cad = 60.0 * (st.size - 1) / float(st[-1] - st[0])
    else:
        truth_cad = SLOW["cadence"] if case.get("slow") else case["cadence"]
    out: dict[str, Any] = {
        "view": case.get("view", SLOW["view"]),
        "fps": fps,
        "status": a.status,
        "message": a.message,
        "cadence_spm": round(a.cadence_spm, 2) if np.isfinite(a.cadence_spm) else None,
        "cadence_truth_spm": round(truth_cad, 2),
        "cadence_error_pct": round(100 * (a.cadence_spm / truth_cad - 1), 2)
        if np.isfinite(a.cadence_spm)
        else None,
        "time": a.settings.get("time"),
        "checks": {
            k: a.settings.get("strides", {}).get(k)
            for k in (
                "period_s",
                "duty_factor",
                "hip_bounce_tl",
                "leg_swing_period_s",
                "frame_rate_note",
                "wrist_to_stride_period",
                "hip_midstance_cos",
                "hip_phase_steps",
                "gait_by_motion",
            )
        },
        "consistency": consistency(a),
    }
    if a.status == "ok":
        seconds = _slow(case)[1] if case.get("slow") else case["seconds"]
        out["strikes"] = strike_errors(a, events, int(round(seconds * fps)), fps)
    return out


def mocap_cases() -> dict[str, Any]:
    """Strike timing on exact projections of the shared running motion capture."""
    from armcarriage_eval import mocap

    folder = SHARED[0] / "mocap"
    if not folder.exists():
        return {"skipped": f"{folder} not found"}
    out: dict[str, Any] = {}
    for path in sorted(folder.glob("*.bvh")):
        trial = mocap.load_trial(path)
        truth = mocap.truth(trial)
        for view in ("side_left", "front", "rear"):
            a = analyze(mocap.project_trial(trial, view))
            s = score_strikes(a.events, truth.events, trial.n_frames, trial.fps)
            err = s.errors["error_s"].to_numpy(float) * trial.fps if len(s.errors) else []
            err = np.asarray(err, float)
            err = err[np.isfinite(err)]
            out[f"{path.stem}/{view}"] = {
                "status": a.status,
                "hip_midstance_cos": a.settings["strides"].get("hip_midstance_cos"),
                "cadence_error_pct": round(100 * (a.cadence_spm / truth.cadence_spm - 1), 2)
                if np.isfinite(a.cadence_spm)
                else None,
                "recall_1frame": round(s.recall, 3) if np.isfinite(s.recall) else None,
                "error_frames": [round(float(x), 2) for x in err],
            }
    return out


REAL_CLIPS = {
    "treadmill_side_portrait.mp4": "running",
    "field_side_short.mp4": "running (1.6 s)",
    "road_side_overlay.mp4": "running (skeleton burned in)",
    "road_rear_overlay.mp4": "running (skeleton burned in)",
    "walk_indoor_side.mp4": "walking",
    "walk_outdoor_twopeople.mp4": "walking, two people",
    "walk_rear.mp4": "walking",
    "lab_balance_twopeople_portrait.mp4": "balancing",
}


def real_clips(work: Path) -> dict[str, Any]:
    """The verdict on every real clip of the shared data (pose tracks cached)."""
    out: dict[str, Any] = {}
    for name, shows in REAL_CLIPS.items():
        clip = SHARED[0] / "videos" / name
        if not clip.exists():
            continue
        a = analyze(pose_track(clip, work))
        s = a.settings.get("strides", {})
        out[name] = {
            "shows": shows,
            "status": a.status,
            "cadence_spm": round(a.cadence_spm, 1) if np.isfinite(a.cadence_spm) else None,
            "duty_factor": s.get("duty_factor"),
            "hip_midstance_cos": s.get("hip_midstance_cos"),
            "hip_phase_steps": s.get("hip_phase_steps"),
            "message": a.message,
        }
    return out


def treadmill(work: Path) -> dict[str, Any]:
    """The real treadmill clip: cadence against 168.9 and per-stride consistency."""
    clip = SHARED[0] / "videos" / "treadmill_side_portrait.mp4"
    if not clip.exists():
        return {"skipped": f"{clip} not found"}
    a = analyze(pose_track(clip, work))
    return {
        "status": a.status,
        "cadence_spm": round(a.cadence_spm, 2),
        "cadence_error_pct": round(100 * (a.cadence_spm / 168.9 - 1), 2),
        "consistency": consistency(a),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "cache" / "strides")
    ap.add_argument("--cases", default="")
    ap.add_argument("--no-real", action="store_true", help="skip the real treadmill clip")
    ap.add_argument("--shared", type=Path, default=SHARED[0], help="the shared data folder")
    args = ap.parse_args(argv)
    SHARED[0] = args.shared
    args.work.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.cases.split(",") if n] or list(CASES)
    res: dict[str, Any] = {"renders": {}}
    for name in names:
        res["renders"][name] = run_case(name, CASES[name], args.work)
        r = res["renders"][name]
        print(
            name,
            r["status"],
            r["cadence_error_pct"],
            r.get("strikes", {}).get("recall_1frame"),
            r["consistency"],
            flush=True,
        )
    res["mocap"] = mocap_cases()
    if not args.no_real:
        res["treadmill"] = treadmill(args.work)
        res["real"] = real_clips(args.work)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "strides.json").write_text(json.dumps(res, indent=2) + "\n")
    (RESULTS / "strides.md").write_text(markdown(res))
    print(markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
