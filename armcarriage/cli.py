"""Command line: ``armcarriage analyze VIDEO``, ``info`` and the commands built on them.

Exit codes: 0 success; 1 an internal error, or (``batch``) any clip failed; 2 bad
usage or input (a bad video, a missing model, a bad setting, a command whose
optional extra is not installed); 130 interrupted (Ctrl-C), after a clean stop.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from armcarriage.cli_text import outcome_lines
from armcarriage.errors import ArmcarriageError, InputError
from armcarriage.person import PERSON_HELP, parse_person
from armcarriage.shell import build_config, reference_option, setup_logging
from armcarriage.status import Status

UNUSABLE_INPUT = (Status.NO_RUNNER, Status.TOO_FEW_STRIDES)
"""Statuses of a clip the analysis cannot use (no runner in view, too few strides): the
command writes its outputs with the reason and exits 2, as for any other bad input."""

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

VideosArg = Annotated[
    list[Path],
    typer.Argument(
        help="Video of a runner (mp4, mov, mkv, webm); with --session, the clips of one run.",
        metavar="VIDEO...",
    ),
]
OutdirOpt = Annotated[
    Path | None,
    typer.Option("-o", "--outdir", help="Output folder [default: ./armcarriage_out/<clip name>]."),
]
ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model", help="MediaPipe pose .task bundle [default: models/pose_landmarker_full.task]."
    ),
]
MaxSecondsOpt = Annotated[
    float | None, typer.Option("--max-seconds", help="Analyse only the first seconds.")
]
TargetFpsOpt = Annotated[
    float | None,
    typer.Option("--target-fps", help="Analyse at most this many frames per second."),
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Pose worker processes (0 = one per core).")
]
CaptureFpsOpt = Annotated[
    float | None,
    typer.Option(
        "--capture-fps",
        min=0.0,
        help="Frame rate the clip was filmed at, for slow motion (e.g. 240 for a phone's "
        "slow motion played at 30 fps) [default: the container's capture-rate tag, else "
        "the playback rate].",
    ),
]
CuesOpt = Annotated[Path | None, typer.Option("--cues", help="TOML file of cue rules.")]
ExportVideoOpt = Annotated[
    bool,
    typer.Option(
        "--export-video",
        help="Also write annotated.mp4, the clip with skeleton, angles and cues "
        "(slow: every frame is decoded, drawn and encoded again).",
    ),
]
StartOpt = Annotated[
    float | None, typer.Option("--start", help="Analyse from this time in the clip, seconds.")
]
EndOpt = Annotated[
    float | None, typer.Option("--end", help="Analyse up to this time in the clip, seconds.")
]
HeightOpt = Annotated[
    float | None,
    typer.Option(
        "--height-cm",
        help="The runner's height: shoulder and hand distances are then also given in cm.",
    ),
]
PersonOpt = Annotated[str, typer.Option("--person", help=PERSON_HELP)]
SessionOpt = Annotated[
    bool,
    typer.Option(
        "--session",
        help="The clips are one run filmed from several views (side and front): analyse "
        "each, then merge them into one report, each metric from the view that measures it.",
    ),
]


@app.command()
def analyze(
    videos: VideosArg,
    outdir: OutdirOpt = None,
    model: ModelOpt = None,
    max_seconds: MaxSecondsOpt = None,
    target_fps: TargetFpsOpt = None,
    workers: WorkersOpt = None,
    capture_fps: CaptureFpsOpt = None,
    cues: CuesOpt = None,
    export_video: ExportVideoOpt = False,
    start: StartOpt = None,
    end: EndOpt = None,
    height_cm: HeightOpt = None,
    person: PersonOpt = "auto",
    config: ConfigOpt = None,
    set_: SetOpt = None,
    verbose: VerboseOpt = 0,
    session: SessionOpt = False,
    reference: Annotated[list[Path] | None, reference_option()] = None,
) -> None:
    """Analyse one clip (or, with --session, the clips of one run): metrics, cues, reports."""
    setup_logging(verbose)
    if height_cm is not None and not 50.0 <= height_cm <= 250.0:
        raise InputError(f"--height-cm: expected a height in cm (50-250), got {height_cm:g}")
    choice = parse_person(person)
    cfg = build_config(
        config,
        set_,
        pose__model_path=str(model) if model else None,
        pose__max_seconds=max_seconds,
        pose__target_fps=target_fps,
        pose__workers=workers,
        video__capture_fps=capture_fps,
        cues__rules_path=str(cues) if cues else None,
        report__annotated_video=True if export_video else None,
        report__height_cm=height_cm,
    )
    if not choice.auto:
        cfg = cfg.override(choice.overrides())
    from armcarriage.parallel import early

    try:
        _analyze(videos, outdir, cfg, (start, end), (verbose, session, early), reference or [])
    finally:
        early.discard()


def _analyze(
    videos: list[Path],
    outdir: Path | None,
    cfg: Any,
    span: tuple[float | None, float | None],
    flags: tuple[int, bool, Any],
    reference: list[Path],
) -> None:
    """Run ``analyze``'s work; ``flags`` = (verbose, session, the early-pool module)."""
    import os

    verbose, session, early = flags
    start, end = span
    if verbose:  # MediaPipe's own logging too, in this process and the pose workers
        from armcarriage.pose import NATIVE_LOGS_ENV

        os.environ[NATIVE_LOGS_ENV] = "1"
    if not session and len(videos) == 1 and not start:
        # the pose workers import their libraries while this process imports its own
        early.start(early.resolve_workers(cfg.pose.workers) - 1)
    from armcarriage.pipeline import check_span, run_analysis
    from armcarriage.pose import resolve_model_path
    from armcarriage.progress import run_progress
    from armcarriage.video import probe_video

    if session or len(videos) > 1:
        if reference:
            raise InputError("--reference: expected one clip, got a session of several")
        from armcarriage.sessions.cli import analyze_session

        analyze_session(videos, outdir, cfg, _stderr_console(), session, (start, end))
        return
    refs = []
    if reference:  # the cues package loads pandas: not beside the pose workers unless needed
        from armcarriage.cues.reference import load_reference

        refs = [load_reference(p) for p in reference]
    video = videos[0]
    out = outdir or Path("armcarriage_out") / video.stem
    console = _stderr_console()
    # Fail on a bad clip, a bad time range or a missing model before any progress is drawn.
    info = probe_video(video, cfg)
    check_span(start or 0.0, end or 0.0, info.duration_s)
    resolve_model_path(cfg.pose.model_path or None)
    with run_progress(console, f"pose {video.name}") as run:
        result = run_analysis(
            video,
            out,
            cfg,
            progress=run.frames,
            stage=run.stage,
            start_s=start or 0.0,
            end_s=end or 0.0,
            info=info,
            references=refs,
        )
    for line in outcome_lines(result, video.name):
        console.print(line, highlight=False)
    if result.analysis is not None and result.analysis.status in UNUSABLE_INPUT:
        raise typer.Exit(2)  # the outputs are written, with the reason


