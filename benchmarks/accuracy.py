"""Accuracy of the full pipeline against the synthetic runner's exact ground truth.

Usage: ``.venv/bin/python benchmarks/accuracy.py [--quick] [--cases NAME,NAME] [--no-pose]``

For every clip of the suite (varying view, fault, resolution and fps) it

1. renders the clip (cached under ``benchmarks/cache/accuracy/``, git-ignored),
2. runs the pose model (:func:`armcarriage.estimate_pose`; the track is cached too),
3. analyses the pose track (``pipeline``) and the exact truth 2D track (``exact``:
   no pose model, so its error is the geometry of 2D measurement; the
   pipeline's extra error is the pose model's); the exact track once more with
   ``metrics.elbow_source = "world"`` (``exact_3d``: the elbow angle from the
   track's exact 3D landmarks, as for motion capture),
4. reduces the 3D truth at the instants the analysis saw (its frames) over
   each analysed stride's own window and compares, metric by metric, where
   the analysis measured a value. A video sees only its frames, so that is the
   fair truth; what frame sampling itself costs (the truth at the frames
   against the truth sampled at :data:`~armcarriage_eval.synthetic.metrics_truth.DENSE_FPS`
   over the same windows) is reported separately, as ``sampling``.
5. in front and rear views, also scores a candidate trunk-rotation method that
   needs no depth (:func:`rotation_from_foreshortening`), which the analysis
   does not use.

Printed and written to ``benchmarks/results/accuracy.json``: per metric and
view, the median and 95th-percentile absolute error, the bias (median signed
error) and the number of stride x arm values, for both sources; per clip the
detection rate, status, view found, cadence error, landmark pixel errors and
whether the injected fault was flagged (its cue fired, or for fatigue and
asymmetry the summary's drift or asymmetry flag was set), and which cues
fired on clean clips (false alarms).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from armcarriage_eval.synthetic.clip import ClipSpec, frame_times, make_clip, truth_paths
from armcarriage_eval.synthetic.gait import simulate
from armcarriage_eval.synthetic.metrics_truth import dense_kinematics, series, truth_over_windows
from armcarriage_eval.synthetic.truth import landmark_errors, truth_track

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.metrics import METRICS
from armcarriage.track import PoseTrack

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache" / "accuracy"
RESULTS = ROOT / "benchmarks" / "results" / "accuracy.json"

DEGRADED: dict[str, Any] = {"motion_blur": 4, "blur_px": 1.0, "noise": 6.0}
"""Image degradations of the phone-like suite clips (see :class:`ClipSpec`)."""

SUITE: dict[str, ClipSpec] = {
    "side_left_clean": ClipSpec(view="side_left", fault="none", seed=0),
    "side_left_tight": ClipSpec(view="side_left", fault="tight_elbows", seed=1),
    "side_right_asym_60fps": ClipSpec(view="side_right", fault="asymmetry", fps=60.0, seed=2),
    "side_left_small_swing_320": ClipSpec(
        view="side_left", fault="small_swing", width=320, height=240, seed=3
    ),
    "side_right_straight_portrait": ClipSpec(
        view="side_right", fault="straight_arms", width=480, height=640, fill=0.55, seed=4
    ),
    "side_left_fatigue_6s": ClipSpec(view="side_left", fault="fatigue", seconds=6.0, seed=5),
    "side_left_clean_120fps": ClipSpec(
        view="side_left", fault="none", fps=120.0, seconds=3.0, seed=6
    ),
    # crossing a fixed camera's view: 3 strides need ~7 m of track, so a wide frame and
    # a jog keep the runner large enough for the pose detector (~200 px tall)
    "side_left_track_jog": ClipSpec(
        view="side_left",
        fault="none",
        mode="track",
        seconds=2.6,
        width=960,
        height=540,
        distance=6.0,
        seed=7,
        runner={"speed_mps": 2.2},
    ),
    # the clean runner again at half the frame size and at twice the frame rate
    "side_left_clean_320": ClipSpec(view="side_left", fault="none", width=320, height=240, seed=0),
    "side_left_clean_60fps": ClipSpec(view="side_left", fault="none", fps=60.0, seed=0),
    "rear_crossing": ClipSpec(view="rear", fault="crossing", seed=8),
    # the same fault from the front, where the hand crossing the body is in view
    "front_crossing": ClipSpec(view="front", fault="crossing", seed=18),
    "rear_clean": ClipSpec(view="rear", fault="none", seed=9),
    "front_shrug": ClipSpec(view="front", fault="shrug", seed=10),
    "front_rotation": ClipSpec(view="front", fault="rotation", seed=11),
    "oblique_clean": ClipSpec(view="oblique", fault="none", seed=12),
    "rear_rotation": ClipSpec(view="rear", fault="rotation", seed=13),
    # a left/right swing asymmetry is seen from the front, where both arms are in view
    "front_asym": ClipSpec(view="front", fault="asymmetry", seed=14),
    "front_clean": ClipSpec(view="front", fault="none", seed=17),
    # from behind a shrug reads as much as rear_rotation's trunk rotation, even on the exact
    # track: shrug is therefore not measured from behind
    "rear_shrug": ClipSpec(view="rear", fault="shrug", seed=19),
    # phone-like footage: motion blur (shutter open the whole frame), soft focus, sensor noise
    "side_left_clean_degraded": ClipSpec(view="side_left", fault="none", seed=22, **DEGRADED),
    "side_left_tight_degraded": ClipSpec(
        view="side_left", fault="tight_elbows", seed=23, **DEGRADED
    ),
    "front_crossing_degraded": ClipSpec(view="front", fault="crossing", seed=24, **DEGRADED),
}
"""The benchmark clips (4 s at 640x480 and 30 fps unless stated)."""

HALVING: dict[str, tuple[str, str]] = {
    "frame rate 60 -> 30 fps": ("side_left_clean_60fps", "side_left_clean"),
    "frame size 640x480 -> 320x240": ("side_left_clean", "side_left_clean_320"),
}
"""Pairs of suite clips of one runner (full, halved) whose per-stride medians are compared."""

HEADER = """# Accuracy on the synthetic runner

