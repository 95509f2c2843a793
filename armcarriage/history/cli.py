"""The ``armcarriage history ATHLETE`` command (registered by armcarriage.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console


def history_command(
    athlete: Annotated[str, typer.Argument(help="Athlete name, as in the batch manifest.")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="History database: URL, SQLite file or batch output folder "
            "(default: the config's batch.database_url, else ./history.sqlite).",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for history_<athlete>.png and .html."),
    ] = Path("."),
    config: Annotated[Path | None, typer.Option("--config", help="TOML file of settings.")] = None,
) -> None:
    """Print and plot each metric of an athlete over dates, with the cues that fired."""
    from rich.console import Console

    from armcarriage.history.db import get_engine
    from armcarriage.history.plot import plot_history, write_history_page
    from armcarriage.history.store import athlete_metrics, athlete_sessions, list_athletes
    from armcarriage.names import slug
    from armcarriage.shell import build_config

    cfg = build_config(config, None)
    engine = get_engine(existing_database(db or cfg.batch.database_url or "history.sqlite"))
    sessions = athlete_sessions(engine, athlete)
    if sessions.empty:
        from armcarriage.errors import InputError

        known = ", ".join(list_athletes(engine)) or "none"
        raise InputError(
            f"history: no sessions for athlete {athlete!r}; athletes in {engine.url}: {known}"
        )
    metrics = athlete_metrics(engine, athlete, min_conf=cfg.metrics.min_confidence)
    console = Console()
    print_history(console, athlete, sessions, metrics)
    name = slug(athlete)
    png = plot_history(
        metrics, sessions, athlete, out / f"history_{name}.png", dpi=cfg.report.plots_dpi
    )
    page = write_history_page(metrics, sessions, athlete, png, out / f"history_{name}.html")
    console.print(f"plot: {png}\npage: {page}")


def existing_database(target: str) -> str:
    """Return the URL of ``target``, refusing a SQLite file that does not exist yet.

    Parameters
    ----------
    target
        URL, SQLite file or folder.

    Returns
    -------
    str
        The database URL.

    Raises
    ------
    InputError
        If ``target`` names a SQLite file that is missing (nothing is created).

    """
    from sqlalchemy.engine import make_url

    from armcarriage.errors import InputError
    from armcarriage.history.db import resolve_url

    url = resolve_url(target)
    parsed = make_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and not Path(parsed.database).is_file()
    ):
        raise InputError(
            f"history database {parsed.database}: not found (expected the history.sqlite of a "
            f"batch; pass --db OUTDIR, --db FILE or --db URL)"
        )
    return url


def print_history(
    console: Console, athlete: str, sessions: pd.DataFrame, metrics: pd.DataFrame
) -> None:
    """Print the sessions with their cues, then each metric per arm over dates."""
    import pandas as pd
    from rich.table import Table

    from armcarriage.history.plot import metric_table

    table = Table("date", "clip", "status", "view", "strides", "cues", title=f"{athlete}: sessions")
    for _, s in sessions.iterrows():
        status = s["status"] if s["status"] != "done" else s["analysis_status"] or "done"
        cues = "; ".join(s["cues"]) if s["cues"] else (s["error"] or "-")
        table.add_row(
            str(s["date"]), s["clip_key"], status, s["view"] or "-", str(s["n_strides"]), cues
        )
    console.print(table)
    pivot = metric_table(metrics)
    if pivot.empty:
        console.print("no measured strides")
        return
    grid = Table("metric", "arm", *[str(c) for c in pivot.columns], title="per-session medians")
    for (metric, side), values in pivot.iterrows():
        grid.add_row(metric, side, *("–" if pd.isna(v) else f"{v:.3g}" for v in values))
    console.print(grid)