def _stderr_console() -> Any:
    """Return a rich console on a duplicate of file descriptor 2.

    The pose stage points descriptor 2 at the null device while MediaPipe's native
    code runs (its logging would break the display); the console keeps drawing.
    """
    import os

    from rich.console import Console

    try:
        stream = os.fdopen(
            os.dup(sys.stderr.fileno()),
            "w",
            buffering=1,
            encoding="utf-8",
            errors="replace",
            closefd=True,
        )
    except (OSError, ValueError, AttributeError):  # no real descriptor (captured stderr)
        return Console(stderr=True)
    return Console(file=stream, force_terminal=sys.stderr.isatty() or None)


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


OPTIONAL_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("metrics", "armcarriage.analysis_cli", "metrics_command", ""),
    ("cues", "armcarriage.cues_cli", "cues_command", ""),
    ("synth", "armcarriage_eval.synthetic.cli", "synth_command", ""),
    ("batch", "armcarriage.batch.cli", "batch_command", "batch"),
    ("history", "armcarriage.history.cli", "history_command", "batch"),
    ("compare", "armcarriage.history.compare_cli", "compare_command", ""),
    ("serve", "armcarriage.web.cli", "serve_command", "web"),
)
"""``(command, module, function, extra)`` of the commands kept in their own modules;
``extra`` names the optional dependency group (``pip install 'armcarriage[extra]'``)."""

EVAL_PACKAGE = "armcarriage_eval"
"""The evaluation package (renderer, motion-capture truth) that ``synth`` needs."""

EXTRA_MODULES = {
    "dask": "batch",
    "distributed": "batch",
    "sqlalchemy": "batch",
    "fastapi": "web",
    "starlette": "web",
    "uvicorn": "web",
    "multipart": "web",
    "python_multipart": "web",
    "jinja2": "web",
}
"""Top-level modules installed only by an optional extra, and that extra."""


