"""Accuracy of the full pipeline on renders driven by motion capture of running.

Usage: ``.venv/bin/python benchmarks/accuracy_mocap.py [--quick] [--cases NAME,NAME]
[--no-pose] [--export DIR]``

The synthetic runner of ``benchmarks/accuracy.py`` swings its arms in the image
plane of a side camera; real arms do not. Here the renderer's figure moves with
the shared motion capture (``../shared/data/mocap``, BVH; the script says so
and stops when the folder is absent), retargeted by
:mod:`armcarriage_eval.mocap_render`: four running trials (normal x2, active,
tired), on a treadmill, seen from the side (both directions), front, rear and
obliquely (30-45 deg), from two camera heights, in landscape and portrait, with
varied looks, body sizes and light; arm variants whose forearms cross in front
of the body, shoulders held up by 3, 5 or 7 cm for the whole clip, and the
captured runs unchanged.

For every clip it

1. renders it (cached under ``benchmarks/cache/accuracy_mocap/``, git-ignored),
2. runs the pose model (:func:`armcarriage.estimate_pose`; the track is cached),
3. analyses the pose track (``pipeline``) and the figure's exact projected
   landmarks (``exact``: no pose model; its error is 2D geometry and the
   analysis itself),
4. reduces the 3D truth of the figure's landmarks (the analyzer's per-frame
   definitions, :func:`armcarriage_eval.synthetic.metrics_truth.series_from_points`)
   over each analysed stride's own window and compares metric by metric; timing
   metrics against the capture's foot events,
5. records every cue that fired,
6. scores every side and front clip against relaxed clips of the same captured run and
   body as the athlete's own reference (:mod:`armcarriage_eval.shrug_reference`).

Written to ``benchmarks/results/accuracy_mocap.{json,md}``: per source x view x
metric the mean absolute error (MAE), the bias (mean signed error), the 95th
percentile of the absolute error and n; per clip status, view found, strides and
cues; and the cue confusion table: for every injected fault (``none``,
``crossing``, ``shrug_3cm``...) and camera view, in how many clips each cue
fired. ``--export DIR`` also copies each clip's video, pose track and truth
files to DIR with a README (see :func:`export`).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from armcarriage_eval import mocap_render as mr
from armcarriage_eval import shrug_reference as own
from armcarriage_eval.synthetic.metrics_truth import truth_over_windows

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import fired_cues, pose_track

from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.metrics import METRICS
from armcarriage.track import PoseTrack

ROOT = Path(__file__).resolve().parents[1]
MOCAP = ROOT.parent / "shared" / "data" / "mocap"
CACHE = ROOT / "benchmarks" / "cache" / "accuracy_mocap"
RESULTS = ROOT / "benchmarks" / "results" / "accuracy_mocap.json"

N1, N2 = "bandai2_run_normal_001.bvh", "bandai2_run_normal_002.bvh"
AC, TI = "bandai1_run_active_001.bvh", "bandai1_run_tired_001.bvh"
CROSS: dict[str, Any] = {
    "cross_deg": 85.0,
    "adduction_deg": 15.0,
    "clear_m": 0.04,
    "fault": "crossing",
}
"""Forearms crossing in front of the body, the hands clear of the trunk (the arm flexed
forward where the turned forearm would pass through it; ``ArmVariant.clear_m``)."""


def shrug(cm: int) -> dict[str, Any]:
    """Shoulders held up by ``cm`` centimetres for the whole clip."""
    return {"shrug_m": cm / 100.0, "fault": f"shrug_{cm}cm"}


S = mr.MocapClipSpec


def L(trial: str, view: str, **kw: Any) -> mr.MocapClipSpec:  # noqa: N802
    """A 4 s clip: the slower active and tired trials need it for four strides."""
    return mr.MocapClipSpec(trial, view, seconds=4.0, **kw)


PORTRAIT: dict[str, Any] = {"width": 360, "height": 640}
HIGH: dict[str, Any] = {"camera_height": 1.5}

FIRST: dict[str, mr.MocapClipSpec] = {
    "normal1_side_left": S(N1, "side_left", seed=1),
    "normal1_oblique45": S(N1, "oblique", azimuth_deg=45, seed=2),
    "active_side_right": L(AC, "side_right", seed=3),
    "tired_side_left": L(TI, "side_left", seed=4),
    "normal2_front": S(N2, "front", seed=5),
    "normal2_rear": S(N2, "rear", seed=6),
    "normal1_shrug5_side_right": S(N1, "side_right", seed=7, **shrug(5)),
    "normal1_shrug5_front": S(N1, "front", seed=8, **shrug(5)),
    "normal2_cross_front": S(N2, "front", seed=9, **CROSS),
    "normal2_cross_rear": S(N2, "rear", seed=10, **CROSS),
    "normal1_front": S(N1, "front", seed=11),
}
"""The first set of cases (exported for method work before the full suite)."""

MORE: dict[str, mr.MocapClipSpec] = {
    # side views, both directions, framings, heights, bodies and light
    "normal2_side_right_portrait": S(N2, "side_right", seed=12, **PORTRAIT),
    "active_side_left_high": L(AC, "side_left", seed=13, scale=0.93, **HIGH),
    "active_side_right_portrait_high": L(AC, "side_right", seed=14, girth=1.15, **PORTRAIT, **HIGH),
    "normal1_side_left_dim": S(N1, "side_left", seed=15, light_deg=70, exposure=0.75, noise=4.0),
    "normal2_side_left_big": S(N2, "side_left", seed=16, scale=1.07, girth=0.88),
    # front and rear
    "active_front": L(AC, "front", seed=17),
    "tired_front_high": L(TI, "front", seed=18, **HIGH),
    "tired_rear": L(TI, "rear", seed=19, girth=1.12),
    "active_rear_portrait": L(AC, "rear", seed=20, **PORTRAIT),
    "normal1_rear_high_bright": S(N1, "rear", seed=21, exposure=1.2, light_deg=-60, **HIGH),
    # oblique 30-45 deg, from the front on either side
    "normal2_oblique30_left": S(N2, "oblique", azimuth_deg=-30, seed=22),
    "normal1_oblique40_portrait": S(N1, "oblique", azimuth_deg=40, seed=23, **PORTRAIT),
    "active_oblique35_left_high": L(AC, "oblique", azimuth_deg=-35, seed=24, **HIGH),
    # held shrugs
    "normal2_shrug3_front": S(N2, "front", seed=25, **shrug(3)),
    "active_shrug3_side_left": L(AC, "side_left", seed=26, **shrug(3)),
    "active_shrug5_front": L(AC, "front", seed=27, **shrug(5)),
    "normal2_shrug7_side_left": S(N2, "side_left", seed=28, **shrug(7)),
    "active_shrug7_front_high": L(AC, "front", seed=29, **shrug(7), **HIGH),
    "normal1_shrug7_side_right_portrait": S(N1, "side_right", seed=30, **shrug(7), **PORTRAIT),
    "normal1_shrug3_rear": S(N1, "rear", seed=31, **shrug(3)),
    # forearms crossing
    "normal1_cross_front_high": S(N1, "front", seed=32, **CROSS, **HIGH),
    "tired_cross_front": L(TI, "front", seed=33, **CROSS),
    "active_cross_rear": L(AC, "rear", seed=34, **CROSS),
    "normal1_cross_side_left": S(N1, "side_left", seed=35, **CROSS),
    "active_cross_oblique45": L(AC, "oblique", azimuth_deg=45, seed=36, **CROSS),
}
"""The rest of the suite."""

REFERENCES: dict[str, mr.MocapClipSpec] = {
    # relaxed twins of held-shrug clips: the same trial, view, camera height and framing
    "normal1_side_right": S(N1, "side_right", seed=37),
    "active_side_left": L(AC, "side_left", seed=38),
    "normal2_side_left": S(N2, "side_left", seed=39),
    "active_front_high": L(AC, "front", seed=40, **HIGH),
    "normal1_side_right_portrait": S(N1, "side_right", seed=41, **PORTRAIT),
}
"""Relaxed references of the held shrugs (:mod:`armcarriage_eval.shrug_reference`)."""

SUITE: dict[str, mr.MocapClipSpec] = {**FIRST, **MORE, **REFERENCES}
"""Every case (30 fps, 480x360 unless portrait 360x640; 3 s, or 4 s for the slower
active and tired trials so that the clip holds four strides)."""

QUICK = ("normal1_side_left", "normal1_shrug5_front", "normal2_cross_front")

FAULT_CUES: dict[str, tuple[str, ...]] = {
    "crossing": ("midline_crossing",),
    "shrug": ("shrug_level", "shrug_level_side", "shrug_rise", "shrug_rise_side"),
}
"""Cues that should fire for an injected fault family (any one of them)."""

TIMING = ("stride_time_s", "cadence_spm", "contact_time_s", "flight_time_s")
COLUMNS = ["metric", "side", "stride", "value", "truth", "error"]


RENDER_VERSION = "1"
"""Bump when :mod:`armcarriage_eval.mocap_render` changes what it draws (renders are cached)."""


LATER_FIELDS: dict[str, Any] = {"clear_m": 0.0}
"""Spec fields added after renders were cached, with the default that draws as before."""


def spec_key(name: str, spec: mr.MocapClipSpec) -> str:
    """Cache key: the case name and a hash of the spec and :data:`RENDER_VERSION`."""
    fields = dataclasses.asdict(spec)
    for field, default in LATER_FIELDS.items():  # at their default, older renders stay valid
        if fields.get(field) == default:
            fields.pop(field)
    blob = json.dumps(fields, sort_keys=True) + RENDER_VERSION
    return f"{name}-{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def rendered(name: str, spec: mr.MocapClipSpec, mocap_dir: Path) -> tuple[Path, float]:
    """Render the clip unless cached; return its path and the seconds spent."""
    video = CACHE / f"{spec_key(name, spec)}.mp4"
    if video.exists() and mr.clip_paths(video)["meta"].exists():
        return video, 0.0
    t0 = time.perf_counter()
    mr.make_clip(video, spec, mocap_dir)
    return video, time.perf_counter() - t0


def family(fault: str) -> str:
    """Fault family: ``shrug_5cm`` -> ``shrug``."""
    return fault.split("_")[0] if fault.startswith("shrug") else fault


def timing_truth(strides: pd.DataFrame, events: pd.DataFrame) -> dict[int, dict[str, float]]:
    """True stride time, cadence, contact and flight time for each analysed stride.

    The analysed stride's start is matched to the true strike nearest in time
    (within 0.15 s; its foot is the stride's foot) and its end to that foot's
    true strike nearest in time; contact is the true toe-off after the start,
    flight the time from it to the other foot's next true strike.
    """
    t_of = events["time_subframe"] if "time_subframe" in events else events["time"]
    ev = events.assign(t=t_of)
    strikes = ev[ev.kind == "strike"]
    out: dict[int, dict[str, float]] = {}
    for r in strides.drop_duplicates("stride").itertuples(index=False):
        if strikes.empty:
            break
        first = strikes.iloc[int(np.argmin(np.abs(strikes["t"].to_numpy() - r.t_start)))]
        foot, a = str(first["foot"]), float(first["t"])
        mine = strikes.loc[strikes.foot == foot, "t"].to_numpy()
        b = mine[np.argmin(np.abs(mine - r.t_end))]
        if abs(a - r.t_start) > 0.15 or abs(b - r.t_end) > 0.15 or b <= a:
            continue
        offs = ev[(ev.foot == foot) & (ev.kind == "toe_off") & (ev.t > a) & (ev.t < b)]["t"]
        other = "right" if foot == "left" else "left"
        row = {
            "stride_time_s": b - a,
            "cadence_spm": 120.0 / (b - a),
            "contact_time_s": np.nan,
            "flight_time_s": np.nan,
        }
        if len(offs):
            off = float(offs.iloc[0])
            row["contact_time_s"] = off - a
            nxt = ev[(ev.foot == other) & (ev.kind == "strike") & (ev.t > off) & (ev.t < b)]["t"]
            if len(nxt):
                row["flight_time_s"] = float(nxt.iloc[0]) - off
        out[int(r.stride)] = row
    return out


def compare(analysis: Any, ser: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per stride x arm x metric: measured value, truth over the same window, error."""
    strides = analysis.strides
    if analysis.status != "ok" or strides.empty:
        return pd.DataFrame(columns=COLUMNS)
    windows = strides.drop_duplicates("stride")[["stride", "t_start", "t_end"]]
    truth = truth_over_windows(ser, windows).set_index(["stride", "side"])
    timing = timing_truth(strides, events)
    rows = []
    for r in strides.itertuples(index=False):
        key = (int(r.stride), str(r.side))
        for m in METRICS:
            value = getattr(r, m, None)
            if value is None or not np.isfinite(value):
                continue
            if m in TIMING:
                t = timing.get(key[0], {}).get(m, np.nan)
            elif key in truth.index:
                t = float(truth.loc[key, m])
            else:
                continue
            if np.isfinite(t):
                rows.append((m, key[1], key[0], float(value), float(t), float(value) - float(t)))
    return pd.DataFrame(rows, columns=COLUMNS)


def landmark_px(track: PoseTrack, truth: PoseTrack) -> dict[str, dict[str, float]]:
    """Median pixel error per joint of the pose track against the exact landmarks."""
    from armcarriage_eval.synthetic.truth import landmark_errors

    return {
        j: {k: round(v, 2) for k, v in e.items()} for j, e in landmark_errors(track, truth).items()
    }


def run_case(
    name: str, spec: mr.MocapClipSpec, use_pose: bool, config: Config, mocap_dir: Path = MOCAP
) -> dict[str, Any]:
    """Render, estimate, analyse and score one clip."""
    from armcarriage.analysis import analyze

    rig, kin, cam = mr.build(spec, mocap_dir)
    truth = mr.clip_truth_track(spec, kin, cam, source=name)
    ser = mr.truth_series(kin)
    events = rig.events
    out: dict[str, Any] = {
        "case": name,
        "trial": spec.trial,
        "view": spec.view,
        "fault": spec.fault,
        "size": f"{spec.width}x{spec.height}",
        "camera_height_m": spec.camera_height,
        "errors": {},
    }
    if spec.view == "oblique":
        out["azimuth_deg"] = spec.azimuth_deg
    sources: dict[str, PoseTrack] = {"exact": truth}
    if use_pose:
        video, render_s = rendered(name, spec, mocap_dir)
        track, pose_s = pose_track(video, config)
        sources["pipeline"] = track
        out.update(
            video=str(video),
            render_s=round(render_s, 1),
            pose_s=round(pose_s, 1),
            detection_rate=round(track.detection_rate(), 4),
            landmark_px=landmark_px(track, truth),
        )
    for source, track in sources.items():
        analysis = analyze(track, config)
        cues = fired_cues(analysis)
        want = FAULT_CUES.get(family(spec.fault), ())
        out[source] = {
            "status": analysis.status,
            "view": analysis.view.get("label"),
            "strides": int(analysis.strides["stride"].nunique()) if analysis.status == "ok" else 0,
            "cues_fired": cues,
            "fault_flagged": bool(set(want) & set(cues)) if want else None,
        }
        out["errors"][source] = compare(analysis, ser, events)
        out.setdefault("_analyses", {})[source] = analysis
    return out


def _r(x: float, nd: int = 4) -> float | None:
    return round(float(x), nd) if x is not None and np.isfinite(x) else None


def view_group(view: str) -> str:
    """Side views pooled: ``side`` / ``front`` / ``rear`` / ``oblique``."""
    return "side" if view.startswith("side") else view


def aggregate(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """MAE, bias (mean signed error), p95 of |error| and n per source x view x metric."""
    frames = [
        df.assign(source=src, view=view_group(c["view"]), case=c["case"])
        for c in cases
        for src, df in c["errors"].items()
        if len(df)
    ]
    if not frames:
        return []
    err = pd.concat(frames, ignore_index=True)
    rows = []
    for (src, view, metric), g in err.groupby(["source", "view", "metric"], sort=False):
        e = g["error"].to_numpy(float)
        rows.append(
            {
                "source": src,
                "view": view,
                "metric": metric,
                "n": int(e.size),
                "clips": int(g["case"].nunique()),
                "mae": _r(np.mean(np.abs(e))),
                "bias": _r(np.mean(e)),
                "p95_abs": _r(np.percentile(np.abs(e), 95)),
                "truth_mean": _r(np.mean(g["truth"])),
            }
        )
    order = {m: i for i, m in enumerate(METRICS)}
    views = {"side": 0, "front": 1, "rear": 2, "oblique": 3}
    rows.sort(key=lambda r: (r["source"], order.get(r["metric"], 99), views.get(r["view"], 9)))
    return rows


FAULT_METRICS = ("crossing_max_sw", "shrug_level_tl", "shrug_rise_tl", "elbow_angle_mean")
"""Metrics shown per injected fault (:func:`by_fault`)."""


def by_fault(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median truth and measured value per injected fault x view x metric, per source.

    Shows what a fault does to the metrics its cues read, in truth and as measured.
    """
    frames = [
        df.assign(source=src, view=view_group(c["view"]), fault=c["fault"])
        for c in cases
        for src, df in c["errors"].items()
        if len(df)
    ]
    if not frames:
        return []
    err = pd.concat(frames, ignore_index=True)
    err = err[err["metric"].isin(FAULT_METRICS)]
    rows = []
    for (fault, view, metric), g in err.groupby(["fault", "view", "metric"]):
        row: dict[str, Any] = {"fault": fault, "view": view, "metric": metric}
        for src, h in g.groupby("source"):
            row[src] = {
                "truth": _r(h["truth"].median()),
                "value": _r(h["value"].median()),
                "n": len(h),
            }
        rows.append(row)
    faults = ["none", "crossing", "shrug_3cm", "shrug_5cm", "shrug_7cm"]
    views = ["side", "front", "rear", "oblique"]
    rows.sort(
        key=lambda r: (
            FAULT_METRICS.index(r["metric"]),
            views.index(r["view"]),
            faults.index(r["fault"]) if r["fault"] in faults else 99,
        )
    )
    return rows


def confusion(cases: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """For every injected fault x view: clips, and per cue the clips in which it fired."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for c in cases:
        if source not in c:
            continue
        key = (c["fault"], view_group(c["view"]))
        row = rows.setdefault(
            key, {"fault": key[0], "view": key[1], "clips": 0, "analysed": 0, "fired": {}}
        )
        row["clips"] += 1
        row["analysed"] += int(c[source]["status"] == "ok")
        for cue in c[source]["cues_fired"]:
            row["fired"][cue] = row["fired"].get(cue, 0) + 1
    faults = ["none", "crossing", "shrug_3cm", "shrug_5cm", "shrug_7cm"]
    views = ["side", "front", "rear", "oblique"]
    return sorted(
        rows.values(),
        key=lambda r: (
            faults.index(r["fault"]) if r["fault"] in faults else 99,
            views.index(r["view"]),
        ),
    )


def _fmt(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "-"
    if abs(x) >= 10:
        return f"{x:+.1f}" if signed else f"{x:.1f}"
    return f"{x:+.3g}" if signed else f"{x:.3g}"


def tables(
    cases: list[dict[str, Any]],
    stats: list[dict[str, Any]],
    conf: dict[str, list[dict[str, Any]]],
    faults: list[dict[str, Any]] | None = None,
) -> str:
    """Markdown: per clip, per view x metric, per fault, and the cue confusion tables."""
    lines: list[str] = []
    add = lines.append
    add(
        "| clip | trial | view | fault | detection | status (pipeline / exact) | view found | "
        "strides | wrist px | cues fired (pipeline / exact) |"
    )
    add("|---|---|---|---|---|---|---|---|---|---|")
    for c in cases:
        x, p = c["exact"], c.get("pipeline", {})
        det = f"{100 * c['detection_rate']:.0f} %" if "detection_rate" in c else "-"
        px = c.get("landmark_px", {}).get("wrist", {}).get("median")
        view = c["view"] + (f" {c['azimuth_deg']:+g}" if "azimuth_deg" in c else "")
        add(
            f"| {c['case']} | {c['trial'].split('_', 1)[1].removesuffix('.bvh')} | {view} | "
            f"{c['fault']} | {det} | {p.get('status', '-')} / {x['status']} | "
            f"{p.get('view', '-')} | {p.get('strides', '-')} | "
            f"{px if px is not None else '-'} | "
            f"{','.join(p.get('cues_fired', [])) or '-'} / {','.join(x['cues_fired']) or '-'} |"
        )
    add("")
    add(
        "Per view and metric (side = both side views pooled): MAE / bias / p95 |error| (n "
        "stride x arm values) of the pipeline, and of the exact projected landmarks:"
    )
    add("")
    add(
        "| metric | view | pipeline MAE / bias / p95 (n) | exact 2D MAE / bias / p95 (n) "
        "| truth mean |"
    )
    add("|---|---|---|---|---|")
    keyed = {(s["source"], s["metric"], s["view"]): s for s in stats}
    order = {m: i for i, m in enumerate(METRICS)}
    views = {"side": 0, "front": 1, "rear": 2, "oblique": 3}
    pairs = sorted(
        {(s["metric"], s["view"]) for s in stats},
        key=lambda mv: (order.get(mv[0], 99), views.get(mv[1], 9)),
    )

    def cell(src: str, m: str, v: str) -> str:
        s = keyed.get((src, m, v))
        if s is None:
            return "-"
        return f"{_fmt(s['mae'])} / {_fmt(s['bias'], True)} / {_fmt(s['p95_abs'])} ({s['n']})"

    for m, v in pairs:
        ref = keyed.get(("pipeline", m, v)) or keyed.get(("exact", m, v))
        add(
            f"| {m} ({METRICS[m].unit}) | {v} | {cell('pipeline', m, v)} | "
            f"{cell('exact', m, v)} | {_fmt(ref['truth_mean'] if ref else None)} |"
        )
    if faults:
        add("")
        add(
            "What the injected faults do to the metrics their cues read: median over stride x arm "
            "of the truth, and of the value measured through the pipeline and on the exact track:"
        )
        add("")
        add("| metric | view | fault | truth | pipeline | exact 2D |")
        add("|---|---|---|---|---|---|")
        for r in faults:
            truth = (r.get("pipeline") or r.get("exact") or {}).get("truth")
            add(
                f"| {r['metric']} | {r['view']} | {r['fault']} | {_fmt(truth)} | "
                f"{_fmt((r.get('pipeline') or {}).get('value'))} | "
                f"{_fmt((r.get('exact') or {}).get('value'))} |"
            )
    for src, rows in conf.items():
        cues = sorted({c for r in rows for c in r["fired"]})
        add("")
        add(
            f"Cue confusion ({src}): clips in which each cue fired, per injected fault and view "
            "(clips analysed / clips):"
        )
        add("")
        add("| fault | view | analysed | " + " | ".join(cues or ["(no cue fired)"]) + " |")
        add("|---|---|---|" + "---|" * max(len(cues), 1))
        for r in rows:
            cells = [str(r["fired"].get(c, 0)) for c in cues] or ["-"]
            add(
                f"| {r['fault']} | {r['view']} | {r['analysed']} / {r['clips']} | "
                + " | ".join(cells)
                + " |"
            )
    return "\n".join(lines) + "\n"


HEADER = """# Accuracy on renders driven by motion capture of running

Written by `benchmarks/accuracy_mocap.py` (see its docstring). The synthetic figure moves with
four captured running trials (Bandai Namco Research motion dataset, CC BY-NC 4.0, read from
`../shared/data/mocap`), retargeted by `armcarriage_eval.mocap_render`, on a treadmill; arm
variants: forearms crossing in front of the body (`crossing`), shoulders held up for the whole
clip (`shrug_3cm` ... `shrug_7cm`), the captured arms unchanged (`none`). Errors are measured value
minus truth, per stride and arm where the analysis reported a value; the truth is the 3D value
on the figure's landmarks with the analyzer's per-frame definitions, over the analysed stride's
own window (timing: the capture's foot events). *pipeline* = video -> pose model -> analysis;
*exact 2D* = the analysis of the exact projected landmarks (no pose model). The last tables
score every side and front clip against relaxed clips of the same run and body as the athlete's
own reference (the relaxed twins `normal1_side_right`, `active_side_left`, `normal2_side_left`,
`active_front_high`, `normal1_side_right_portrait` were added for it); the confusion tables
above are made without a reference.

Reading the truth: shrug metrics are taken against the runner's own most relaxed level in the
clip (`metrics.METRICS`), so a shrug held for the whole clip leaves their truth unchanged by
definition; the fault table below shows it, and the confusion table whether any cue still
fires. Contact and flight times are scored against the capture's contact (heel or toe joint
within 1 cm of its ground level, `armcarriage_eval.mocap.foot_contact`), which ends when the toe
joint lifts; the rendered shoe's tip stays down longer (the same rule on the figure's heel and
toe-tip landmarks against the capture's, median contact: 0.237 / 0.181 s on normal_001,
0.169 / 0.177 s on active, 0.253 / 0.265 s on tired), so part of a contact-time bias on the
normal trials is that definition.
"""


def export(cases: list[dict[str, Any]], dest: Path) -> None:
    """Copy each clip's video, pose track and truth files to ``dest`` and write a README."""
    dest.mkdir(parents=True, exist_ok=True)
    lines = [
        EXPORT_README,
        "",
        "| case | trial | view | fault (cross_deg / adduction_deg / shrug_m) | seconds | "
        "camera height (m) | size | body scale / girth | pose detection |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        if "video" not in c:
            continue
        video = Path(c["video"])
        name = c["case"]
        shutil.copyfile(video, dest / f"{name}.mp4")
        paths = mr.clip_paths(video)
        shutil.copyfile(paths["truth"], dest / f"{name}.truth.parquet")
        shutil.copyfile(paths["joints"], dest / f"{name}.joints.npz")
        shutil.copyfile(paths["events"], dest / f"{name}.events.csv")
        shutil.copyfile(paths["meta"], dest / f"{name}.json")
        pose = sorted(
            video.parent.glob(f"{video.stem}.pose-*.parquet"), key=lambda p: p.stat().st_mtime
        )
        if pose:
            shutil.copyfile(pose[-1], dest / f"{name}.pose.parquet")
        spec = SUITE[name]
        view = spec.view + (
            f" (azimuth {spec.azimuth_deg:+g} deg)" if spec.view == "oblique" else ""
        )
        lines.append(
            f"| {name} | {spec.trial} | {view} | {spec.fault} ({spec.cross_deg:g} / "
            f"{spec.adduction_deg:g} / {spec.shrug_m:g}) | {spec.seconds:g} | "
            f"{spec.camera_height} | {spec.width}x{spec.height} | "
            f"{mr.BODY_SCALE * spec.scale:.3g} / {spec.girth} | "
            f"{c.get('detection_rate', '-')} |"
        )
    write_text(dest / "README.md", "\n".join(lines) + "\n")


EXPORT_README = """# Mocap-driven renders with exact truth

Made by `benchmarks/accuracy_mocap.py --export` (armcarriage repository) with
`armcarriage_eval.mocap_render`: the synthetic renderer's figure driven by motion capture of
running (Bandai Namco Research motion dataset, CC BY-NC 4.0: research and tests only, do not
redistribute), on a treadmill (the capture's forward travel removed), 30 fps, 3 s (90 frames;
4 s, 120 frames, for the slower active and tired trials). The table lists every case; the
first eleven were exported first.

Per case `NAME`:

- `NAME.mp4`: the render (H.264).
- `NAME.pose.parquet`: the pose model's track (`armcarriage.estimate_pose`, default settings);
  load with `armcarriage.track.PoseTrack.load(path)`.
- `NAME.truth.parquet`: the exact track of the figure's landmarks (`PoseTrack.load`): pixel
  positions, exact relative depth, and `world` landmarks in metres (hip-centred, camera axes:
  x right, y down, z away). Landmarks are placed as on the synthetic runner: the shoulder
  landmark 1.5 cm above the shoulder-joint centre along the trunk, hip landmarks 1 cm above and
  2 cm outside the hip-joint centres, elbows/wrists/knees/ankles at joint centres, face points
  on the head surface.
- `NAME.joints.npz`: per-frame 3D truth in the world frame (metres; x forward = running
  direction, y the runner's left, z up; floor z = 0): `time` (T,), and (T, 3) arrays
  `{left,right}_{shoulder,elbow,wrist,hip}` (joint centres), `{left,right}_ear` (ear landmark),
  `thorax_up` (trunk axis; a held shrug moves the shoulders along it), `source_frame` (T,) frame
  of the BVH file each frame comes from. `np.load(path)`.
- `NAME.events.csv`: true foot strikes and toe-offs from the capture (`foot`, `kind`, `time` and
  `frame` of the first frame in contact or off it, `time_subframe` the moment between frames):
  a foot is on the ground while its heel or toe joint is within 1 cm of its ground level
  (`armcarriage_eval.mocap.foot_contact`).
- `NAME.json`: the clip spec (trial, view, camera, arm variant: `cross_deg` forearm turned about
  the upper arm towards the midline at the forward end of the swing, `adduction_deg` whole arm
  turned towards the midline, `clear_m` the arm flexed forward where the turned forearm would
  enter the trunk, until it clears it by that much, `shrug_m` shoulders and arms raised along
  the trunk axis for the whole clip), the camera (position, target, focal length in px),
  cadence and speed.

The elbow angle of the joint centres equals `armcarriage_eval.mocap.elbow_angles` of the
trial (the retargeting moves each arm chain as a whole); the truth track's elbow angle uses
the shoulder landmark (1.5 cm higher) and reads 1.1 deg more on average (at most 3.0 deg over
the suite).

```python
import numpy as np
from armcarriage.track import PoseTrack
pose = PoseTrack.load("normal1_side_left.pose.parquet")
truth = PoseTrack.load("normal1_side_left.truth.parquet")
joints = np.load("normal1_side_left.joints.npz")
```
"""


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print the tables; write the results."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    ap.add_argument("--first", action="store_true", help="only the first set of cases")
    ap.add_argument("--cases", default="", help="comma-separated case names")
    ap.add_argument("--no-pose", action="store_true", help="exact tracks only (no pose model)")
    ap.add_argument("--export", type=Path, default=None, help="copy clips and truth here")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--mocap",
        type=Path,
        default=MOCAP,
        help="folder of the BVH files (default: ../shared/data/mocap)",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a setting other than the default (repeatable), e.g. pose.track_one_person=false",
    )
    args = ap.parse_args(argv)
    if not args.mocap.is_dir():
        print(f"no motion capture at {args.mocap} (the shared data folder); nothing to do")
        return 0
    print(f"motion capture from {args.mocap}")
    names = list(QUICK) if args.quick else list(FIRST) if args.first else list(SUITE)
    if args.cases:
        names = [n.strip() for n in args.cases.split(",") if n.strip()]
        unknown = [n for n in names if n not in SUITE]
        if unknown:
            print(f"unknown case(s) {unknown}; expected some of {', '.join(SUITE)}")
            return 2
    config = Config().override_pairs(args.set)
    t0 = time.perf_counter()
    cases = []
    for name in names:
        t1 = time.perf_counter()
        case = run_case(name, SUITE[name], not args.no_pose, config, args.mocap)
        cases.append(case)
        print(
            f"{name}: {time.perf_counter() - t1:.1f} s (render {case.get('render_s', '-')} s, "
            f"pose {case.get('pose_s', '-')} s), detection {case.get('detection_rate', '-')}, "
            f"{case.get('pipeline', case['exact'])['status']}",
            flush=True,
        )
    if args.export is not None:
        export(cases, args.export)
    stats = aggregate(cases)
    conf = {
        src: confusion(cases, src) for src in ("pipeline", "exact") if any(src in c for c in cases)
    }
    faults = by_fault(cases)
    table = tables(cases, stats, conf, faults)
    pairs = own.score_pairs(
        {c["case"]: c.pop("_analyses")["pipeline"] for c in cases if "pipeline" in c},
        SUITE,
        config,
    )
    table += "\n\n" + own.report(pairs)
    print("\n" + table)
    result = {
        "schema_version": 1,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "seconds": round(time.perf_counter() - t0, 1),
        "mocap": str(args.mocap),
        "cases": [
            {k: v for k, v in c.items() if k not in ("errors", "video", "_analyses")} for c in cases
        ],
        "specs": {n: dataclasses.asdict(SUITE[n]) for n in names},
        "metrics": stats,
        "confusion": conf,
        "by_fault": faults,
        "own_reference": {"pairs": pairs, "counts": own.summary_counts(pairs)},
    }
    write_text(args.out, json.dumps(result, indent=1, default=str))
    write_text(args.out.with_suffix(".md"), f"{HEADER}\n{table}")
    print(f"{len(cases)} clips in {time.perf_counter() - t0:.0f} s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
