"""``armcarriage cues``: list the cue rules in force and check a coach's cue file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def cues_command(
    cues: Annotated[
        Path | None,
        typer.Option("--cues", help="TOML file of cue rules that override the shipped ones."),
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also print each rule's explanation and basis.")
    ] = False,
) -> None:
    """List the cue rules in force (shipped defaults plus --cues FILE) and check the file.

    A malformed file stops with an error that names the rule and the field
    (exit code 2). Copy a rule's [rules.ID] header and the fields to change
    into your own file to adjust a threshold.
    """
    from rich.console import Console
    from rich.table import Table

    from armcarriage.cues import default_rules_path, load_rules, unit_of

    rules = load_rules(cues)
    console = Console()
    table = Table(title=f"cue rules: {default_rules_path()}" + (f" + {cues}" if cues else ""))
    table.add_column("rule", no_wrap=True)
    for col in ("flag when", "views", "strides", "severity", "cue"):
        table.add_column(col)
    for r in rules:
        unit = "%" if r.comparison == "asymmetry" else unit_of(r.metric)
        when = (
            f"{r.metric}: L/R differ > {r.threshold:g}%"
            if r.comparison == "asymmetry"
            else f"{r.metric} more than {r.threshold:g} {unit} below the athlete's reference"
            if r.comparison == "below_reference"
            else f"{r.metric} {r.comparison} {r.threshold:g} {unit}"
        )
        table.add_row(
            r.id,
            when,
            ", ".join(r.views),
            f">= {r.min_strides}, {r.min_fraction:.0%}",
            r.severity,
            r.cue,
        )
    console.print(table)
    if details:
        for r in rules:
            console.print(
                f"[bold]{r.id}[/bold]: {r.why}\n  basis: {r.basis}\n  drills: {'; '.join(r.drills)}"
            )
    console.print(f"{len(rules)} rules OK")