Written by `benchmarks/accuracy.py` (see its docstring). Errors are measured value minus truth,
per stride and arm, where the analysis reported a value: median and 95th percentile of the
absolute error, and the bias (median signed error). *pipeline* = video -> pose model -> analysis;
*exact 2D* = the analysis run on the exact projected truth track (no pose model), so its error
is 2D geometry, frame sampling and the analysis itself. The view column is the true camera view.
*Fault flagged*: the fault's cue fired (for fatigue and asymmetry the summary's drift or asymmetry
flag also counts; *not measured*: the view does not measure the metrics of its cues, and says
why); on clean clips the cues that fired are listed (false alarms). A side view
measures only the near arm, so a left/right asymmetry cannot be flagged from one side clip; the
front view sees both arms (`wrist_lift_tl`, `front_asym`).
Truth is the 3D value on the landmarks (see `sample_videos/README.md`).
"""

QUICK = ("side_left_clean", "rear_crossing", "front_shrug")

FAULT_CUES: dict[str, tuple[str, ...]] = {
    "tight_elbows": ("tight_elbow",),
    "straight_arms": ("open_elbow",),
    "shrug": ("shrug_rise", "shrug_level", "shrug_held"),
    "crossing": ("midline_crossing",),
    "rotation": ("over_rotation",),
    "small_swing": ("low_arm_swing",),
    "asymmetry": ("swing_asymmetry", "wrist_asymmetry", "lift_asymmetry"),
    "fatigue": ("shrug_level",),
}
"""Cue rules that should fire for each injected fault (any one of them)."""

FAULT_SUMMARY_FLAGS: dict[str, tuple[tuple[str, str], ...]] = {
    "fatigue": (("elbow_angle_mean", "drift_flag"), ("shrug_level_tl", "drift_flag")),
    "asymmetry": (
        ("swing_arc_deg", "asymmetry_flag"),
        ("elbow_angle_mean", "asymmetry_flag"),
        ("wrist_lift_tl", "asymmetry_flag"),
    ),
}
"""Summary flags that also count as flagging a fault: (metric, flag)."""


def spec_key(name: str, spec: ClipSpec) -> str:
    """Cache key: the case name and a hash of everything that shapes the clip."""
    from armcarriage_eval.synthetic import params as _params

    blob = json.dumps(
        {
            "spec": dataclasses.asdict(spec),
            "runner": repr(spec.params()),
            "faults": repr(_params.FAULTS),
        },
        sort_keys=True,
        default=str,
    )
    return f"{name}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def rendered(name: str, spec: ClipSpec) -> tuple[Path, float]:
    """Render the clip unless cached; return its path and render seconds (0 if cached)."""
    video = CACHE / f"{spec_key(name, spec)}.mp4"
    if video.exists() and truth_paths(video)["truth"].exists():
        return video, 0.0
    result = make_clip(video, spec)
    return video, result.render_s


def code_of(path: Path) -> str:
    """The code of a module without its docstrings and comments, for cache keys.

    A change of wording must not re-run the pose model over the whole suite.
    """
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def pose_track(video: Path, config: Config | None = None) -> tuple[PoseTrack, float]:
    """Run the pose model unless its track is cached; return the track and seconds spent.

    The cache is keyed by the pose settings and the pose stage's code (with the
    silhouette reader's; docstrings and comments left out), so a change of either
    re-runs the model.
    """
    import armcarriage.pose as pose_module
    import armcarriage.silhouette as silhouette_module
    from armcarriage.pose import estimate_pose

    config = (config or Config()).override({"pose.workers": 1})
    settings = json.dumps(dataclasses.asdict(config.pose), sort_keys=True)
    source = "".join(  # every module of the pose package, and the silhouette reader
        code_of(f)
        for f in [
            *sorted(Path(pose_module.__file__).parent.glob("*.py")),
            Path(silhouette_module.__file__),
        ]
    )
    key = hashlib.sha1((settings + source).encode()).hexdigest()[:8]
    cached = video.with_suffix(f".pose-{key}.parquet")
    if cached.exists():
        return PoseTrack.load(cached), 0.0
    t0 = time.perf_counter()
    track = estimate_pose(video, config)
    spent = time.perf_counter() - t0
    track.save(cached)
    return track, spent


def raw_detection_rate(video: Path) -> float:
    """Fraction of frames in which MediaPipe alone (one pose, VIDEO mode) finds a person.

    Run when the pipeline's track misses frames, to tell the model's misses
    from the person selection's.
    """
    import av
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from armcarriage.pose import default_model_path

    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(default_model_path())),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=1,
    )
    found = total = 0
    with vision.PoseLandmarker.create_from_options(opts) as lm, av.open(str(video)) as c:
        stream = c.streams.video[0]
        for i, frame in enumerate(c.decode(stream)):
            img = mp.Image(
                image_format=mp.ImageFormat.SRGB,
                data=np.ascontiguousarray(frame.to_ndarray(format="rgb24")),
            )
            ms = int(round(float(frame.time) * 1000)) if frame.time is not None else i * 33
            found += bool(lm.detect_for_video(img, ms).pose_landmarks)
            total += 1
    return found / total if total else 0.0


COLUMNS = ["metric", "side", "stride", "value", "truth", "error", "sampling"]


def compare(
    analysis: Any, ser: pd.DataFrame, spec: ClipSpec, dense: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per stride x arm x metric: measured value, truth over the same window, error.

    Arm metrics are compared with the truth of ``ser`` (the 3D truth series at
    the analysed frames' instants) reduced over the analysed stride's own
    window; timing metrics with the runner's true stride time, cadence,
    contact and flight times. ``sampling`` is the truth at the frames minus
    the truth of ``dense`` (densely sampled) over the same window: the part of
    a peak or mean that frame sampling alone misses (NaN without ``dense``).
    """
    strides = analysis.strides
    if analysis.status != "ok" or strides.empty:
        return pd.DataFrame(columns=COLUMNS)
    windows = strides.drop_duplicates("stride")[["stride", "t_start", "t_end"]]
    truth = truth_over_windows(ser, windows).set_index(["stride", "side"])
    fine = (
        truth_over_windows(dense, windows).set_index(["stride", "side"])
        if dense is not None
        else None
    )
    p = spec.params()
    timing = {
        "stride_time_s": p.stride_time_s,
        "cadence_spm": p.cadence_spm,
        "contact_time_s": p.duty * p.stride_time_s,
        "flight_time_s": (0.5 - p.duty) * p.stride_time_s,
    }
    rows = []
    for r in strides.itertuples(index=False):
        key = (int(r.stride), str(r.side))
        if key not in truth.index:
            continue
        for m in METRICS:
            value = getattr(r, m)
            if value is None or not np.isfinite(value):
                continue
            t = timing[m] if m in timing else float(truth.loc[key, m])
            if not np.isfinite(t):  # no truth for it (the silhouette's shrug_neck_tl)
                continue
            samp = float("nan")
            if fine is not None and m not in timing and key in fine.index:
                samp = t - float(fine.loc[key, m])
            rows.append((m, key[1], key[0], float(value), t, float(value) - t, samp))
    return pd.DataFrame(rows, columns=COLUMNS)


