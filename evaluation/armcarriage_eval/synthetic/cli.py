"""``armcarriage synth``: render a synthetic running clip with exact ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armcarriage.errors import InputError

VIEWS = ("side_left", "side_right", "front", "rear", "oblique")


def _runner_values(items: list[str] | None) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        try:
            if not sep:
                raise ValueError
            values[key.strip()] = float(raw)
        except ValueError:
            raise InputError(
                f"--param {item!r}: expected NAME=NUMBER, e.g. left.elbow_deg=75"
            ) from None
    return values


def synth_command(
    out: Annotated[Path, typer.Argument(help="Output video (.mp4); truth files go beside it.")],
    view: Annotated[str, typer.Option(help=f"Camera view: {', '.join(VIEWS)}.")] = "side_left",
    fault: Annotated[str, typer.Option(help="Arm-carriage fault (listed below).")] = "none",
    seconds: Annotated[float, typer.Option(help="Clip length, seconds.")] = 4.0,
    fps: Annotated[float, typer.Option(help="Frame rate (e.g. 30, 60, 120, 240).")] = 30.0,
    width: Annotated[int, typer.Option(help="Frame width, px (even).")] = 640,
    height: Annotated[int, typer.Option(help="Frame height, px (even).")] = 480,
    mode: Annotated[str, typer.Option(help="treadmill or track (crosses the view).")] = "treadmill",
    distance: Annotated[float, typer.Option(help="Camera distance, m.")] = 4.0,
    camera_height: Annotated[float, typer.Option(help="Camera height, m.")] = 1.1,
    fill: Annotated[
        float,
        typer.Option(
            help="Runner height as a fraction of the frame height (sets the focal length)."
        ),
    ] = 0.62,
    blur: Annotated[float, typer.Option(help="Gaussian blur sigma, px.")] = 0.0,
    noise: Annotated[float, typer.Option(help="Sensor noise, 8-bit units.")] = 0.0,
    motion_blur: Annotated[int, typer.Option(help="Sub-frames averaged per frame.")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of colours, background and noise.")] = 0,
    crf: Annotated[int, typer.Option(help="x264 quality (lower = larger file).")] = 23,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="Runner parameter NAME=VALUE, e.g. right.swing_forward_deg=20 "
            "or both.shrug_rise_m=0.03 (repeatable).",
        ),
    ] = None,
) -> None:
    """Render a synthetic runner with exact ground truth (pose track, events, metrics).

    Faults: none, tight_elbows, straight_arms, shrug, crossing, overswing,
    small_swing, rotation, asymmetry, fatigue.
    """
    from armcarriage_eval.synthetic.clip import ClipSpec, make_clip, truth_paths
    from armcarriage_eval.synthetic.params import FAULTS

    if view not in VIEWS:
        raise InputError(f"--view: expected one of {', '.join(VIEWS)}, got {view!r}")
    if fault not in FAULTS:
        raise InputError(f"--fault: expected one of {', '.join(FAULTS)}, got {fault!r}")
    if mode not in ("treadmill", "track"):
        raise InputError(f"--mode: expected treadmill or track, got {mode!r}")
    if not 0 < seconds <= 600:
        raise InputError(f"--seconds: expected 0 < seconds <= 600, got {seconds}")
    if not 1 <= fps <= 1000:
        raise InputError(f"--fps: expected 1..1000, got {fps}")
    for name, size in (("--width", width), ("--height", height)):
        if size < 32 or size > 7680 or size % 2:
            raise InputError(f"{name}: expected an even number of pixels in 32..7680, got {size}")
    if not 0.05 <= fill <= 1.0:
        raise InputError(f"--fill: expected 0.05..1.0, got {fill}")
    if not 0 <= crf <= 51:
        raise InputError(f"--crf: expected 0..51, got {crf}")
    if motion_blur < 1 or motion_blur > 16:
        raise InputError(f"--motion-blur: expected 1..16 sub-frames, got {motion_blur}")
    if out.suffix.lower() != ".mp4":
        raise InputError(f"OUT {out}: expected a .mp4 file name")
    values = _runner_values(param)
    spec = ClipSpec(
        view=view,
        fault=fault,
        seconds=seconds,
        fps=fps,
        width=width,
        height=height,
        mode=mode,
        distance=distance,
        camera_height=camera_height,
        fill=fill,
        blur_px=blur,
        noise=noise,
        motion_blur=motion_blur,
        seed=seed,
        runner=values,
        crf=crf,
    )
    try:
        spec.params()
    except ValueError as exc:
        raise InputError(f"--param: {exc}") from None
    result = make_clip(out, spec)
    typer.echo(f"wrote {out} ({result.n_frames} frames in {result.render_s:.1f} s)")
    for path in truth_paths(out).values():
        if path.exists():
            typer.echo(f"wrote {path}")


__all__ = ["synth_command"]
