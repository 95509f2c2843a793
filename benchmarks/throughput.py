"""Throughput and memory: naive loop, decode only, pose stage, ``analyze``, ``--export-video``.

In one run, in one process tree (this script and its children), on 1080p clips made from a
real runner clip (10 s, 30 s and 10 min at 30 fps, and 30 s at 60 fps):

(a) naive: OpenCV reads every full-resolution frame and one MediaPipe PoseLandmarker VIDEO
    call is made per frame, single process, with the same model bundle and MediaPipe's
    default options (one pose, confidences 0.5): what most open tools do;
(b) decode only: the pipeline's reader (PyAV, threaded, ``pose.max_side``/``target_fps``);
(p) the pose stage alone (``armcarriage.pipeline.estimate_track``: worker processes);
(c) ``armcarriage analyze`` end to end with its default outputs, as a user runs it (the CLI in
    a subprocess);
(e) the same with ``--export-video`` (the annotated video as well).

Each stage runs in its own child process; wall time, CPU time and the peak memory of the
child's whole process tree (sum of RSS, and of PSS, which splits shared pages between
processes) are sampled from ``/proc``. Frames/s counts the frames of the clip analysed
per wall-clock second, start-up and model loading included; every stage's speed is also
given as a ratio to the naive loop's on the same clip. The machine's load average before
and after is recorded. Results go to ``benchmarks/results/throughput.json``.

The 1080p clips are encoded from the shared treadmill clip; the longer ones loop it by
remuxing (no re-encoding); the 60 fps one doubles its frame rate by blending neighbouring
frames (libavfilter ``framerate``). All in ``benchmarks/cache/`` (git-ignored).

Usage::

    python benchmarks/throughput.py            # all four clips (about 40 min)
    python benchmarks/throughput.py --quick    # 10 min clip replaced by 60 s

Figures from a shared or busy machine are labelled as such (load average recorded).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / "cache"
RESULTS = ROOT / "benchmarks" / "results" / "throughput.json"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "videos" / "treadmill_side_portrait.mp4"
STAGES = ("naive", "decode", "pose", "analyze", "export")


# ------------------------------------------------------------------- clips
def make_1080p(source: Path, seconds: float, out: Path) -> Path:
    """Encode ``seconds`` of ``source`` scaled so its short side is 1080 px.

    A source shorter than ``seconds`` is played again from its start until they are filled.
    """
    import av

    from armcarriage.video import iter_frames, probe_video

    if out.exists():
        return out
    info = probe_video(source)
    scale = 1080 / min(info.width, info.height)
    w, h = (int(round(info.width * scale / 2)) * 2, int(round(info.height * scale / 2)) * 2)
    rate = Fraction(info.fps).limit_denominator(1001)
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20", "g": str(int(round(2 * info.fps)))}
        wanted, n = int(round(seconds * float(rate))), 0
        while n < wanted:
            for frame in iter_frames(source, info=info, stop_s=seconds):
                vf = av.VideoFrame.from_ndarray(frame.image, format="rgb24").reformat(w, h)
                for packet in stream.encode(vf):
                    container.mux(packet)
                n += 1
                if n >= wanted:
                    break
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(out)
    return out


def loop_clip(clip: Path, seconds: float, out: Path) -> Path:
    """Repeat ``clip`` by remuxing its packets with shifted timestamps (no re-encoding)."""
    import av

    if out.exists():
        return out
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(clip)) as src:
        s_in = src.streams.video[0]
        pts = [(p.pts, p.duration or 0) for p in src.demux(s_in) if p.size]
        span = max(a + d for a, d in pts) - min(a for a, _ in pts)
        loops = max(1, int(round(seconds / float(span * s_in.time_base))))
    with av.open(str(tmp), "w", format="mp4") as dst:
        for k in range(loops):
            with av.open(str(clip)) as src:
                s_in = src.streams.video[0]
                if k == 0:
                    s_out = dst.add_stream_from_template(s_in)
                for p in src.demux(s_in):
                    if not p.size:
                        continue
                    p.pts += k * span
                    p.dts += k * span
                    p.stream = s_out
                    dst.mux(p)
    tmp.replace(out)
    return out


def double_rate(clip: Path, out: Path) -> Path:
    """Encode ``clip`` at twice its frame rate, blending neighbouring frames (``framerate``)."""
    import av

    if out.exists():
        return out
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(clip)) as src, av.open(str(tmp), "w") as dst:
        s_in = src.streams.video[0]
        rate = Fraction(2 * s_in.average_rate).limit_denominator(1001)
        graph = av.filter.Graph()
        head = graph.add_buffer(template=s_in)
        blend = graph.add("framerate", f"fps={rate}")
        sink = graph.add("buffersink")
        head.link_to(blend)
        blend.link_to(sink)
        graph.configure()
        s_out = dst.add_stream("libx264", rate=rate)
        s_out.width, s_out.height = s_in.codec_context.width, s_in.codec_context.height
        s_out.pix_fmt = "yuv420p"
        s_out.options = {"preset": "veryfast", "crf": "20", "g": str(int(2 * rate))}
        n = 0

        def drain() -> None:
            nonlocal n
            while True:
                try:
                    frame = graph.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    return
                frame.pts, frame.time_base = n, 1 / rate
                n += 1
                for packet in s_out.encode(frame):
                    dst.mux(packet)

        for frame in src.decode(s_in):
            graph.push(frame)
            drain()
        graph.push(None)
        drain()
        for packet in s_out.encode():
            dst.mux(packet)
    tmp.replace(out)
    return out


# ---------------------------------------------------------------- children
def child_naive(video: Path, result: Path) -> None:
    """(a) OpenCV read + one PoseLandmarker VIDEO call per full-resolution frame."""
    import cv2
    import mediapipe as mp
    import numpy as np
    from mediapipe.tasks.python import BaseOptions, vision

    from armcarriage.pose import resolve_model_path

    options = vision.PoseLandmarkerOptions(  # MediaPipe's defaults: one pose, 0.5 thresholds
        base_options=BaseOptions(model_asset_path=str(resolve_model_path())),
        running_mode=vision.RunningMode.VIDEO,
    )
    t0 = time.perf_counter()
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    poses: list[np.ndarray] = []
    n = 0
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            res = landmarker.detect_for_video(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps)
            )
            if res.pose_landmarks:
                poses.append(np.array([[p.x, p.y, p.z] for p in res.pose_landmarks[0]]))
            n += 1
    cap.release()
    _write(result, {"frames": n, "loop_s": time.perf_counter() - t0, "poses": len(poses)})


def child_decode(video: Path, result: Path) -> None:
    """(b) The pipeline's reader alone, with the pose stage's size and rate settings."""
    from armcarriage.config import Config
    from armcarriage.video import iter_frames

    pc = Config().pose
    t0 = time.perf_counter()
    n = sum(1 for _ in iter_frames(video, target_fps=pc.target_fps, max_side=pc.max_side))
    _write(result, {"frames": n, "loop_s": time.perf_counter() - t0})


def child_pose(video: Path, result: Path, workers: int = 0, settings: tuple[str, ...] = ()) -> None:
    """(p) The pipeline's pose stage alone (``estimate_track``: parallel when it pays)."""
    from armcarriage.config import Config
    from armcarriage.pipeline import estimate_track

    config = Config().override_pairs(settings)
    t0 = time.perf_counter()
    track = estimate_track(video, config.override({"pose.workers": workers}))
    par = json.loads(track.attrs.get("parallel", "{}"))
    _write(
        result,
        {
            "frames": track.n_frames,
            "loop_s": time.perf_counter() - t0,
            "pose_workers": par.get("workers", 1),
            "pose_chunks": len(par.get("chunks", [])) or 1,
        },
    )


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