def frame_truth(spec: ClipSpec, analysis: Any) -> pd.DataFrame:
    """The 3D truth series at the instants of the analysed track's frames."""
    times = np.asarray(analysis.track.time, dtype=float)
    return series(simulate(spec.params(), times, duration=spec.seconds))


def line_yaw_amplitude(width: np.ndarray, time: np.ndarray, period: float) -> float:
    """Yaw amplitude (deg) of a body line from its apparent width over one stride.

    A line turning by ``A cos(wt)`` about the vertical looks ``W cos(A cos wt) ~
    W (1 - A^2/4) - (W A^2/4) cos(2wt)`` wide from the front or rear, so the
    second harmonic ``c2`` and the mean ``c0`` of its width give ``A = 2
    sqrt(c2 / (c0 + c2))``; the noise power of the 3rd-5th harmonics is taken
    off the second's first. The sign of the turn is lost.
    """
    ok = np.isfinite(width) & np.isfinite(time)
    if ok.sum() < 8:
        return float("nan")
    w, t = width[ok], time[ok]

    def harmonic(k: int) -> complex:
        return complex(2 * np.mean((w - w.mean()) * np.exp(-2j * np.pi * k * t / period)))

    noise = np.mean([abs(harmonic(k)) ** 2 for k in (3, 4, 5)])
    c2 = float(np.sqrt(max(abs(harmonic(2)) ** 2 - noise, 0.0)))
    return float(2 * np.degrees(np.sqrt(c2 / (w.mean() + c2))))


