"""Fuzzed-video corpus: hostile files fed to ``armcarriage analyze``; no traceback, no hang.

Builds a deterministic (seeded) corpus of hostile inputs from the bundled sample clips
(``sample_videos/*.mp4``, cut to 2.4 s) and from small clips made here with PyAV
(mp4/mkv/webm/mov/avi; H.264/VP8/MPEG-4/MJPEG/FFV1/HEVC; portrait, one frame, variable
frame rate, audio only, absurd rates and time bases): truncations at many offsets, bit
flips and random overwrites in the headers and in the media data, zeroed, dropped,
swapped and duplicated boxes, rotation matrices and huge sizes/durations/time scales
written into the headers, wrong extensions, empty/text/random/PNG/JPEG/GIF files named
``.mp4``, a directory, a dangling link and a named pipe named ``.mp4``. A JSON manifest
in the corpus folder says how each file was made.

Then runs ``python -m armcarriage.cli analyze FILE -o OUT --max-seconds 2`` (this
checkout's code) on every file, ``--jobs`` at a time with a hard timeout, and classifies
the answer: exit 0 ``analysed``; exit 2 with a message naming the file ``refused``;
exit 2 without the file's name ``unnamed`` (a defect of the message); exit 1, any other
code or a ``Traceback`` on stderr ``defect``; timeout ``hang``. Counts by outcome and by
mutation kind are printed; ``benchmarks/results/fuzz_videos.json`` keeps the counts, the
seed, the corpus size, the wall time and every defect/hang with its stderr tail.

Not run in CI (about 10-20 minutes on 2 cores). Usage::

    python benchmarks/fuzz_videos.py [--seed 20261207] [--corpus benchmarks/cache/fuzz]
                                     [--jobs 2] [--timeout 120] [--generate-only]
                                     [--only KIND] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
DEFAULT_CORPUS = ROOT / "benchmarks" / "cache" / "fuzz"
RESULTS = ROOT / "benchmarks" / "results" / "fuzz_videos.json"
DEFAULT_SEED = 20261207
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"mvex"}
PER_KIND_CAP = 30
"""Files kept per mutation kind (a seeded sample of the truncations, flips, ...)."""
OUTCOMES = ("analysed", "refused", "unnamed", "defect", "hang")


# ------------------------------------------------------------------ clips made with PyAV
def _picture(i: int, w: int, h: int) -> np.ndarray:
    """A moving bright block on a gradient: cheap, deterministic, compressible."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 3), np.uint8)
    img[..., 0] = (x * 255 // max(w - 1, 1)).astype(np.uint8)
    img[..., 1] = (y * 255 // max(h - 1, 1)).astype(np.uint8)
    img[..., 2] = 64
    bx = (i * 7) % max(w - w // 4, 1)
    img[h // 3 : h // 3 + h // 4, bx : bx + w // 4] = 255
    return img


def encode(
    path: Path,
    *,
    codec: str = "libx264",
    fmt: str | None = None,
    size: tuple[int, int] = (160, 120),
    rate: Fraction | int = 12,
    frames: int = 24,
    pix_fmt: str = "yuv420p",
    time_base: Fraction | None = None,
    pts: Callable[[int], int] | None = None,
    audio: str | None = None,
    video: bool = True,
    options: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Encode a small synthetic clip (and/or an audio tone) with PyAV."""
    # bitexact: no random segment id or encoder string, so a seed gives the same bytes
    muxer = {"fflags": "+bitexact", **(options or {})}
    with av.open(str(path), "w", format=fmt, options=muxer) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        vs = as_ = None
        if video:
            vs = out.add_stream(codec, rate=rate)
            vs.width, vs.height = size
            vs.pix_fmt = pix_fmt
            if time_base is not None:
                vs.codec_context.time_base = time_base
                vs.time_base = time_base
            if codec == "libx264":
                vs.options = {"preset": "ultrafast"}
            if codec == "libx265":
                vs.options = {"x265-params": "log-level=none"}
        if audio:
            as_ = out.add_stream(audio, rate=44100 if audio != "libopus" else 48000)
        if vs is not None:
            for i in range(frames):
                frame = av.VideoFrame.from_ndarray(_picture(i, *size), format="rgb24")
                frame = frame.reformat(format=pix_fmt)
                if pts is not None:
                    frame.pts = pts(i)
                    frame.time_base = time_base
                for packet in vs.encode(frame):
                    out.mux(packet)
            for packet in vs.encode():
                out.mux(packet)
        if as_ is not None:
            rate_hz = as_.codec_context.sample_rate
            n = int(rate_hz * 2)
            tone = (0.2 * np.sin(np.arange(n) * 2 * np.pi * 440 / rate_hz)).astype(np.float32)
            samples = as_.codec_context.frame_size or 1152
            fmt_name = as_.codec_context.format.name
            for start in range(0, n - samples, samples):
                chunk = tone[start : start + samples]
                arr = chunk[None, :]
                if fmt_name.startswith("s16"):
                    arr = (arr * 32767).astype(np.int16)
                elif fmt_name.startswith("s32"):
                    arr = (arr * 2**31 - 1).astype(np.int32)
                af = av.AudioFrame.from_ndarray(arr, format=fmt_name, layout="mono")
                af.sample_rate = rate_hz
                af.pts = start
                for packet in as_.encode(af):
                    out.mux(packet)
            for packet in as_.encode():
                out.mux(packet)
    return path


def cut_sample(src: Path, dst: Path, seconds: float = 2.4) -> Path:
    """Remux the first ``seconds`` of a sample clip, index first (faststart)."""
    with (
        av.open(str(src)) as inp,
        av.open(str(dst), "w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            if packet.pts is not None and float(packet.pts * stream.time_base) >= seconds:
                break
            packet.stream = copy
            out.mux(packet)
    return dst


def still(codec: str, size: tuple[int, int] = (64, 48)) -> bytes:
    """The bytes of one still image (PNG, JPEG or GIF) encoded by PyAV."""
    ctx = av.CodecContext.create(codec, "w")
    ctx.width, ctx.height = size
    ctx.pix_fmt = {"png": "rgb24", "mjpeg": "yuvj420p", "gif": "rgb8"}[codec]
    ctx.time_base = Fraction(1, 1)
    frame = av.VideoFrame.from_ndarray(_picture(3, *size), format="rgb24").reformat(
        format=ctx.pix_fmt
    )
    data = b"".join(bytes(p) for p in ctx.encode(frame)) + b"".join(bytes(p) for p in ctx.encode())
    if codec == "gif":  # the codec gives the image data; a minimal GIF89a file around it
        return b"GIF89a" + struct.pack("<HHBBB", size[0], size[1], 0xF7, 0, 0) + bytes(768) + data
    return data


# ------------------------------------------------------------------ MP4 boxes
def boxes(data: bytes, start: int = 0, end: int | None = None, depth: int = 0) -> list[dict]:
    """Walk the MP4 box tree: type, absolute offset, header and total size, depth."""
    end = len(data) if end is None else end
    found: list[dict] = []
    pos = start
    while pos + 8 <= end and depth < 8:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        head = 8
        if size == 1 and pos + 16 <= end:
            size, head = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end or not kind.isalnum():
            break
        found.append({"type": kind, "at": pos, "head": head, "size": size, "depth": depth})
        if kind in CONTAINERS:
            found += boxes(data, pos + head, pos + size, depth + 1)
        pos += size
    return found


def find(data: bytes, kind: bytes) -> list[dict]:
    return [b for b in boxes(data) if b["type"] == kind]


def patch(data: bytes, kind: bytes, offset: int, value: bytes, nth: int = 0) -> bytes | None:
    """Overwrite ``value`` at ``offset`` of the payload of the ``nth`` box ``kind``."""
    hits = find(data, kind)
    if len(hits) <= nth:
        return None
    box = hits[nth]
    at = box["at"] + box["head"] + offset
    if at + len(value) > box["at"] + box["size"]:
        return None
    return data[:at] + value + data[at + len(value) :]


def full_box_version(data: bytes, kind: bytes) -> int:
    hits = find(data, kind)
    return data[hits[0]["at"] + hits[0]["head"]] if hits else 0


def remove_range(data: bytes, box: dict) -> bytes:
    return data[: box["at"]] + data[box["at"] + box["size"] :]


def grow_parents(data: bytes, box: dict, delta: int) -> bytes:
    """Adjust the 32-bit sizes of the containers enclosing ``box`` by ``delta`` bytes."""
    out = bytearray(data)
    for parent in boxes(data):
        if (
            parent["type"] in CONTAINERS
            and parent["at"] < box["at"] < parent["at"] + parent["size"]
            and parent["head"] == 8
        ):
            size = int.from_bytes(out[parent["at"] : parent["at"] + 4], "big") + delta
            out[parent["at"] : parent["at"] + 4] = size.to_bytes(4, "big")
    return bytes(out)


# ------------------------------------------------------------------ mutations
U32MAX = b"\xff\xff\xff\xff"


def header_patches(data: bytes) -> list[tuple[str, str, bytes | None]]:
    """(kind, detail, mutated bytes) for lies in the headers of an MP4/MOV file."""
    mvhd_v = full_box_version(data, b"mvhd")
    tkhd_v = full_box_version(data, b"tkhd")
    mdhd_v = full_box_version(data, b"mdhd")
    mvhd_dur = 20 if mvhd_v == 0 else 28
    mvhd_ts = 12 if mvhd_v == 0 else 20
    tkhd_mat = 40 if tkhd_v == 0 else 52
    tkhd_w = tkhd_mat + 36
    mdhd_ts = 12 if mdhd_v == 0 else 20
    mdhd_dur = 16 if mdhd_v == 0 else 24
    dur_max = U32MAX if mdhd_v == 0 else b"\xff" * 8
    one = 0x00010000

    def matrix(a: int, b: int, c: int, d: int) -> bytes:
        return struct.pack(">9i", a, b, 0, c, d, 0, 0, 0, 0x40000000)

    return [
        ("huge_dims", "tkhd width/height 65535", patch(data, b"tkhd", tkhd_w, b"\xff\xff" * 4)),
        ("huge_dims", "stsd entry width/height 65535", patch(data, b"stsd", 32, b"\xff\xff" * 2)),
        ("huge_dims", "stsd entry width/height 0", patch(data, b"stsd", 32, b"\x00\x00" * 2)),
        ("huge_dims", "tkhd width/height 0", patch(data, b"tkhd", tkhd_w, bytes(8))),
        ("huge_duration", "mvhd duration max", patch(data, b"mvhd", mvhd_dur, U32MAX)),
        ("huge_duration", "mdhd duration max", patch(data, b"mdhd", mdhd_dur, dur_max)),
        ("huge_duration", "mvhd timescale 1", patch(data, b"mvhd", mvhd_ts, struct.pack(">I", 1))),
        ("time_base", "mdhd timescale 0", patch(data, b"mdhd", mdhd_ts, bytes(4))),
        ("time_base", "mdhd timescale 1", patch(data, b"mdhd", mdhd_ts, struct.pack(">I", 1))),
        ("time_base", "mdhd timescale max", patch(data, b"mdhd", mdhd_ts, U32MAX)),
        ("time_base", "mdhd duration 0", patch(data, b"mdhd", mdhd_dur, bytes(len(dur_max)))),
        ("time_base", "stts first delta 0", patch(data, b"stts", 12, bytes(4))),
        ("time_base", "stts first delta max", patch(data, b"stts", 12, U32MAX)),
        ("time_base", "stts first count max", patch(data, b"stts", 8, U32MAX)),
        ("time_base", "stts entry count max", patch(data, b"stts", 4, U32MAX)),
        ("sample_table", "stsz sample count max", patch(data, b"stsz", 8, U32MAX)),
        ("sample_table", "stsz fixed size max", patch(data, b"stsz", 4, U32MAX)),
        ("sample_table", "stco first offset max", patch(data, b"stco", 8, U32MAX)),
        ("sample_table", "stsc entry count max", patch(data, b"stsc", 4, U32MAX)),
        ("sample_table", "stss entry count max", patch(data, b"stss", 4, U32MAX)),
        ("rotation", "tkhd matrix 90 deg", patch(data, b"tkhd", tkhd_mat, matrix(0, one, -one, 0))),
        ("rotation", "tkhd matrix 270", patch(data, b"tkhd", tkhd_mat, matrix(0, -one, one, 0))),
        ("rotation", "tkhd matrix all zero", patch(data, b"tkhd", tkhd_mat, bytes(36))),
        (
            "rotation",
            "tkhd matrix 37 deg",
            patch(data, b"tkhd", tkhd_mat, matrix(52336, 39438, -39438, 52336)),
        ),
        ("rotation", "tkhd matrix huge", patch(data, b"tkhd", tkhd_mat, b"\x7f\xff\xff\xff" * 9)),
    ]


def box_surgery(data: bytes) -> list[tuple[str, str, bytes | None]]:
    """Zeroed, dropped, swapped and duplicated boxes."""
    out: list[tuple[str, str, bytes | None]] = []
    for kind in (b"stts", b"stsz", b"stco", b"stsc", b"stsd", b"avcC", b"mdhd", b"hdlr", b"moov"):
        hits = find(data, kind)
        if not hits:
            continue
        b = hits[0]
        zeroed = data[: b["at"] + 8] + bytes(b["size"] - 8) + data[b["at"] + b["size"] :]
        out.append(("zero_box", f"payload of {kind.decode()} zeroed", zeroed))
    for kind in (b"stsd", b"stts", b"stco", b"trak", b"mdat"):
        hits = find(data, kind)
        if hits:
            b = hits[0]
            freed = data[: b["at"] + 4] + b"free" + data[b["at"] + 8 :]
            out.append(("drop_box", f"{kind.decode()} renamed 'free'", freed))
    top = [b for b in boxes(data) if b["depth"] == 0]
    if len(top) >= 2:
        names = [b["type"] for b in top]
        if b"moov" in names and b"mdat" in names:
            i, j = sorted((names.index(b"moov"), names.index(b"mdat")))
            a, b = top[i], top[j]
            swapped = (
                data[: a["at"]]
                + data[b["at"] : b["at"] + b["size"]]
                + data[a["at"] + a["size"] : b["at"]]
                + data[a["at"] : a["at"] + a["size"]]
                + data[b["at"] + b["size"] :]
            )
            out.append(("swap_box", "moov and mdat swapped", swapped))
        moov = top[names.index(b"moov")] if b"moov" in names else None
        if moov is not None:
            blob = data[moov["at"] : moov["at"] + moov["size"]]
            out.append(("dup_box", "moov duplicated at the end", data + blob))
            out.append(("dup_box", "moov duplicated at the start", data[:0] + blob + data))
    traks = find(data, b"trak")
    if traks:
        t = traks[0]
        blob = data[t["at"] : t["at"] + t["size"]]
        grown = grow_parents(data, t, len(blob))
        end = t["at"] + t["size"]
        out.append(("dup_box", "trak duplicated in moov", grown[:end] + blob + grown[end:]))
    stbl = find(data, b"stbl")
    if stbl:
        kids = [
            b
            for b in boxes(data)
            if b["depth"] == stbl[0]["depth"] + 1
            and stbl[0]["at"] < b["at"] < stbl[0]["at"] + stbl[0]["size"]
        ]
        if len(kids) >= 2:
            first = kids[0]
            body = data[first["at"] : first["at"] + first["size"]]
            rest_end = kids[-1]["at"] + kids[-1]["size"]
            moved = data[: first["at"]] + data[first["at"] + first["size"] : rest_end] + body
            out.append(("swap_box", "first stbl child moved last", moved + data[rest_end:]))
    out.append(
        (
            "huge_box",
            "a box stating 2^62 bytes appended",
            data + struct.pack(">I4sQ", 1, b"free", 1 << 62) + bytes(16),
        )
    )
    out.append(("huge_box", "first box size 0xFFFFFFFF", U32MAX + data[4:]))
    return out


def byte_mutations(data: bytes, rng: random.Random, base: str) -> list[tuple[str, str, bytes]]:
    """Truncations, bit flips in the headers and random overwrites in the media data."""
    n = len(data)
    out: list[tuple[str, str, bytes]] = []
    cuts = {8, 32, 100, 1000}
    cuts |= {int(n * f) for f in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98)}
    cuts.add(n - 1)
    for b in boxes(data):  # one byte into and one byte short of some boxes
        if b["type"] in (b"moov", b"mdat", b"stsd", b"stco"):
            cuts |= {b["at"] + 4, b["at"] + b["size"] - 1}
    for c in sorted(x for x in cuts if 0 < x < n):
        out.append(("truncate", f"cut at byte {c} of {n}", data[:c]))
    media = [b for b in boxes(data) if b["type"] == b"mdat"]
    moov = [b for b in boxes(data) if b["type"] == b"moov"]
    head_lo, head_hi = (
        (moov[0]["at"], moov[0]["at"] + moov[0]["size"]) if moov else (0, min(n, 4096))
    )
    med_lo, med_hi = (
        (media[0]["at"] + 8, media[0]["at"] + media[0]["size"])
        if media
        else (min(n // 10, 4096), n)
    )
    for k in range(3):
        flips = bytearray(data)
        count = rng.choice((1, 4, 32))
        for _ in range(count):
            at = rng.randrange(head_lo, head_hi)
            flips[at] ^= 1 << rng.randrange(8)
        out.append(("flip_header", f"{count} bit flips in the header ({base}, #{k})", bytes(flips)))
    for k in range(3):
        over = bytearray(data)
        blocks = rng.choice((1, 8, 64))
        for _ in range(blocks):
            at = rng.randrange(med_lo, max(med_lo + 1, med_hi - 64))
            over[at : at + 64] = rng.randbytes(64)
        out.append(
            (
                "overwrite_media",
                f"{blocks} random 64-byte blocks in the media data ({base}, #{k})",
                bytes(over),
            )
        )
    flips = bytearray(data)
    for _ in range(max(1, n // 2000)):
        flips[rng.randrange(n)] = rng.randrange(256)
    out.append(
        ("random_bytes", f"{max(1, n // 2000)} random bytes anywhere ({base})", bytes(flips))
    )
    return out


# ------------------------------------------------------------------ the corpus
def generate(corpus: Path, seed: int) -> list[dict[str, Any]]:
    """Write the corpus and its manifest; return the manifest entries."""
    rng = random.Random(seed)
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    bases_dir = corpus / "_bases"
    bases_dir.mkdir()
    manifest: list[dict[str, Any]] = []

    candidates: list[tuple[str, dict[str, Any], bytes]] = []

    def add(name: str, kind: str, source: str, detail: str, data: bytes | None) -> None:
        if data is not None:
            candidates.append(
                (name, {"kind": kind, "source": source, "detail": detail, "bytes": len(data)}, data)
            )

    # valid bases (each also goes into the corpus as itself)
    bases: dict[str, Path] = {}
    for sample in sorted(SAMPLES.glob("*.mp4")):
        bases[f"{sample.stem}_cut.mp4"] = cut_sample(sample, bases_dir / f"{sample.stem}_cut.mp4")
    made: list[tuple[str, dict[str, Any]]] = [
        ("tiny.mp4", {"options": {"movflags": "faststart"}}),
        ("tiny_moov_last.mp4", {}),
        ("tiny.mkv", {}),
        ("tiny.webm", {"codec": "libvpx", "fmt": "webm"}),
        ("tiny.mov", {"codec": "mpeg4", "fmt": "mov"}),
        ("tiny_mjpeg.avi", {"codec": "mjpeg", "pix_fmt": "yuvj420p"}),
        ("tiny_ffv1.mkv", {"codec": "ffv1"}),
        ("tiny_hevc.mp4", {"codec": "libx265", "frames": 12}),
        ("tiny_with_audio.mp4", {"audio": "aac"}),
        ("one_frame.mp4", {"frames": 1}),
        ("two_by_two.mp4", {"size": (2, 2)}),
        ("thin_strip.mp4", {"size": (16, 1200)}),
        ("portrait.mp4", {"size": (120, 160)}),
        (
            "vfr.mp4",
            {
                "time_base": Fraction(1, 1000),
                "pts": lambda i: int(i * 83 + (i % 3) * 30 + (i // 5) ** 2),
            },
        ),
        (
            "fps_0_001.mp4",
            {
                "rate": Fraction(1, 1000),
                "frames": 3,
                "time_base": Fraction(1, 1000),
                "pts": lambda i: 1000 * i * 1000,
            },
        ),
        (
            "fps_5000.mp4",
            {"rate": 5000, "frames": 24, "time_base": Fraction(1, 5000), "pts": lambda i: i},
        ),
        (
            "timebase_1ns.mp4",
            {"time_base": Fraction(1, 1_000_000_000), "pts": lambda i: i * 83_333_333},
        ),
        (
            "start_offset_huge.mp4",
            {"time_base": Fraction(1, 1000), "pts": lambda i: 10**12 + i * 83},
        ),
        ("audio_only.m4a.mp4", {"video": False, "audio": "aac", "fmt": "mp4"}),
        ("audio_only.mp3.mp4", {"video": False, "audio": "libmp3lame", "fmt": "mp3"}),
        ("audio_only.webm", {"video": False, "audio": "libopus", "fmt": "webm"}),
        ("audio_only.wav.mp4", {"video": False, "audio": "pcm_s16le", "fmt": "wav"}),
    ]
    for name, kwargs in made:
        path = bases_dir / name
        try:
            encode(path, **kwargs)
        except Exception as exc:  # noqa: BLE001  (an encoder the local FFmpeg lacks)
            print(f"skip base {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        bases[name] = path
    for name, path in bases.items():
        add(name, "valid_or_odd", name, "made by PyAV (or cut from a sample)", path.read_bytes())

    # odd containers made with the same PyAV muxers as real apps use, then lied about
    for name, path in bases.items():
        data = path.read_bytes()
        is_mp4 = bool(find(data, b"moov"))
        stem = Path(name).stem
        sample = "_cut" in name
        muts = byte_mutations(data, rng, name)
        if sample:  # the big clips: fewer truncations, they cost a pose run each
            muts = [m for m in muts if m[0] != "truncate"][:4] + [
                m for m in muts if m[0] == "truncate"
            ][::2]
        for kind, detail, blob in muts:
            add(f"{stem}_{kind}.{name.rsplit('.', 1)[1]}", kind, name, detail, blob)
        if is_mp4 and (name in ("tiny.mp4", "tiny_moov_last.mp4", "tiny.mov") or sample):
            edits = header_patches(data) + box_surgery(data)
            if sample:  # one sample gets everything, the others a seeded third
                keep = name.startswith("side_left") or None
                edits = edits if keep else [e for e in edits if rng.random() < 0.34]
            for kind, detail, blob in edits:
                add(f"{stem}_{kind}.mp4", kind, name, detail, blob)

    # wrong extensions
    tiny = bases.get("tiny.mp4")
    if tiny is not None:
        for ext in (".mkv", ".webm", ".avi", ".mov", ".txt", ".jpg", ""):
            add(
                f"tiny_as_{ext[1:] or 'noext'}{ext}",
                "wrong_ext",
                "tiny.mp4",
                f"an mp4 named *{ext or ' (no extension)'}",
                tiny.read_bytes(),
            )
    webm = bases.get("tiny.webm")
    if webm is not None:
        add("webm_as.mp4", "wrong_ext", "tiny.webm", "a webm named .mp4", webm.read_bytes())
    mkv = bases.get("tiny.mkv")
    if mkv is not None:
        add("mkv_as.mov", "wrong_ext", "tiny.mkv", "a matroska file named .mov", mkv.read_bytes())

    # not videos at all
    add("empty.mp4", "not_video", "-", "empty file", b"")
    add("one_byte.mp4", "not_video", "-", "one byte", b"\x00")
    add("text.mp4", "not_video", "-", "a text file", b"this is not a video\n" * 50)
    add(
        "html.mp4",
        "not_video",
        "-",
        "an HTML page",
        b"<!doctype html><html><body>404</body></html>",
    )
    add("utf16.mp4", "not_video", "-", "UTF-16 text", "\ufeffvideo".encode("utf-16"))
    for k in range(4):
        size = rng.choice((16, 4096, 200_000))
        add(f"random_{k}.mp4", "not_video", "-", f"{size} random bytes", rng.randbytes(size))
    add(
        "ftyp_then_random.mp4",
        "not_video",
        "-",
        "an ftyp box then random bytes",
        struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 512) + rng.randbytes(50_000),
    )
    add(
        "ftyp_only.mp4",
        "not_video",
        "-",
        "an ftyp box alone",
        struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 512),
    )
    add("zeros.mp4", "not_video", "-", "100 kB of zero bytes", bytes(100_000))
    add(
        "ebml_only.mkv",
        "not_video",
        "-",
        "a Matroska EBML magic then junk",
        b"\x1a\x45\xdf\xa3" + rng.randbytes(1000),
    )
    add(
        "riff_only.avi",
        "not_video",
        "-",
        "a RIFF/AVI header then junk",
        b"RIFF" + struct.pack("<I", 10_000) + b"AVI " + rng.randbytes(2000),
    )
    for codec, label in (("png", "png"), ("mjpeg", "jpeg"), ("gif", "gif")):
        try:
            add(
                f"{label}_image.mp4",
                "still_image",
                "-",
                f"a {label.upper()} image named .mp4",
                still(codec),
            )
        except Exception as exc:  # noqa: BLE001
            print(f"skip {label}: {type(exc).__name__}: {exc}", file=sys.stderr)
    # nested moov boxes 8 deep, each claiming to hold the next
    nested = b""
    for _ in range(64):
        nested = struct.pack(">I4s", 8 + len(nested), b"moov") + nested
    add(
        "nested_moov.mp4",
        "huge_box",
        "-",
        "64 nested empty moov boxes",
        struct.pack(">I4s4sI", 16, b"ftyp", b"isom", 512) + nested,
    )
    # a seeded share of the plentiful kinds, every file of the rare ones
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, (_, entry, _) in enumerate(candidates):
        by_kind[entry["kind"]].append(i)
    keep: set[int] = set()
    for idx in by_kind.values():
        keep |= set(idx if len(idx) <= PER_KIND_CAP else rng.sample(idx, PER_KIND_CAP))
    for i in sorted(keep):
        name, entry, data = candidates[i]
        path = corpus / f"{len(manifest):03d}_{name}"
        path.write_bytes(data)
        manifest.append({"file": path.name, **entry})
    # special paths
    special = corpus / f"{len(manifest):03d}_directory.mp4"
    special.mkdir()
    manifest.append(
        {
            "file": special.name,
            "kind": "not_file",
            "source": "-",
            "detail": "a directory named .mp4",
            "bytes": 0,
        }
    )
    link = corpus / f"{len(manifest):03d}_dangling_link.mp4"
    link.symlink_to(corpus / "does_not_exist.mp4")
    manifest.append(
        {
            "file": link.name,
            "kind": "not_file",
            "source": "-",
            "detail": "a symlink to a missing file",
            "bytes": 0,
        }
    )
    fifo = corpus / f"{len(manifest):03d}_fifo.mp4"
    os.mkfifo(fifo)
    manifest.append(
        {
            "file": fifo.name,
            "kind": "not_file",
            "source": "-",
            "detail": "a named pipe (nobody writes to it)",
            "bytes": 0,
        }
    )

    (corpus / "manifest.json").write_text(
        json.dumps({"seed": seed, "files": manifest}, indent=1) + "\n"
    )
    return manifest


# ------------------------------------------------------------------ the run
def run_one(path: Path, timeout: float) -> dict[str, Any]:
    """Analyse one file in a subprocess with this checkout's code; classify the answer."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory(prefix="fuzz_out_") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "armcarriage.cli",
            "analyze",
            str(path),
            "-o",
            str(Path(tmp) / "out"),
            "--max-seconds",
            "2",
        ]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                errors="replace",
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            err = (
                exc.stderr.decode("utf-8", "replace")
                if isinstance(exc.stderr, bytes)
                else (exc.stderr or "")
            )
            return {
                "outcome": "hang",
                "code": None,
                "seconds": round(timeout, 1),
                "stderr_tail": err[-2000:],
            }
        seconds = time.perf_counter() - start
    err = proc.stderr
    if "Traceback" in err or proc.returncode not in (0, 2):
        outcome = "defect"
    elif proc.returncode == 0:
        outcome = "analysed"
    elif path.name in err:
        outcome = "refused"
    else:
        outcome = "unnamed"
    message = next((ln for ln in err.splitlines() if ln.startswith("error:")), "")
    return {
        "outcome": outcome,
        "code": proc.returncode,
        "seconds": round(seconds, 2),
        "message": message[:300],
        "stderr_tail": err[-2000:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--only", default="", help="run only these mutation kinds or file names (comma-separated)"
    )
    parser.add_argument("--limit", type=int, default=0, help="run only the first N files")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    t0 = time.perf_counter()
    manifest = generate(args.corpus, args.seed)
    print(
        f"corpus: {len(manifest)} files in {args.corpus} "
        f"({time.perf_counter() - t0:.1f} s to make, seed {args.seed})"
    )
    if args.generate_only:
        return 0
    only = set(filter(None, args.only.split(",")))
    todo = [m for m in manifest if not only or m["kind"] in only or m["file"] in only]
    if args.limit:
        todo = todo[: args.limit]
    t1 = time.perf_counter()
    done = 0

    def job(entry: dict[str, Any]) -> dict[str, Any]:
        nonlocal done
        result = {**entry, **run_one(args.corpus / entry["file"], args.timeout)}
        done += 1
        if result["outcome"] not in ("analysed", "refused"):
            print(
                f"  [{done}/{len(todo)}] {result['outcome'].upper()} {entry['file']}: "
                f"{result['stderr_tail'][-300:]}",
                flush=True,
            )
        elif done % 25 == 0:
            print(f"  [{done}/{len(todo)}] {time.perf_counter() - t1:.0f} s", flush=True)
        return result

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(job, todo))
    wall = time.perf_counter() - t1

    by_outcome = Counter(r["outcome"] for r in results)
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        by_kind[r["kind"]][r["outcome"]] += 1
    print(f"\n{'kind':<16}" + "".join(f"{o:>10}" for o in OUTCOMES) + f"{'total':>8}")
    for kind in sorted(by_kind):
        row = by_kind[kind]
        print(
            f"{kind:<16}" + "".join(f"{row[o]:>10}" for o in OUTCOMES) + f"{sum(row.values()):>8}"
        )
    print(f"{'all':<16}" + "".join(f"{by_outcome[o]:>10}" for o in OUTCOMES) + f"{len(results):>8}")
    print(f"wall time {wall:.0f} s for {len(results)} files, {args.jobs} at a time")

    bad = [r for r in results if r["outcome"] in ("defect", "hang", "unnamed")]
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m armcarriage.cli analyze FILE -o OUT --max-seconds 2",
        "seed": args.seed,
        "corpus_size": len(manifest),
        "files_run": len(results),
        "jobs": args.jobs,
        "timeout_s": args.timeout,
        "wall_s": round(wall, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg": os.getloadavg(),
            "python": platform.python_version(),
            "pyav": av.__version__,
        },
        "counts": {o: by_outcome[o] for o in OUTCOMES},
        "by_kind": {k: {o: v[o] for o in OUTCOMES if v[o]} for k, v in sorted(by_kind.items())},
        "slowest": sorted(
            (
                {"file": r["file"], "seconds": r["seconds"], "outcome": r["outcome"]}
                for r in results
            ),
            key=lambda r: -r["seconds"],
        )[:5],
        "problems": [
            {
                k: r[k]
                for k in ("file", "kind", "source", "detail", "outcome", "code", "stderr_tail")
            }
            for r in bad
        ],
    }
    if not args.only and not args.limit:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
        print(f"written {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