# ------------------------------------------------------------ measurement
def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo += _children(p)
    return seen


def _kb(path: str, key: str) -> int:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _name(pid: int) -> str:
    """A short description of a process: its command line, abbreviated."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().split(b"\0")
    except OSError:
        return str(pid)
    text = " ".join(Path(a.decode(errors="replace")).name for a in args[:4] if a)
    return text[:80]


class TreeSampler(threading.Thread):
    """Sample the summed RSS and PSS of a process and its descendants."""

    def __init__(self, pid: int, every_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.peak_rss_kb = self.peak_pss_kb = self.max_procs = 0
        self.at_peak: list[tuple[str, float]] = []
        self._halt = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self._halt.is_set():
            pids = _tree(self.pid)
            each = {p: _kb(f"/proc/{p}/status", "VmRSS:") for p in pids}
            rss = sum(each.values())
            if rss > self.peak_rss_kb:
                self.at_peak = [(_name(p), round(kb / 1024, 1)) for p, kb in each.items() if kb]
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.max_procs = max(self.max_procs, len(pids))
            if tick % 5 == 0 or rss >= self.peak_rss_kb:  # PSS is dearer to read
                pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
                self.peak_pss_kb = max(self.peak_pss_kb, pss)
            tick += 1
            self._halt.wait(self.every_s)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_stage(
    stage: str, video: Path, workers: int, log_dir: Path, settings: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run one stage in a child process tree and measure it."""
    import resource

    result = log_dir / f"{stage}_{video.stem}.json"
    outdir = log_dir / f"out_{video.stem}"
    if stage in ("analyze", "export"):
        shutil.rmtree(outdir, ignore_errors=True)
        cmd = [sys.executable, "-m", "armcarriage.cli", "analyze", str(video), "-o", str(outdir)]
        if stage == "export":
            cmd.append("--export-video")
        if workers:
            cmd += ["--workers", str(workers)]
        for item in settings:
            cmd += ["--set", item]
    else:
        cmd = [sys.executable, __file__, "--child", stage, str(video), str(result)]
        cmd += ["--workers", str(workers)]
        if stage == "pose":
            for item in settings:
                cmd += ["--set", item]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log_dir / f"{stage}_{video.stem}.log", "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        sampler.stop()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    row: dict[str, Any] = {
        "returncode": rc,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "peak_pss_mb": round(sampler.peak_pss_kb / 1024, 1),
        "max_processes": sampler.max_procs,
        "rss_mb_at_peak": sampler.at_peak,
    }
    if stage in ("analyze", "export"):
        pose = outdir / "pose.parquet"
        if pose.exists():
            import pyarrow.parquet as pq

            meta = pq.read_metadata(pose)
            row["frames"] = meta.num_rows
            attrs = json.loads(meta.metadata[b"armcarriage"])["attrs"]
            if "parallel" in attrs:
                par = json.loads(attrs["parallel"])
                row["pose_workers"] = par["workers"]
                row["pose_chunks"] = len(par["chunks"])
                row["pose_wall_s"] = par["wall_seconds"]
        if rc != 0:
            tail = (log_dir / f"{stage}_{video.stem}.log").read_text(errors="replace")
            row["error"] = tail.strip().splitlines()[-1][-300:] if tail.strip() else ""
    elif result.exists():
        row.update(json.loads(result.read_text()))
    frames = row.get("frames", 0)
    row["fps"] = round(frames / wall, 2) if frames and wall else 0.0
    if row.get("loop_s"):
        row["loop_fps"] = round(frames / row["loop_s"], 2)  # without start-up
    row["cpu_ms_per_frame"] = round(1000 * cpu / frames, 1) if frames else None
    return row