def rotation_from_foreshortening(analysis: Any, truth: pd.DataFrame) -> pd.DataFrame:
    """Trunk rotation per stride from the 2D foreshortening of the shoulder and hip lines.

    A candidate method that needs no depth (front or rear view): each line's
    yaw amplitude from its apparent width (:func:`line_yaw_amplitude`, widths
    over the clip-median torso length), and ``2 (A_shoulders + A_pelvis)`` as
    the peak-to-peak rotation between them (they turn against each other).
    Not used by the analysis: measured here against the truth only (rows as
    :func:`compare`, metric ``trunk_rotation_deg``).
    """
    from armcarriage.metrics.geometry import shoulder_width, torso_length

    ct = analysis.track
    if analysis.status != "ok" or analysis.view.get("label") not in ("front", "rear"):
        return pd.DataFrame(columns=COLUMNS)
    ls, rs, lh, rh = (
        ct.xy(k) for k in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    )
    tl = float(np.nanmedian(torso_length(ls, rs, lh, rh)))
    widths = (shoulder_width(ls, rs) / tl, shoulder_width(lh, rh) / tl)
    t = np.asarray(ct.time, dtype=float)
    windows = analysis.strides.drop_duplicates("stride")[["stride", "t_start", "t_end"]]
    true = truth_over_windows(truth, windows).set_index(["stride", "side"])
    rows = []
    for w in windows.itertuples(index=False):
        idx = (t >= w.t_start) & (t < w.t_end)
        period = float(w.t_end - w.t_start)
        value = 2 * sum(line_yaw_amplitude(x[idx], t[idx], period) for x in widths)
        key = (int(w.stride), "left")
        if np.isfinite(value) and key in true.index:
            tv = float(true.loc[key, "trunk_rotation_deg"])
            rows.append(("trunk_rotation_deg", "left", key[0], value, tv, value - tv, np.nan))
    return pd.DataFrame(rows, columns=COLUMNS)


