"""``armcarriage metrics``: analyse a saved pose track without rerunning the pose model.

:mod:`armcarriage.cli` registers :func:`metrics_command` as ``armcarriage metrics``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from armcarriage.errors import InputError
from armcarriage.jsonio import dumps


def metrics_command(
    track: Annotated[Path, typer.Argument(help="Pose track (.parquet, or .csv with sidecar).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the analysis JSON here.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML file of settings.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a setting, e.g. cleaning.cutoff_hz=6."),
    ] = None,
    series: Annotated[bool, typer.Option(help="Include the per-frame series.")] = False,
    exclude_stride: Annotated[
        list[int] | None,
        typer.Option(
            "--exclude-stride",
            help="Leave out this stride (its number in strides.csv); repeat for more.",
        ),
    ] = None,
    exclude_time: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-time",
            help="Leave out strides overlapping START-END seconds "
            "(a stumble, another person); repeat for more.",
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the strides are left out (kept in the outputs).")
    ] = "",
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="Also write strides.csv, summary.json and report.html here (the cues recomputed).",
        ),
    ] = None,
) -> None:
    """Analyse a pose track: status, view, cadence and per-stride arm metrics as JSON.

    With ``--exclude-stride``/``--exclude-time`` the strides that went wrong are left out and
    the numbers and cues recomputed, without the pose model.
    """
    from armcarriage.analysis import analyze
    from armcarriage.atomic import write_text
    from armcarriage.corrections import Exclusion, exclude_strides
    from armcarriage.errors import TrackError
    from armcarriage.shell import build_config
    from armcarriage.track import PoseTrack

    cfg = build_config(config, set_)
    try:
        pose = PoseTrack.load(track)
    except TrackError as exc:
        raise InputError(str(exc)) from None
    result = analyze(pose, cfg)
    if exclude_stride or exclude_time:
        exclusion = Exclusion.parse(exclude_stride or (), exclude_time or (), reason)
        result = exclude_strides(result, exclusion, cfg)
    if reports is not None:
        from armcarriage.report import write_reports

        write_reports(result, None, reports, cfg)
    text = dumps(result.to_dict(include_series=series), indent=2)
    if out is not None:
        write_text(out, text + "\n")
        typer.echo(f"{result.status}: {result.message or 'ok'}; wrote {out}")
    else:
        typer.echo(text)
