"""The ``armcarriage compare A B`` command (registered by armcarriage.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def compare_command(
    before: Annotated[Path, typer.Argument(help="Output folder of the earlier session.")],
    after: Annotated[Path, typer.Argument(help="Output folder of the later session.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help="Folder for compare.json and compare.html [default: the later session's folder].",
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML file of settings.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting: section.key=value.")
    ] = None,
) -> None:
    """Say which metrics changed beyond their noise between two sessions, and which cues."""
    from rich.console import Console
    from rich.table import Table

    from armcarriage.history.compare import (
        BEYOND,
        compare_sessions,
        load_session,
        write_comparison,
    )
    from armcarriage.shell import build_config

    cfg = build_config(config, set_)
    comp = compare_sessions(load_session(before), load_session(after), cfg)
    paths = write_comparison(comp, out or after)
    console = Console()
    table = Table(title=f"{comp.a.label} -> {comp.b.label}")
    for col in ("metric", "arm", "before", "after", "change", "verdict"):
        table.add_column(col)
    for r in comp.rows.to_dict(orient="records"):
        if r["difference"] is None:
            continue
        style = "bold yellow" if r["verdict"] == BEYOND else ""
        table.add_row(
            r["metric"],
            r["side"],
            f"{r['median_a']:.3g}",
            f"{r['median_b']:.3g}",
            f"{r['difference']:+.3g} {r['unit']}",
            r["verdict"],
            style=style,
        )
    console.print(table)
    changed = [
        f"{r['metric']} ({r['side']})"
        for r in comp.rows.to_dict(orient="records")
        if r["verdict"] == BEYOND
    ]
    console.print(f"changed beyond noise: {', '.join(changed) or 'nothing'}")
    for label, ids in (("cues appeared", comp.cues_appeared), ("cues went away", comp.cues_gone)):
        console.print(f"{label}: {', '.join(ids) or 'none'}")
    console.print(f"page: {paths['html']}")
