"""A stand-in for armcarriage.pipeline.run_analysis used by the batch tests.

It reads the clip's bytes, rejects files without an MP4 header or without a
'moov' box (like a renamed text file or a truncated download), and derives
deterministic per-stride numbers from the content hash, so results can be
compared between runs and backends without running the pose model.
Also runnable as a script: ``python batch_fakes.py INPUT OUTDIR DB WORKERS``
runs a batch with the fake (used by the interruption test).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from armcarriage.analysis import Analysis
from armcarriage.atomic import write_text
from armcarriage.errors import VideoError

METRICS = {
    "elbow_angle_mean": (90.0, 8.0),
    "swing_arc_deg": (60.0, 10.0),
    "wrist_arc_tl": (0.8, 0.1),
    "crossing_max_sw": (0.05, 0.05),
    "shrug_rise_tl": (0.02, 0.01),
    "trunk_rotation_deg": (12.0, 3.0),
    "cadence_spm": (170.0, 4.0),
}
N_STRIDES = 6


def make_video_bytes(seed: int, truncated: bool = False) -> bytes:
    """Bytes that the fake accepts as a video (an ftyp box, then moov unless truncated)."""
    body = np.random.default_rng(seed).bytes(2048)
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + (b"" if truncated else b"\x00\x00\x00\x08moov") + body


def fake_analysis(video, outdir, config=None, progress=None):
    video, outdir = Path(video), Path(outdir)
    data = video.read_bytes()
    if data.startswith(b"CRASH"):
        os._exit(3)  # a decoder crash takes the whole worker process down
    if data[4:8] != b"ftyp":
        raise VideoError(f"{video}: expected an MP4 file (an 'ftyp' box), got other bytes")
    if b"moov" not in data:
        raise VideoError(f"{video}: truncated MP4, no 'moov' box")
    log_file = os.environ.get("ARMCARRIAGE_FAKE_LOG")
    if log_file:
        with open(log_file, "a", encoding="utf-8") as fh:
            fh.write(video.name + "\n")
    delay = float(os.environ.get("ARMCARRIAGE_FAKE_DELAY", "0"))
    for step in range(1, 5):
        if delay:
            time.sleep(delay / 4)
        if progress is not None:
            progress(step * 25, 100)
    seed = int(hashlib.sha256(data).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    strides = _strides(rng)
    analysis = Analysis(
        status="ok",
        message="",
        view={"label": "side_left", "confidence": 0.9},
        events=pd.DataFrame(columns=["foot", "kind", "time", "frame"]),
        strides=strides,
        summary=_summary(strides),
        validity={},
        cadence_spm=float(strides["cadence_spm"].median()),
        series=pd.DataFrame({"time": [0.0]}),
        track=None,
    )
    cues = [SimpleNamespace(cue=f"cue {seed % 5}"), SimpleNamespace(cue="relax the shoulders")]
    outputs = {
        "report": write_text(outdir / "report.html", f"<html>{video.name}</html>"),
        "strides": write_text(outdir / "strides.csv", strides.to_csv(index=False)),
    }
    return SimpleNamespace(
        status="ok", analysis=analysis, cues=cues, outputs=outputs, video_info=None, message=""
    )


def slow_first_analysis(video, outdir, config=None, progress=None):
    """:func:`fake_analysis`, taking 3 s longer for a clip named ``slow*``."""
    if Path(video).name.startswith("slow"):
        time.sleep(3.0)
    return fake_analysis(video, outdir, config, progress)


def _strides(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for stride in range(N_STRIDES):
        for side in ("left", "right"):
            row = {
                "stride": stride,
                "side": side,
                "t_start": stride * 0.7,
                "t_end": stride * 0.7 + 0.7,
            }
            for m, (mean, sd) in METRICS.items():
                bias = 1.1 if side == "left" and m == "swing_arc_deg" else 1.0
                row[m] = round(float(rng.normal(mean, sd)) * bias, 6)
                row[f"{m}_conf"] = 0.9
                row[f"{m}_reason"] = ""
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.loc[frame.index[-1], "trunk_rotation_deg"] = np.nan
    frame.loc[frame.index[-1], "trunk_rotation_deg_reason"] = "hip occluded"
    return frame


def _summary(strides: pd.DataFrame) -> dict:
    out = {}
    third = max(1, N_STRIDES // 3)
    for m in METRICS:
        entry = {}
        for side in ("left", "right", "both"):
            sel = strides if side == "both" else strides[strides["side"] == side]
            values = sel[m].dropna()
            entry[side] = {
                "median": float(values.median()),
                "n": int(values.size),
                "confidence": 0.9,
                "first_third": float(sel[sel["stride"] < third][m].median()),
                "last_third": float(sel[sel["stride"] >= N_STRIDES - third][m].median()),
            }
        out[m] = entry
    return out


def main(argv: list[str]) -> int:
    from rich.console import Console

    from armcarriage.batch.runner import run_batch

    source, outdir, db, workers = argv[0], argv[1], argv[2], int(argv[3])
    try:
        result = run_batch(
            source,
            outdir,
            workers=workers,
            db=db,
            analyse=fake_analysis,
            console=Console(stderr=True, force_terminal=False),
        )
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    counts = {s: result.count(s) for s in ("done", "skipped", "failed")}
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def write_sessions(db: str, writer: int, n: int, start_event=None) -> list[int]:
    """Write ``n`` sessions (and one session every writer shares) into ``db``; used by the
    concurrent-writer test, run in several processes at once."""
    from armcarriage.history.db import get_engine
    from armcarriage.history.store import SessionRecord, record_session, strides_long

    engine = get_engine(db)
    if start_event is not None:
        start_event.wait(30)
    ids = []
    for i in range(n + 1):
        shared = i == n
        strides = strides_long(_strides(np.random.default_rng(writer * 1000 + i)))
        record = SessionRecord(
            athlete=f"athlete{i % 3}",
            clip=f"clip{writer}-{i}.mp4",
            clip_key="shared" if shared else f"w{writer}-{i}",
            content_hash="shared" if shared else f"{writer}-{i}",
            settings_hash="s",
            settings_json="{}",
            software_version="test",
            status="done",
            cues=[f"cue {i}"],
        )
        ids.append(record_session(engine, record, strides))
    return ids


def fake_analysis_with_references(video, outdir, config=None, progress=None, references=()):
    """fake_analysis that also lists the relaxed references it was given in refs.txt."""
    result = fake_analysis(video, outdir, config, progress)
    lines = [f"{ref.session} {ref.date} {ref.neck_tl:.3f}\n" for ref in references]
    (Path(outdir) / "refs.txt").write_text("".join(lines), encoding="utf-8")
    return result
