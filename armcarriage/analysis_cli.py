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
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML file of settings.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a setting, e.g. cleaning.cutoff_hz=6."),
    ] = None,
    series: Annotated[bool, typer.Option(help="Include the per-frame series.")] = False,
) -> None:
    """Analyse a pose track: status, view, cadence and per-stride arm metrics as JSON."""
    from armcarriage.analysis import analyze
    from armcarriage.atomic import write_text
    from armcarriage.config import Config
    from armcarriage.errors import TrackError
    from armcarriage.track import PoseTrack

    cfg = Config.from_toml(config) if config else Config()
    overrides = {}
    for item in set_ or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--set {item!r}: expected section.key=value")
        overrides[key.strip()] = value.strip()
    if overrides:
        cfg = cfg.override(overrides)
    try:
        pose = PoseTrack.load(track)
    except TrackError as exc:
        raise InputError(str(exc)) from None
    result = analyze(pose, cfg)
    text = dumps(result.to_dict(include_series=series), indent=2)
    if out is not None:
        write_text(out, text + "\n")
        typer.echo(f"{result.status}: {result.message or 'ok'}; wrote {out}")
    else:
        typer.echo(text)