def summary_flags(analysis: Any, fault: str) -> list[str]:
    """The summary flags of :data:`FAULT_SUMMARY_FLAGS` set for ``fault``, as ``metric:flag``."""
    if analysis.status != "ok":
        return []
    out = []
    for metric, flag in FAULT_SUMMARY_FLAGS.get(fault, ()):
        if (analysis.summary.get(metric) or {}).get(flag):
            out.append(f"{metric}:{flag}")
    return out


def fault_measured(analysis: Any, fault: str) -> bool:
    """Whether the analysis measured any metric that the fault's cue rules read."""
    from armcarriage.cues import load_rules

    want = set(FAULT_CUES.get(fault, ()))
    metrics = {r.metric for r in load_rules() if r.id in want}
    metrics |= {m for m, _ in FAULT_SUMMARY_FLAGS.get(fault, ())}
    return analysis.status == "ok" and any(
        analysis.validity.get(m, {}).get("measured") for m in metrics
    )


def fired_cues(analysis: Any) -> list[str]:
    """Ids of every cue rule that fired on an analysis."""
    from armcarriage.cues import assess

    if analysis.status != "ok":
        return []
    return sorted({c.rule_id for c in assess(analysis).fired})


def run_case(
    name: str, spec: ClipSpec, use_pose: bool, config: Config | None = None
) -> dict[str, Any]:
    """Render, estimate, analyse and score one clip (``config``: pose and analysis settings)."""
    from armcarriage.analysis import analyze

    config = config or Config()
    kin = simulate(spec.params(), frame_times(spec), duration=spec.seconds)
    truth = truth_track(kin, spec.camera(), spec.fps, view=spec.view)
    video, render_s = rendered(name, spec) if use_pose else (None, 0.0)
    dense = series(dense_kinematics(kin))
    out: dict[str, Any] = {
        "case": name,
        "view": spec.view,
        "fault": spec.fault,
        "size": f"{spec.width}x{spec.height}",
        "fps": spec.fps,
        "seconds": spec.seconds,
        "mode": spec.mode,
        "render_s": round(render_s, 2),
        "errors": {},
    }
    sources = {"exact": truth}
    if video is not None:
        track, pose_s = pose_track(video, config)
        sources["pipeline"] = track
        out["pose_s"] = round(pose_s, 2)
        out["detection_rate"] = round(track.detection_rate(), 4)
        if track.detection_rate() < 0.98:
            out["mediapipe_detection_rate"] = round(raw_detection_rate(video), 4)
        out["landmark_px"] = {
            j: {k: round(v, 2) for k, v in e.items()}
            for j, e in landmark_errors(track, truth).items()
        }
    for source, track in sources.items():
        analysis = analyze(track, config)
        if source == "exact":
            world = analyze(track, config.override({"metrics.elbow_source": "world"}))
            err = compare(world, frame_truth(spec, world), spec)
            out["errors"]["exact_3d"] = err[err["metric"].str.startswith("elbow_angle")]
        cues = fired_cues(analysis)
        flags = summary_flags(analysis, spec.fault)
        want = FAULT_CUES.get(spec.fault, ())
        out[source] = {
            "status": analysis.status,
            "view": analysis.view.get("label"),
            "cadence_spm": _r(analysis.cadence_spm),
            "cadence_error_pct": _r(100 * (analysis.cadence_spm / spec.params().cadence_spm - 1)),
            "strides": int(analysis.strides["stride"].nunique()) if analysis.status == "ok" else 0,
            "cues_fired": cues,
            "summary_flags": flags,
            "fault_flagged": bool(set(want) & set(cues) or flags) if want else None,
            "fault_measured": fault_measured(analysis, spec.fault) if want else None,
            "medians": _medians(analysis),
        }
        ser = frame_truth(spec, analysis) if analysis.status == "ok" else dense
        out["errors"][source] = compare(analysis, ser, spec, dense)
        out["errors"][f"{source}_foreshortening"] = rotation_from_foreshortening(analysis, ser)
    return out


