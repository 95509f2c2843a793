"""Shrug and crossing acceptance: held shrugs, relaxed runs, crossing arms, the real clip.

Renders small 3-second synthetic clips (held shrug 0/3/5/7 cm from the front and the
side, relaxed and crossing runs from the front and behind), runs the pose stage with
the segmentation mask on them, on the motion-capture renders of ``--mocap`` (the suite
of ``benchmarks/accuracy_mocap.py``, which makes them: held shrug, crossing, relaxed;
side, front, rear) and on the real treadmill clip (pose tracks cached beside each
video, keyed like ``benchmarks/accuracy.py``), and prints per clip the figures and the
cues that fired (or were borderline); for the motion-capture crossing renders, where
the model puts a wrist whose truth is across the midline. Also prints the mask's CPU
cost per frame (pose model with and without ``output_segmentation_masks``, and the
reading of the silhouette numbers).

    PYTHONPATH=$PWD:$PWD/evaluation python benchmarks/shrug_crossing.py \
        [--cache DIR] [--mocap benchmarks/cache/accuracy_mocap]

Writes benchmarks/results/shrug_crossing.json and .md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from armcarriage_eval.synthetic.clip import ClipSpec, make_clip

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import pose_track
from accuracy_mocap import SUITE, spec_key

from armcarriage.analysis import analyze
from armcarriage.cleaning import usable_wrists
from armcarriage.config import Config
from armcarriage.cues import assess
from armcarriage.metrics.geometry import midline_crossing, shoulder_width
from armcarriage.pose import mediapipe_tasks, resolve_model_path
from armcarriage.silhouette import silhouette_features
from armcarriage.track import PoseTrack
from armcarriage.video import iter_frames, probe_video

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).resolve().parents[1]
REAL_CLIP = ROOT.parent / "shared" / "data" / "videos" / "treadmill_side_portrait.mp4"
METRICS = ("shrug_neck_tl", "shrug_level_tl", "shrug_rise_tl", "crossing_max_sw")


def clips() -> list[tuple[str, ClipSpec, dict[str, float]]]:
    out = []
    for view in ("front", "side_left", "rear"):
        for cm in (0, 3, 5, 7):
            if view == "rear" and cm in (3, 7):
                continue
            spec = ClipSpec(
                view=view, seconds=3.0, width=480, height=360, runner={"both.shrug_m": cm / 100.0}
            )
            out.append((f"{view}_shrug{cm}", spec, {"shrug_cm": cm, "crossing": 0}))
        if view != "side_left":
            spec = ClipSpec(view=view, fault="crossing", seconds=3.0, width=480, height=360)
            out.append((f"{view}_crossing", spec, {"shrug_cm": 0, "crossing": 1}))
    return out


def mask_cost(video: Path, frames: int = 60) -> dict[str, float]:
    """CPU ms per frame of the pose model without and with the mask, and of the reading."""
    mp = mediapipe_tasks()
    cfg = Config()
    out: dict[str, float] = {}
    for masks in (False, True):
        opts = mp.PoseLandmarkerOptions(
            base_options=mp.BaseOptions(model_asset_path=str(resolve_model_path())),
            running_mode=mp.RunningMode.VIDEO,
            num_poses=2,
            output_segmentation_masks=masks,
        )
        lm = mp.PoseLandmarker.create_from_options(opts)
        model = read = 0.0
        n = 0
        for i, fr in enumerate(iter_frames(video, cfg, info=probe_video(video, cfg))):
            if i >= frames:
                break
            t0 = time.process_time()
            r = lm.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(fr.image)),
                (i + 1) * 1000,
            )
            t1 = time.process_time()
            model += t1 - t0
            if masks and r.segmentation_masks and r.pose_landmarks:
                h, w = fr.image.shape[:2]
                pts = np.array([[p.x * w, p.y * h] for p in r.pose_landmarks[0]])
                silhouette_features(r.segmentation_masks[0].numpy_view(), pts, w, h)
                read += time.process_time() - t1
            n += 1
        lm.close()
        key = "with_mask" if masks else "without_mask"
        out[f"model_ms_{key}"] = 1000 * model / max(n, 1)
        if masks:
            out["read_silhouette_ms"] = 1000 * read / max(n, 1)
    return out


def summarise(name: str, analysis, truth: dict[str, float]) -> dict[str, object]:
    s = analysis.strides
    ass = assess(analysis)
    row: dict[str, object] = {"clip": name, "view": analysis.view.get("label"), **truth}
    for m in METRICS:
        for side in ("left", "right"):
            v = s.loc[(s["side"] == side) & s[m].notna(), m] if len(s) else pd.Series()
            row[f"{m}_{side}"] = round(float(np.median(v)), 3) if len(v) else None
    row["cues"] = [f"{c.rule_id}:{c.side}" for c in ass.fired]
    row["borderline"] = [
        f"{b['rule']}:{b['side']}={b['value']:.3f}+/-{b['noise']:g}" for b in ass.borderline
    ]
    row["not_assessed"] = sorted({n["rule"] for n in ass.not_assessed})
    return row


def crossing_wrists(pose: PoseTrack, truth: PoseTrack) -> dict[str, dict[str, float]]:
    """Where the pose model puts a wrist whose truth is across the midline, per arm.

    Over the frames in which the exact wrist is across (crossing > 0, truth shoulders and
    shoulder width): how many the cleaning keeps (visibility >= min_visibility or
    :func:`armcarriage.cleaning.usable_wrists`), how many the model scores as visible,
    the median distance of the model's wrist from the truth (px and shoulder widths), in
    how many the model's wrist reads across too, and the median distance in the other
    frames. Also the model's shoulder width over the truth's.
    """
    cc = Config().cleaning
    kp = list(pose.keypoints)
    kept = usable_wrists(
        pose.ds["position"].values,
        pose.ds["visibility"].values,
        kp,
        cc.min_visibility,
        cc.wrist_forearm_ratio,
        cc.wrist_jump_tl,
    )
    sw = {
        n: float(
            np.nanpercentile(shoulder_width(t.xy("left_shoulder"), t.xy("right_shoulder")), 90)
        )
        for n, t in (("pose", pose), ("truth", truth))
    }
    out: dict[str, dict[str, float]] = {}
    for side in ("left", "right"):
        other = "right" if side == "left" else "left"
        ref = [
            truth.xy(k) for k in (f"{side}_shoulder", f"{other}_shoulder", "left_hip", "right_hip")
        ]
        across = midline_crossing(truth.xy(f"{side}_wrist"), *ref, sw["truth"]) > 0
        if not across.any():
            continue
        read = midline_crossing(pose.xy(f"{side}_wrist"), *ref, sw["truth"]) > 0
        vis = pose.vis(f"{side}_wrist")
        err = np.linalg.norm(pose.xy(f"{side}_wrist") - truth.xy(f"{side}_wrist"), axis=1)
        keep = kept[:, kp.index(f"{side}_wrist")] | (vis >= cc.min_visibility)
        out[side] = {
            "frames_across": int(across.sum()),
            "kept_pct": round(100 * float(keep[across].mean()), 1),
            "scored_visible_pct": round(100 * float((vis[across] >= cc.min_visibility).mean()), 1),
            "error_px": round(float(np.nanmedian(err[across])), 1),
            "error_sw": round(float(np.nanmedian(err[across])) / sw["truth"], 2),
            "reads_across_pct": round(100 * float(read[across].mean()), 1),
            "error_px_elsewhere": round(float(np.nanmedian(err[~across])), 1),
        }
    out["shoulder_width_ratio"] = {"pose_over_truth": round(sw["pose"] / sw["truth"], 3)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=str(ROOT / "benchmarks" / "cache" / "shrug_crossing"))
    ap.add_argument(
        "--rewrite", action="store_true", help="only rewrite the .md from the stored .json"
    )
    ap.add_argument(
        "--mocap",
        default=str(ROOT / "benchmarks" / "cache" / "accuracy_mocap"),
        help="motion-capture renders (NAME.mp4, NAME.json; benchmarks/accuracy_mocap.py "
        "makes them); skipped if absent",
    )
    ap.add_argument("--real", default=str(REAL_CLIP), help="the real treadmill clip")
    ap.add_argument(
        "--keep-mask-cost",
        action="store_true",
        help="keep the mask cost stored in the results instead of timing it again "
        "(on a shared machine the timing is not worth writing down)",
    )
    args = ap.parse_args()
    if args.rewrite:
        write_results(json.loads((RESULTS / "shrug_crossing.json").read_text()))
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    rows = []
    wrists: dict[str, dict[str, dict[str, float]]] = {}
    for name, spec, truth in clips():
        video = cache / f"{name}.mp4"
        if not video.exists():
            make_clip(video, spec)
        track, _ = pose_track(video, cfg)
        rows.append(summarise(name, analyze(track, cfg), truth))
        print(json.dumps(rows[-1]), flush=True)
    mocap = Path(args.mocap)
    metas = [mocap / f"{spec_key(n, s)}.json" for n, s in SUITE.items()]
    for meta in [m for m in metas if m.exists()] if mocap.is_dir() else []:
        video = meta.with_suffix(".mp4")
        spec = json.loads(meta.read_text())["spec"]
        if not video.exists():
            continue
        truth = {
            "shrug_cm": round(100 * float(spec.get("shrug_m", 0.0))),
            "crossing": int(
                float(spec.get("cross_deg", 0.0)) > 0 or float(spec.get("adduction_deg", 0.0)) > 0
            ),
        }
        track, _ = pose_track(video, cfg)
        name = meta.stem.rsplit("-", 1)[0] if "-" in meta.stem else meta.stem
        rows.append(summarise(f"mocap:{name}", analyze(track, cfg), truth))
        exact = meta.with_suffix(".truth.parquet")
        if truth["crossing"] and spec.get("view") in ("front", "rear") and exact.exists():
            wrists[name] = crossing_wrists(track, PoseTrack.load(exact))
        print(json.dumps(rows[-1]), flush=True)
    if Path(args.real).exists():
        real = cache / Path(args.real).name
        if not real.exists():
            real.symlink_to(Path(args.real).resolve())
        t0 = time.process_time()
        track, _ = pose_track(real, cfg)
        print(
            f"real clip pose stage: {1000 * (time.process_time() - t0) / track.n_frames:.1f} "
            "ms CPU per frame (0 when cached)",
            flush=True,
        )
        rows.append(
            summarise(REAL_CLIP.stem, analyze(track, cfg), {"shrug_cm": None, "crossing": None})
        )
        print(json.dumps(rows[-1]), flush=True)
    stored = RESULTS / "shrug_crossing.json"
    if args.keep_mask_cost and stored.is_file():
        old = json.loads(stored.read_text())
        cost = old["mask_cost_ms_per_frame"]
        note = old.get("mask_cost_note") or "timed by an earlier run"
    else:
        cost, note = mask_cost(cache / "front_shrug0.mp4"), ""
    print("mask cost (CPU ms per frame):", json.dumps({k: round(v, 2) for k, v in cost.items()}))
    df = pd.DataFrame(rows)

    def cued(row: pd.Series, prefix: str) -> bool:
        return any(c.startswith(prefix) for c in row["cues"])

    def shrug_state(row: pd.Series) -> str:
        if cued(row, "shrug"):
            return "cued"
        return "borderline" if any(b.startswith("shrug") for b in row["borderline"]) else "none"

    held = {
        f"{r['clip']} ({r['shrug_cm']} cm, {r['view']})": shrug_state(r)
        for _, r in df[df["shrug_cm"].fillna(-1) >= 3].iterrows()
    }
    relaxed = df[df["shrug_cm"].fillna(-1) == 0]
    crossing = df[df["crossing"] == 1]
    accept = {
        "held_shrug": held,
        "shrug_cues_on_no_shrug_clips": [
            r["clip"] for _, r in relaxed.iterrows() if cued(r, "shrug")
        ],
        "crossing": {
            f"{r['clip']} ({r['view']})": next(
                (c for c in r["cues"] if c.startswith("midline")), "none"
            )
            for _, r in crossing.iterrows()
        },
        "crossing_cues_on_clean_clips": [
            r["clip"] for _, r in df[df["crossing"] == 0].iterrows() if cued(r, "midline")
        ],
        "real_clip": {
            r["clip"]: {"cues": r["cues"], "borderline": r["borderline"]}
            for _, r in df[df["shrug_cm"].isna()].iterrows()
        },
    }
    print("acceptance:", json.dumps(accept))
    print("crossing wrists:", json.dumps(wrists))
    write_results(
        {
            "clips": rows,
            "mask_cost_ms_per_frame": cost,
            "mask_cost_note": note,
            "created": time.strftime("%Y-%m-%d", time.gmtime()),
            "acceptance": accept,
            "crossing_wrists": wrists,
        }
    )


def write_results(doc: dict[str, object]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shrug_crossing.json").write_text(json.dumps(doc, indent=2, default=str))
    rows, cost, accept = doc["clips"], doc["mask_cost_ms_per_frame"], doc["acceptance"]
    lines = [
        "# Shrug and crossing acceptance",
        "",
        "Written by `benchmarks/shrug_crossing.py`: 3-second synthetic renders (480x360), the "
        "motion-capture renders of the mocap suite and the real treadmill clip, each run "
        "through the pose stage with the segmentation mask. Per-arm medians over the "
        "strides; neck = `shrug_neck_tl` (one figure for both arms), level / rise = "
        "`shrug_level_tl` / `shrug_rise_tl`, crossing = `crossing_max_sw`; - = not measured.",
        "",
        "| clip | view | neck L/R | level L/R | rise L/R | crossing L/R | cues | borderline |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def pair(r: dict[str, object], m: str) -> str:
        return "/".join(
            "-" if r[f"{m}_{s}"] is None else f"{r[f'{m}_{s}']:.3f}" for s in ("left", "right")
        )

    for r in rows:
        lines.append(
            f"| {r['clip']} | {r['view']} | "
            + " | ".join(pair(r, m) for m in METRICS)
            + f" | {', '.join(r['cues']) or '-'} | {', '.join(r['borderline']) or '-'} |"
        )
    lines += [
        "",
        "Mask cost, CPU ms per frame: "
        + ", ".join(f"{k} {v:.2f}" for k, v in cost.items())
        + (f" ({doc['mask_cost_note']}; kept by this run)" if doc.get("mask_cost_note") else ""),
        "",
        "## Acceptance",
        "",
        "Held shrugs (cued / borderline / none):",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in accept["held_shrug"].items()]
    lines += [
        "",
        "Shrug cues on clips without a shrug: "
        + (", ".join(accept["shrug_cues_on_no_shrug_clips"]) or "none"),
        "",
        "Crossing arms (the cue that fired):",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in accept["crossing"].items()]
    lines += [
        "",
        "Crossing cues on clips without crossing: "
        + (", ".join(accept["crossing_cues_on_clean_clips"]) or "none"),
        "",
        "Real clip: " + json.dumps(accept["real_clip"]),
        "",
    ]
    lines += crossing_lines(doc.get("crossing_wrists", {}))
    cues = RESULTS / "crossing_cues.md"  # written by benchmarks/crossing_cues.py
    if cues.is_file():
        lines += ["", cues.read_text().rstrip()]
    (RESULTS / "shrug_crossing.md").write_text("\n".join(lines) + "\n")


def crossing_lines(wrists: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    if not wrists:
        return []
    lines = [
        "## Where the pose model puts a crossing wrist",
        "",
        "Motion-capture crossing renders, frames in which the exact wrist is across the "
        "midline (`crossing_wrists`): how many of them cleaning keeps (visible, or a "
        "low-score wrist whose position fits the arm), how many the model scores visible, "
        "its wrist's median distance from the truth there and in the other frames, and in "
        "how many it reads across too; sw ratio = the model's shoulder width over the "
        "truth's.",
        "",
        "| clip | arm | frames across | kept | scored visible | error there | reads across "
        "| error elsewhere | sw ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for clip, arms in wrists.items():
        ratio = arms.get("shoulder_width_ratio", {}).get("pose_over_truth")
        for arm in ("left", "right"):
            a = arms.get(arm)
            if a is None:
                continue
            lines.append(
                f"| {clip} | {arm} | {a['frames_across']} | {a['kept_pct']:.0f} % | "
                f"{a['scored_visible_pct']:.0f} % | {a['error_px']:.1f} px "
                f"({a['error_sw']:.2f} sw) | {a['reads_across_pct']:.0f} % | "
                f"{a['error_px_elsewhere']:.1f} px | {ratio} |"
            )
    return [*lines, ""]


if __name__ == "__main__":
    main()
