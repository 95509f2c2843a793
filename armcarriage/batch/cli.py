"""The ``armcarriage batch INPUT -o OUTDIR`` command (registered by armcarriage.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

REQUIRES = ("sqlalchemy",)
"""Modules the command needs at run time (the history database), checked when it is listed."""

if TYPE_CHECKING:
    from rich.console import Console

    from armcarriage.batch.runner import BatchResult


def batch_command(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Folder of videos, or a CSV manifest (path, athlete, date, view, notes).",
        ),
    ],
    outdir: Annotated[
        Path,
        typer.Option(
            "-o", "--outdir", help="Output folder: one report folder per clip, team.html/csv."
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Clips analysed at once (default: one per core)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address (tcp://host:8786), or 'local' for a local Dask cluster.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Analyse again clips already analysed with the same settings."
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="History database URL or SQLite file (default: OUTDIR/history.sqlite)."
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML file of settings.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override one setting, e.g. --set cleaning.cutoff_hz=8."),
    ] = None,
    verbose: Annotated[
        int, typer.Option("-v", "--verbose", count=True, help="More log output.")
    ] = 0,
) -> None:
    """Analyse a folder or manifest of clips in parallel, with a team report and history.

    Clips already analysed with the same content and settings are skipped unless
    --force. A bad clip is recorded with its error and the batch goes on; the exit
    code is 1 if any clip failed. Ctrl-C keeps the finished clips; run the same
    command again to finish the rest.
    """
    from rich.console import Console

    from armcarriage.batch.runner import run_batch
    from armcarriage.shell import build_config, setup_logging

    setup_logging(verbose)
    cfg = build_config(config, set_)
    console = Console(stderr=True)
    try:
        result = run_batch(
            source,
            outdir,
            cfg,
            workers=workers,
            scheduler=scheduler,
            force=force,
            db=db,
            console=console,
        )
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted[/]: finished clips are kept; run the same command again to finish"
        )
        raise typer.Exit(130) from None
    _print_summary(console, result)
    raise typer.Exit(result.exit_code)


def _print_summary(console: Console, result: BatchResult) -> None:
    from rich.table import Table

    failed = [o for o in result.outcomes if o.state == "failed"]
    console.print(
        f"{result.count('done')} analysed, {result.count('skipped')} skipped "
        f"(already analysed), {len(failed)} failed"
    )
    if failed:
        table = Table("clip", "error", title="Failed clips", show_lines=False)
        for o in failed:
            table.add_row(o.key, f"{o.error_type}: {o.error}")
        console.print(table)
    for name, path in result.outputs.items():
        console.print(f"  {name}: {path}")
    console.print(f"  history: {result.database_url}")