def _settled_load(limit: float, wait_s: float = 120.0) -> list[float]:
    """Wait up to ``wait_s`` for the 1-minute load average to fall below ``limit``."""
    deadline = time.monotonic() + wait_s
    load = _loadavg()
    while load and load[0] > limit and time.monotonic() < deadline:
        time.sleep(5.0)
        load = _loadavg()
    return load


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def bench_clip(
    name: str,
    video: Path,
    stages: list[str],
    workers: int,
    log_dir: Path,
    settings: tuple[str, ...] = (),
) -> dict:
    from armcarriage.video import probe_video

    info = probe_video(video)
    row: dict[str, Any] = {
        "clip": name,
        "path": str(video.relative_to(ROOT)) if video.is_relative_to(ROOT) else str(video),
        "width": info.width,
        "height": info.height,
        "fps": info.fps,
        "duration_s": round(info.duration_s, 3),
        "frames": info.frames,
        "stages": {},
    }
    for stage in stages:
        print(f"  {name}: {stage} ...", flush=True)
        row["stages"][stage] = res = run_stage(stage, video, workers, log_dir, settings)
        print(
            f"    {res['fps']:8.1f} frames/s  wall {res['wall_s']:7.1f} s  "
            f"peak RSS {res['peak_rss_mb']:7.1f} MB  PSS {res['peak_pss_mb']:7.1f} MB"
            + (f"  rc={res['returncode']}" if res["returncode"] else ""),
            flush=True,
        )
    st = row["stages"]
    if "naive" in st and st["naive"]["fps"]:
        for s in STAGES[1:]:
            if s in st:
                row[f"ratio_{s}_vs_naive"] = round(st[s]["fps"] / st["naive"]["fps"], 3)
    for res in st.values():
        res["realtime_factor"] = round(info.duration_s / res["wall_s"], 3) if res["wall_s"] else 0
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="10 s and 60 s clips instead of 10 s and 10 min"
    )
    ap.add_argument("--long-seconds", type=float, default=None)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="A real runner clip.")
    ap.add_argument("--stages", default=",".join(STAGES), help="Comma-separated subset.")
    ap.add_argument("--skip-long", action="store_true")
    ap.add_argument("--workers", type=int, default=0, help="analyze --workers (0 = cores)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--note", default="", help="Free text stored with the results.")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a setting of the pose and analyze stages (repeatable), e.g. "
        "pose.track_one_person=true; the naive and decode stages take none",
    )
    ap.add_argument(
        "--child", nargs=3, metavar=("STAGE", "VIDEO", "RESULT"), help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)
    if args.child:
        stage, video, result = args.child
        if stage == "pose":
            child_pose(Path(video), Path(result), args.workers, tuple(args.set))
        else:
            {"naive": child_naive, "decode": child_decode}[stage](Path(video), Path(result))
        return 0
    long_s = args.long_seconds or (60.0 if args.quick else 600.0)
    stages = [s for s in args.stages.split(",") if s]
    if unknown := set(stages) - set(STAGES):
        ap.error(f"--stages: unknown {sorted(unknown)}; expected some of {', '.join(STAGES)}")
    if not args.source.exists():
        ap.error(f"--source {args.source}: not found (the shared data folder holds the default)")
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = f"{args.source.stem}_1080p"
    half = make_1080p(args.source, 30.0, CACHE / f"{stem}_30s.mp4")
    clips = [("10s", make_1080p(args.source, 10.0, CACHE / f"{stem}_10s.mp4")), ("30s", half)]
    if not args.skip_long:
        clips.append(
            (f"{long_s:g}s", loop_clip(half, long_s, CACHE / f"{stem}_loop_{long_s:g}s.mp4"))
        )
    clips.append(("60fps_30s", double_rate(half, CACHE / f"{stem}_60fps_30s.mp4")))
    load_start = _settled_load(0.5 * (os.cpu_count() or 1))
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = []
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="run_") as tmp:
        for name, video in clips:
            print(f"{name}: {video.name}", flush=True)
            rows.append(bench_clip(name, video, stages, args.workers, Path(tmp), tuple(args.set)))
    from armcarriage.config import Config

    cores = os.cpu_count() or 1
    load_end = _loadavg()
    # the stages load the machine themselves, so only the load before them tells of others
    busy = (load_start[:1] or [0.0])[0] > 0.5 * cores
    report: dict[str, Any] = {
        "started": started,
        "machine": {
            "cpu_count": cores,
            "loadavg_start": load_start,
            "loadavg_end": load_end,
            "busy": busy,
            "python": sys.version.split()[0],
        },
        "note": args.note
        or ("measured under load: other work shared the CPU" if busy else "quiet machine"),
        "settings": args.set,
        "pose_config": Config().override_pairs(args.set).to_dict()["pose"],
        "clips": rows,
    }
    by = {r["clip"]: r for r in rows}
    long_name = f"{long_s:g}s"
    if "10s" in by and long_name in by:
        for stage in ("pose", "analyze", "export"):
            a, b = by["10s"]["stages"].get(stage), by[long_name]["stages"].get(stage)
            if a and b and a["peak_rss_mb"] and a["peak_pss_mb"]:
                report.setdefault("memory_long_vs_10s", {})[stage] = {
                    "rss_ratio": round(b["peak_rss_mb"] / a["peak_rss_mb"], 3),
                    "pss_ratio": round(b["peak_pss_mb"] / a["peak_pss_mb"], 3),
                }
    from armcarriage.atomic import write_text

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(report, indent=2) + "\n")
    print_summary(report)
    print(f"results: {args.out}")
    return 0


def print_summary(report: dict[str, Any]) -> None:
    print(f"\n{report['note']} (load {report['machine']['loadavg_start']})")
    head = ("clip", "stage", "frames/s", "RTF", "cpu ms/f", "RSS MB", "PSS MB")
    print("{:9} {:8} {:>9} {:>6} {:>9} {:>8} {:>8}".format(*head))
    for row in report["clips"]:
        for stage, r in row["stages"].items():
            print(
                f"{row['clip']:9} {stage:8} {r['fps']:9.1f} {r['realtime_factor']:6.2f} "
                f"{r['cpu_ms_per_frame'] or 0:9.1f} {r['peak_rss_mb']:8.1f} {r['peak_pss_mb']:8.1f}"
            )
        for s in STAGES[1:]:
            if f"ratio_{s}_vs_naive" in row:
                print(f"{row['clip']:9} {s} / naive = {row[f'ratio_{s}_vs_naive']:.2f}x")
    for stage, m in report.get("memory_long_vs_10s", {}).items():
        print(
            f"{stage} peak memory long / 10 s: RSS {m['rss_ratio']:.2f}x, PSS {m['pss_ratio']:.2f}x"
        )


if __name__ == "__main__":
    sys.exit(main())
