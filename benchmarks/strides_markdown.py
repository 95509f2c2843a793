"""The markdown page of :mod:`strides_timing` (benchmarks/results/strides.md)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _by_view(renders: dict[str, Any]) -> list[str]:
    """Strike errors through the pose model pooled per view (frames of the capture rate).

    A render analysed twice (the slow-motion clip with its capture rate given by option and
    by tag) counts once; the errors in milliseconds compare frame rates.
    """
    pooled: dict[str, list[tuple[float, float]]] = {}
    seen: set[tuple[str, tuple[float, ...]]] = set()
    for r in renders.values():
        err = r.get("strikes", {}).get("error_frames")
        if err is None:
            continue
        view = str(r.get("view", "?"))
        key = (view, tuple(err))
        if key in seen:
            continue
        seen.add(key)
        fps = float(r.get("fps") or np.nan)
        pooled.setdefault("side" if view.startswith("side") else view, []).extend(
            (float(x), 1000.0 * float(x) / fps) for x in err
        )
    lines = [
        "",
        "Strike errors through the pose model, pooled per view (frames of the capture rate, "
        "and milliseconds; a truth strike with no detected strike within half a stride is "
        "not in the pool; a render analysed twice counts once):",
        "",
        "| view | strikes | within 1 frame | within 33 ms | median (signed) | "
        "p5 / p95 (signed) | median / p5 / p95 (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for view, pairs in sorted(pooled.items()):
        if not pairs:
            continue
        e, ms = (np.asarray(v, float) for v in zip(*pairs, strict=True))
        lines.append(
            f"| {view} | {e.size} | {np.mean(np.abs(e) <= 1.0):.2f} | "
            f"{np.mean(np.abs(ms) <= 1000.0 / 30.0):.2f} | {np.median(e):.2f} | "
            f"{np.percentile(e, 5):.2f} / {np.percentile(e, 95):.2f} | "
            f"{np.nanmedian(ms):.0f} / {np.nanpercentile(ms, 5):.0f} / "
            f"{np.nanpercentile(ms, 95):.0f} |"
        )
    return lines


def markdown(res: dict[str, Any]) -> str:
    lines = [
        "# Strides: slow motion, sprints, strike timing",
        "",
        "Produced by `benchmarks/strides_timing.py` (synthetic renders 320 x 240 through "
        "the pose model; motion capture projected exactly).",
        "",
        "| case | status | cadence error % | strikes within 1 frame | error median "
        "(signed) / p95 of abs (frames) | stride times within 5 % | per-stride vs clip "
        "cadence % |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in res["renders"].items():
        s = r.get("strikes", {})
        c = r.get("consistency", {})
        lines.append(
            f"| {name} | {r['status']} | {r['cadence_error_pct']} | {s.get('recall_1frame')} "
            f"(n={s.get('n_truth')}) | {s.get('error_frames_median')} / "
            f"{s.get('error_frames_p95_abs')} | {c.get('within_5pct_of_median')} | "
            f"{c.get('per_stride_vs_clip_pct')} |"
        )
    lines += _by_view(res["renders"])
    lines += [
        "",
        "Walking or running by the hips' motion (phase cosine against mid-stance: +1 highest "
        "there, walking's vault; -1 lowest there, running's spring; "
        "`armcarriage.strides.hip_phase`):",
        "",
        "| case | status | duty factor | phase cosine (steps) | read as |",
        "|---|---|---|---|---|",
    ]
    for name, r in res["renders"].items():
        ch = r["checks"]
        lines.append(
            f"| {name} | {r['status']} | {ch.get('duty_factor')} | "
            f"{ch.get('hip_midstance_cos')} ({ch.get('hip_phase_steps')}) | "
            f"{ch.get('gait_by_motion')} |"
        )
    lines += ["", "Messages of the cases not ok:", ""]
    lines += [f"- {n}: {r['message']}" for n, r in res["renders"].items() if r["status"] != "ok"]
    notes = [
        f"- {n}: {r['checks']['frame_rate_note']}"
        for n, r in res["renders"].items()
        if r["checks"].get("frame_rate_note")
    ]
    if notes:
        lines += ["", "Frame-rate notes:", "", *notes]
    lines += _other_sections(res)
    return "\n".join(lines) + "\n"


def _other_sections(res: dict[str, Any]) -> list[str]:
    """Motion capture projected exactly, the real clips and the real treadmill clip."""
    lines: list[str] = []
    mc = res.get("mocap", {})
    if mc and "skipped" not in mc:
        lines += [
            "",
            "## Motion capture, exact projections (30 fps)",
            "",
            "| trial / view | status | hips' phase cosine | cadence error % | strikes within "
            "1 frame | strike errors (frames) |",
            "|---|---|---|---|---|---|",
        ]
        for k, r in mc.items():
            lines.append(
                f"| {k} | {r['status']} | {r.get('hip_midstance_cos')} | "
                f"{r['cadence_error_pct']} | {r['recall_1frame']} | {r['error_frames']} |"
            )
    rc = res.get("real", {})
    if rc:
        lines += [
            "",
            "## Real clips of the shared data (through the pose model)",
            "",
            "| clip | shows | status | cadence | duty factor | hips' phase cosine (steps) | "
            "reason |",
            "|---|---|---|---|---|---|---|",
        ]
        for k, r in rc.items():
            lines.append(
                f"| {k} | {r['shows']} | {r['status']} | {r['cadence_spm']} | "
                f"{r['duty_factor']} | {r['hip_midstance_cos']} ({r['hip_phase_steps']}) | "
                f"{r['message'] or '-'} |"
            )
    tm = res.get("treadmill", {})
    if tm and "skipped" not in tm:
        lines += [
            "",
            "## Real treadmill clip (truth 168.9 steps/min)",
            "",
            f"status {tm['status']}, cadence {tm['cadence_spm']} "
            f"({tm['cadence_error_pct']} %), per-stride: {tm['consistency']}",
        ]
    return lines
