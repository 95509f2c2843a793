"""Shrug and crossing acceptance: held shrugs, relaxed runs, crossing arms, the real clip.

Renders small 3-second synthetic clips (held shrug 0/3/5/7 cm from the front and the
side, relaxed and crossing runs from the front and behind), runs the pose stage with
the segmentation mask on them, on the motion-capture renders of ``--mocap`` (their
README: held shrug, crossing, relaxed; side, front, rear) and on the real treadmill
clip, and prints per clip the figures and the cues that fired (or were borderline).
Also prints the mask's CPU cost per frame (pose model with and without
``output_segmentation_masks``, and the reading of the silhouette numbers).

    PYTHONPATH=$PWD:$PWD/evaluation python benchmarks/shrug_crossing.py \
        [--cache DIR] [--mocap /work/cache/mocap_suite]

Writes benchmarks/results/shrug_crossing.json and .md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from armcarriage_eval.synthetic.clip import ClipSpec, make_clip

from armcarriage.analysis import analyze
from armcarriage.config import Config
from armcarriage.cues import assess
from armcarriage.pose import estimate_pose, mediapipe_tasks, resolve_model_path
from armcarriage.silhouette import silhouette_features
from armcarriage.video import iter_frames, probe_video

RESULTS = Path(__file__).parent / "results"
REAL_CLIP = Path("/work/shared/data/videos/treadmill_side_portrait.mp4")
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default="/tmp/armcarriage_shrug_crossing")
    ap.add_argument(
        "--mocap",
        default="/work/cache/mocap_suite",
        help="motion-capture renders (NAME.mp4, NAME.json); skipped if absent",
    )
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    cfg = Config()
    rows = []
    for name, spec, truth in clips():
        video = cache / f"{name}.mp4"
        if not video.exists():
            make_clip(video, spec)
        track = estimate_pose(video, cfg)
        rows.append(summarise(name, analyze(track, cfg), truth))
        print(json.dumps(rows[-1]), flush=True)
    mocap = Path(args.mocap)
    for meta in sorted(mocap.glob("*.json")) if mocap.is_dir() else []:
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
        track = estimate_pose(video, cfg)
        rows.append(summarise(f"mocap:{meta.stem}", analyze(track, cfg), truth))
        print(json.dumps(rows[-1]), flush=True)
    if REAL_CLIP.exists():
        t0 = time.process_time()
        track = estimate_pose(REAL_CLIP, cfg)
        print(
            f"real clip pose stage: {1000 * (time.process_time() - t0) / track.n_frames:.1f} "
            "ms CPU per frame",
            flush=True,
        )
        rows.append(
            summarise(REAL_CLIP.stem, analyze(track, cfg), {"shrug_cm": None, "crossing": None})
        )
        print(json.dumps(rows[-1]), flush=True)
    cost = mask_cost(cache / "front_shrug0.mp4")
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
    RESULTS.mkdir(exist_ok=True)
    doc = {"clips": rows, "mask_cost_ms_per_frame": cost, "acceptance": accept}
    (RESULTS / "shrug_crossing.json").write_text(json.dumps(doc, indent=2, default=str))
    lines = [
        "# Shrug and crossing acceptance",
        "",
        "3-second synthetic renders (480x360, pose model with the segmentation mask) "
        "and the real treadmill clip; per-arm medians over the strides.",
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
        "Mask cost, CPU ms per frame: " + ", ".join(f"{k} {v:.2f}" for k, v in cost.items()),
        "",
        "Acceptance: " + ", ".join(f"{k} = {v}" for k, v in accept.items()),
        "",
    ]
    (RESULTS / "shrug_crossing.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