def _medians(analysis: Any) -> dict[str, float | None]:
    """Median over strides of every metric, both arms pooled (NaN-free values only)."""
    if analysis.status != "ok":
        return {}
    table = analysis.strides
    return {
        m: _r(float(table[m].median()), 5) for m in METRICS if m in table and table[m].notna().any()
    }


def halving(cases: list[dict[str, Any]], stats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Change of each per-stride median when the frame rate or the frame size is halved.

    Compared with the metric's stated error: the pipeline's median and 95th-percentile
    absolute error over the suite, in the clips' view.
    """
    by = {c["case"]: c for c in cases}
    keyed = {(s["metric"], s["view"]): s for s in stats if s["source"] == "pipeline"}
    rows = []
    for label, (full, half) in HALVING.items():
        if full not in by or half not in by:
            continue
        a = by[full].get("pipeline", {}).get("medians", {})
        b = by[half].get("pipeline", {}).get("medians", {})
        view = by[full]["view"]
        for m in METRICS:
            if a.get(m) is None or b.get(m) is None or (m, view) not in keyed:
                continue
            err = keyed[m, view]
            change = abs(b[m] - a[m])
            rows.append(
                {
                    "halved": label,
                    "metric": m,
                    "view": view,
                    "full": a[m],
                    "half": b[m],
                    "change": _r(change, 5),
                    "median_error": err["median_abs"],
                    "p95_error": err["p95_abs"],
                    "within_median_error": bool(change < err["median_abs"]),
                    "within_p95_error": bool(change < err["p95_abs"]),
                }
            )
    return rows


def _r(x: float, nd: int = 3) -> float | None:
    return round(float(x), nd) if x is not None and np.isfinite(x) else None


def aggregate(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Error statistics per source x metric x view."""
    frames = []
    for c in cases:
        for source, df in c["errors"].items():
            if len(df):
                frames.append(df.assign(source=source, view=c["view"]))
    if not frames:
        return []
    allerr = pd.concat(frames, ignore_index=True)
    rows = []
    for (source, metric, view), g in allerr.groupby(["source", "metric", "view"], sort=False):
        parts = [(source, g["error"].to_numpy(float))]
        if source == "exact":
            samp = g["sampling"].to_numpy(float)
            parts.append(("sampling", samp[np.isfinite(samp)]))
        for name, e in parts:
            if not e.size:
                continue
            rows.append(
                {
                    "source": name,
                    "metric": metric,
                    "view": view,
                    "n": int(e.size),
                    "median_abs": _r(np.median(np.abs(e)), 4),
                    "p95_abs": _r(np.percentile(np.abs(e), 95), 4),
                    "bias": _r(np.median(e), 4),
                    "truth_median": _r(np.median(g["truth"]), 4),
                }
            )
    order = {m: i for i, m in enumerate(METRICS)}
    rows.sort(key=lambda r: (r["source"], order.get(r["metric"], 99), r["view"]))
    return rows


def tables(
    cases: list[dict[str, Any]],
    stats: list[dict[str, Any]],
    halved: list[dict[str, Any]] | None = None,
) -> str:
    """Return the per-clip, per-metric and halving tables (markdown)."""
    lines: list[str] = []
    add = lines.append
    add(
        "| clip | view found | detection | status (pipeline / exact) | strides | "
        "cadence err % | wrist px (median) | fault flagged (pipeline / exact) |"
    )
    add("|---|---|---|---|---|---|---|---|")
    for c in cases:
        x = c["exact"]
        p = c.get("pipeline", {"view": f"({x['view']})"})
        det = f"{100 * c['detection_rate']:.1f} %" if "detection_rate" in c else "-"
        if "mediapipe_detection_rate" in c:
            det += f" (model alone {100 * c['mediapipe_detection_rate']:.1f} %)"
        px = c.get("landmark_px", {}).get("wrist", {}).get("median")

        def flagged(r: dict[str, Any]) -> str:
            if r.get("fault_measured") is False:
                return "not measured"
            return str(r.get("fault_flagged", "-"))

        flag = f"{flagged(p)} / {flagged(x)}"
        if c["fault"] == "none":
            flag = (
                f"fired: {','.join(p.get('cues_fired', [])) or '-'} / "
                f"{','.join(x['cues_fired']) or '-'}"
            )
        add(
            f"| {c['case']} | {p.get('view', '-')} | {det} | {p.get('status', '-')} / "
            f"{x['status']} | {p.get('strides', '-')} | {p.get('cadence_error_pct', '-')} | "
            f"{px if px is not None else '-'} | {flag} |"
        )
    add("")
    add(
        "| metric | view | pipeline median / p95 / bias (n) "
        "| exact 2D median / p95 / bias (n) | frame sampling median / p95 |"
    )
    add("|---|---|---|---|---|")
    keyed = {(s["source"], s["metric"], s["view"]): s for s in stats}
    pairs = sorted(
        {(s["metric"], s["view"]) for s in stats},
        key=lambda mv: (list(METRICS).index(mv[0]), mv[1]),
    )

    def cell(source: str, metric: str, view: str, full: bool = True) -> str:
        s = keyed.get((source, metric, view))
        if s is None:
            return "-"
        if not full:
            return f"{_fmt(s['median_abs'])} / {_fmt(s['p95_abs'])}"
        return (
            f"{_fmt(s['median_abs'])} / {_fmt(s['p95_abs'])} / {_fmt(s['bias'], True)} ({s['n']})"
        )

    for metric, view in pairs:
        if not any((src, metric, view) in keyed for src in ("pipeline", "exact")):
            continue
        add(
            f"| {metric} ({METRICS[metric].unit}) | {view} | {cell('pipeline', metric, view)} | "
            f"{cell('exact', metric, view)} | {cell('sampling', metric, view, False)} |"
        )
    elbow = [(m, v) for m, v in pairs if ("exact_3d", m, v) in keyed]
    if elbow:
        add("")
        add(
            "Elbow angle on the exact track, from its 2D image points (the default, "
            "`metrics.elbow_source = image`) and from its exact 3D landmarks "
            "(`metrics.elbow_source = world`, as for motion capture):"
        )
        add("")
        add(
            "| metric | view | exact 2D median / p95 / bias (n) "
            "| exact 3D median / p95 / bias (n) |"
        )
        add("|---|---|---|---|")
        for metric, view in elbow:
            add(
                f"| {metric} ({METRICS[metric].unit}) | {view} | {cell('exact', metric, view)} "
                f"| {cell('exact_3d', metric, view)} |"
            )
    rot = [
        v
        for m, v in pairs
        if m == "trunk_rotation_deg"
        and any((f"{src}_foreshortening", m, v) in keyed for src in ("pipeline", "exact"))
    ]
    if rot:
        add("")
        add(
            "Trunk rotation (deg) from the 2D foreshortening of the shoulder and hip lines "
            "(`rotation_from_foreshortening`; a candidate method without depth, not used by the "
            "analysis):"
        )
        add("")
        add("| view | pipeline median / p95 / bias (n) | exact 2D median / p95 / bias (n) |")
        add("|---|---|---|")
        for view in rot:
            add(
                f"| {view} | {cell('pipeline_foreshortening', 'trunk_rotation_deg', view)} | "
                f"{cell('exact_foreshortening', 'trunk_rotation_deg', view)} |"
            )
    if halved:
        add("")
        add(
            "Halving the frame rate or the frame size (the same runner, through the pose model): "
            "change of each per-stride median, against the metric's stated error (the pipeline's "
            "median / 95th-percentile absolute error above, same view):"
        )
        add("")
        add("| halved | metric | full | half | change | stated error median / p95 | within |")
        add("|---|---|---|---|---|---|---|")
        for r in halved:
            within = (
                "median"
                if r["within_median_error"]
                else "p95"
                if r["within_p95_error"]
                else "**no**"
            )
            add(
                f"| {r['halved']} | {r['metric']} ({METRICS[r['metric']].unit}) | "
                f"{_fmt(r['full'])} | {_fmt(r['half'])} | {_fmt(r['change'])} | "
                f"{_fmt(r['median_error'])} / {_fmt(r['p95_error'])} | {within} |"
            )
    return "\n".join(lines) + "\n"


def _fmt(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    if abs(x) >= 10:
        return f"{x:+.1f}" if signed else f"{x:.1f}"
    return f"{x:+.3g}" if signed else f"{x:.3g}"


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print the tables; write the JSON results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--cases", default="", help="comma-separated case names")
    ap.add_argument("--no-pose", action="store_true", help="exact tracks only (no pose model)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a setting other than the default (repeatable), e.g. pose.num_poses=1",
    )
    args = ap.parse_args(argv)
    config = Config().override_pairs(args.set)
    names = list(QUICK) if args.quick else list(SUITE)
    if args.cases:
        names = [n.strip() for n in args.cases.split(",") if n.strip()]
        unknown = [n for n in names if n not in SUITE]
        if unknown:
            print(f"unknown case(s) {unknown}; expected some of {', '.join(SUITE)}")
            return 2
    t0 = time.perf_counter()
    cases = []
    for name in names:
        t1 = time.perf_counter()
        case = run_case(name, SUITE[name], use_pose=not args.no_pose, config=config)
        cases.append(case)
        print(
            f"{name}: {time.perf_counter() - t1:.1f} s "
            f"(render {case['render_s']} s, pose {case.get('pose_s', '-')} s), "
            f"detection {case.get('detection_rate', '-')}",
            flush=True,
        )
    stats = aggregate(cases)
    halved = halving(cases, stats)
    table = tables(cases, stats, halved)
    print("\n" + table)
    total = time.perf_counter() - t0
    result = {
        "schema_version": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "settings": args.set,
        "pose": dataclasses.asdict(config.pose),
        "seconds": round(total, 1),
        "cases": [{k: v for k, v in c.items() if k != "errors"} for c in cases],
        "metrics": stats,
        "halving": halved,
    }
    write_text(args.out, json.dumps(result, indent=1, default=str))
    settings = (
        "Settings other than the defaults: " + ", ".join(f"`{item}`" for item in args.set) + ".\n"
        if args.set
        else ""
    )
    write_text(args.out.with_suffix(".md"), f"{HEADER}{settings}\n{table}")
    print(
        f"{len(cases)} clips in {total:.0f} s; results in {args.out} and "
        f"{args.out.with_suffix('.md')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
