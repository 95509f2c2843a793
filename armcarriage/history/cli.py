"""The ``armcarriage history ATHLETE`` command (registered by armcarriage.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console


def history_command(
    words: Annotated[
        list[str],
        typer.Argument(
            help="ATHLETE (any case or accents), or: merge FROM INTO (two names of one athlete "
            "become one; FROM's sessions move to INTO and FROM stays an alias).",
            metavar="ATHLETE | merge FROM INTO",
        ),
    ],
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
    """Print and plot each metric of an athlete over dates, with the cues that fired.

    ``armcarriage history merge FROM INTO`` merges two athletes instead.
    """
    from rich.console import Console

    from armcarriage.history.db import get_engine
    from armcarriage.history.plot import plot_history, write_history_page
    from armcarriage.history.store import athlete_metrics, athlete_sessions, list_athletes
    from armcarriage.names import slug
    from armcarriage.shell import build_config

    cfg = build_config(config, None)
    engine = get_engine(existing_database(db or cfg.batch.database_url or "history.sqlite"))
    athlete = _athlete_word(words)
    if athlete is None:
        merge_command(engine, words[1], words[2])
        return
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


def _athlete_word(words: list[str]) -> str | None:
    """Return the athlete of ``history ATHLETE``, or None for ``history merge FROM INTO``."""
    from armcarriage.errors import InputError

    if len(words) == 3 and words[0] == "merge":
        return None
    if len(words) != 1:
        raise InputError(f"history: expected ATHLETE or 'merge FROM INTO', got {' '.join(words)!r}")
    return words[0]


def merge_command(engine: Any, source: str, target: str) -> None:
    """Merge athlete ``source`` into ``target`` and say what moved."""
    from armcarriage.history.identity import merge_athletes

    done = merge_athletes(engine, source, target)
    typer.echo(
        f"merged {done.source!r} into {done.target!r}: {done.moved} session(s) moved, "
        f"{done.duplicates} duplicate(s) dropped; {done.source!r} is now an alias"
    )


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
