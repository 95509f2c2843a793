"""Command line: ``armcarriage analyze VIDEO``, ``info`` and the commands built on them.

Exit codes: 0 success, 2 bad usage or input (a bad video, a missing model, a
malformed config), 1 an internal error.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from armcarriage.config import Config
from armcarriage.errors import ArmcarriageError, InputError

app = typer.Typer(
    name="armcarriage",
    help="Stride-by-stride analysis of arm carriage and upper-body form in running video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML file of settings (see README).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Override one setting, e.g. --set cleaning.cutoff_hz=8 (repeatable)."
    ),
]
VerboseOpt = Annotated[int, typer.Option("-v", "--verbose", count=True, help="More log output.")]


def build_config(config_file: Path | None, sets: list[str] | None, **direct: Any) -> Config:
    """Combine the defaults, a TOML file, ``--set`` pairs and direct options.

    Parameters
    ----------
    config_file
        Optional TOML file.
    sets
        ``section.key=value`` strings.
    **direct
        Dotted keys to values from dedicated options; ``None`` values are skipped.

    Returns
    -------
    Config

    """
    cfg = Config.from_toml(config_file) if config_file else Config()
    cfg = cfg.override_pairs(sets or [])
    values = {k.replace("__", "."): v for k, v in direct.items() if v is not None}
    return cfg.override(values) if values else cfg


def setup_logging(verbose: int) -> None:
    """Configure logging for the command line (never done by the library)."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def analyze(
    video: Annotated[Path, typer.Argument(help="Video of a runner (mp4, mov, mkv, webm).")],
    outdir: Annotated[
        Path | None,
        typer.Option(
            "-o", "--outdir", help="Output folder [default: ./armcarriage_out/<clip name>]."
        ),
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="MediaPipe pose .task bundle [default: models/pose_landmarker_full.task].",
        ),
    ] = None,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", help="Analyse only the first seconds.")
    ] = None,
    target_fps: Annotated[
        float | None,
        typer.Option("--target-fps", help="Analyse at most this many frames per second."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Pose worker processes (0 = one per core).")
    ] = None,
    capture_fps: Annotated[
        float | None,
        typer.Option(
            "--capture-fps",
            min=0.0,
            help="Frame rate the clip was filmed at, for slow motion (e.g. 240 for a phone's "
            "slow motion played at 30 fps) [default: the container's capture-rate tag, else "
            "the playback rate].",
        ),
    ] = None,
    cues: Annotated[Path | None, typer.Option("--cues", help="TOML file of cue rules.")] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Analyse one clip: pose track, per-stride metrics, cues and reports."""
    from rich.console import Console

    from armcarriage.pipeline import run_analysis
    from armcarriage.progress import frame_progress

    setup_logging(verbose)
    cfg = build_config(
        config,
        set_,
        pose__model_path=str(model) if model else None,
        pose__max_seconds=max_seconds,
        pose__target_fps=target_fps,
        pose__workers=workers,
        video__capture_fps=capture_fps,
        cues__rules_path=str(cues) if cues else None,
    )
    out = outdir or Path("armcarriage_out") / video.stem
    console = Console(stderr=True)
    # Fail on a bad clip or a missing model before any progress bar is drawn.
    from armcarriage.pose import resolve_model_path
    from armcarriage.video import probe_video

    probe_video(video, cfg)
    resolve_model_path(cfg.pose.model_path or None)
    with frame_progress(console, f"pose {video.name}") as progress:
        result = run_analysis(video, out, cfg, progress=progress)
    track = result.track
    console.print(
        f"[bold]{video.name}[/]: {track.n_frames} frames, pose found in "
        f"{100 * track.detection_rate():.1f}% ({track.attrs.get('person', '')})"
    )
    if result.analysis is not None:
        a = result.analysis
        console.print(f"status: {a.status}{' - ' + a.message if a.message else ''}")
        console.print(f"view: {a.view.get('label')}  cadence: {a.cadence_spm:.1f} steps/min")
        timing = a.settings.get("time", {})
        if timing.get("capture_fps"):
            console.print(
                f"time: filmed at {timing['capture_fps']:g} fps ({timing['capture_fps_source']}), "
                f"played at {timing['playback_fps']:g} fps: times are real time"
            )
    for cue in result.cues[:3]:
        console.print(f"cue: {getattr(cue, 'cue', cue)}")
    for name, path in result.outputs.items():
        console.print(f"  {name}: {path}")


@app.command()
def info() -> None:
    """Show versions and where the pose model is looked for."""
    import platform

    import av
    import mediapipe

    import armcarriage
    from armcarriage.pose import MODEL_ENV, default_model_path

    path = default_model_path()
    typer.echo(f"armcarriage {armcarriage.__version__}")
    versions = f"mediapipe {mediapipe.__version__}  av {av.__version__}"
    typer.echo(f"python {platform.python_version()}  {versions}")
    found = "found" if path.is_file() else "MISSING"
    typer.echo(f"model: {path} ({found}); override with --model or ${MODEL_ENV}")


def _register_optional() -> None:
    """Add the commands kept in their own modules.

    ``batch`` and ``serve`` need the ``batch`` and ``web`` extras; without them
    those commands are left out (``armcarriage info`` still works).
    """
    import importlib

    for name, module, attr in (
        ("metrics", "armcarriage.analysis_cli", "metrics_command"),
        ("cues", "armcarriage.cues_cli", "cues_command"),
        ("synth", "armcarriage.synthetic.cli", "synth_command"),
        ("batch", "armcarriage.batch.cli", "batch_command"),
        ("history", "armcarriage.history.cli", "history_command"),
        ("serve", "armcarriage.web.cli", "serve_command"),
    ):
        try:
            func = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
        app.command(name)(func)


def _usage_exit_code(exc: Exception) -> int | None:
    """Exit code for the CLI framework's own exceptions (usage errors, exit)."""
    show = getattr(exc, "show", None)
    code = getattr(exc, "exit_code", None)
    if type(exc).__name__ == "Exit":
        return int(code or 0)
    if callable(show) and code is not None:  # a click/typer usage exception
        show()
        return 2
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    _register_optional()
    try:
        app(args=argv, standalone_mode=False)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except ArmcarriageError as exc:
        typer.echo(f"internal error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # the CLI's last line of defence: report, exit 1
        usage = _usage_exit_code(exc)
        if usage is not None:
            return usage
        typer.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        if "-v" in (argv or sys.argv) or "-vv" in (argv or sys.argv):
            raise
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