class MissingExtraError(InputError):
    """A command needs an optional extra that is not installed."""


def _missing_extra(command: str, exc: ModuleNotFoundError) -> MissingExtraError | None:
    """Explain a missing third-party module as the extra to install, or None if unknown."""
    module = (exc.name or "").split(".")[0]
    if module == EVAL_PACKAGE:
        return MissingExtraError(
            f"armcarriage {command} needs the evaluation package {EVAL_PACKAGE!r}, which the "
            "runtime wheel leaves out; from a checkout install it with: "
            "pip install -e ./evaluation"
        )
    extra = EXTRA_MODULES.get(module)
    if extra is None:
        extra = next((e for c, _, _, e in OPTIONAL_COMMANDS if c == command and e), None)
        if extra is None or module.startswith("armcarriage"):
            return None
    return MissingExtraError(
        f"armcarriage {command} needs the optional extra '{extra}' (module {module!r} "
        f"is not installed); install it with: pip install 'armcarriage[{extra}]'"
    )


def _unavailable(command: str, error: MissingExtraError) -> Any:
    """Return a stand-in command that reports ``error`` whatever its arguments."""

    def stand_in(ctx: typer.Context) -> None:
        raise error

    stand_in.__doc__ = f"(unavailable) {error}"
    stand_in.__name__ = f"{command}_unavailable"
    return stand_in


def _require(module: str) -> None:
    """Raise ModuleNotFoundError if ``module`` cannot be imported, without importing it."""
    import importlib.util

    present = (
        sys.modules[module] is not None
        if module in sys.modules
        else importlib.util.find_spec(module) is not None
    )
    if not present:
        raise ModuleNotFoundError(f"No module named {module!r}", name=module)


def _register_optional() -> None:
    """Add the commands kept in their own modules (once).

    A command whose module needs a missing optional extra is still listed; run,
    it says which extra to install (exit 2).
    """
    import importlib

    registered = {c.name for c in app.registered_commands}
    for name, module, attr, _extra in OPTIONAL_COMMANDS:
        if name in registered:
            continue
        try:
            loaded = importlib.import_module(module)
            for needed in getattr(loaded, "REQUIRES", ()):
                _require(needed)
            func = getattr(loaded, attr)
        except ModuleNotFoundError as exc:
            error = _missing_extra(name, exc)
            if error is None:
                raise
            app.command(
                name,
                context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                add_help_option=False,
            )(_unavailable(name, error))
            continue
        app.command(name)(func)


def _command_of(argv: list[str]) -> str:
    """Return the sub-command named on the command line ('' if none)."""
    return next((a for a in argv if not a.startswith("-")), "")


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    _register_optional()
    try:
        code = app(args=args, standalone_mode=False)
    except InputError as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    except ArmcarriageError as exc:
        typer.echo(f"internal error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        # the stop is clean from here: a second Ctrl-C, or one that reaches the process while
        # its pool workers are still starting, must not cut the clean-up short (the process
        # then died of the signal instead of exiting 130)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        typer.echo("interrupted", err=True)
        return 130
    except ModuleNotFoundError as exc:
        error = _missing_extra(_command_of(args), exc)
        if error is None:
            return _internal(exc, args)
        typer.echo(f"error: {error}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001  (the last line of defence: report, exit 1)
        usage = _framework_exit_code(exc)
        return usage if usage is not None else _internal(exc, args)
    # typer returns the code of ``typer.Exit`` (130 for Ctrl-C) in non-standalone mode
    code = code if isinstance(code, int) else 0
    if code == 130:
        typer.echo("interrupted", err=True)
    return code


def _framework_exit_code(exc: Exception) -> int | None:
    """Exit code for the CLI framework's own exceptions: usage errors 2, abort 130.

    Matched by shape, not class: typer vendors its own copy of click.
    """
    if type(exc).__name__ == "Abort":  # end of input at a prompt, or Ctrl-C in older typer
        typer.echo("interrupted", err=True)
        return 130
    show = getattr(exc, "show", None)
    if callable(show) and getattr(exc, "exit_code", None) is not None:  # a usage error
        show()
        return 2
    return None


def _internal(exc: Exception, args: list[str]) -> int:
    """Report an unexpected error (re-raised with -v for its traceback); return 1."""
    typer.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    if "-v" in args or "-vv" in args or "--verbose" in args:
        raise exc
    return 1


if __name__ == "__main__":
    sys.exit(main())
