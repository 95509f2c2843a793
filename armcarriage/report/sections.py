"""The numbers of ``report.html``: charts, left vs right, drift, strides, unmeasured."""

from __future__ import annotations

import pandas as pd

from armcarriage.metrics import METRICS
from armcarriage.report import charts, plots, words
from armcarriage.report.geometry import measured_sides, series_or_angles
from armcarriage.report.sectionbase import (
    ARM_METRICS,
    DRIFT_PLOT_METRICS,
    TABLE_EXTRA,
    E,
    SectionBase,
    asymmetry_notes,
    not_assessed,
    thresholds,
)


class NumberSections(SectionBase):
    """Sections of numbers: charts per metric, left vs right, drift, stride table."""

    def plots(self) -> str:
        """Per-frame elbow angle and one chart per metric a cue reads from this view."""
        parts = []
        track = self.a.track
        elbow = (self.a.validity or {}).get("elbow_angle_mean", {})
        if elbow.get("measured", self._measured("elbow_angle_mean")):
            curves = {s: series_or_angles(self.a, s) for s in measured_sides(self.a)}
            parts.append(
                self.chart(
                    "Elbow angle through the clip (°; shaded bands = strides)",
                    charts.elbow_series(track.time, curves, self.strides),
                    wide=True,
                )
            )
        metrics = [m for m in self.plotted() if self._measured(m)]
        # an asymmetry rule reads a metric only where both arms were measured
        notes = {
            m: text
            for m, text in asymmetry_notes(self.rules, self.view).items()
            if self._both_arms(m)
        }
        drawn = thresholds(self.rules, self.view)
        for m in metrics:
            parts.append(
                self.chart(
                    f"{plots.label(m)} ({plots.unit_label(m)})",
                    charts.stride_metric(self.strides, m, drawn.get(m, ())),
                    note=notes.get(m, ""),
                )
            )
        if not parts:
            return ""
        return (
            f'<section id="plots"><h2>Metrics over the clip</h2><p class="note">One chart '
            "per measured metric that a cue reads from this view; dashed red lines are the "
            "cue thresholds. Tap a point to see that moment in the player.</p>"
            f'<div class="charts">{"".join(parts)}</div></section>'
        )

    def lr(self) -> str:
        """Left vs right comparison."""
        summary = self.a.summary
        metrics = [
            m
            for m in ARM_METRICS
            if m in summary
            and all(
                words.number(summary[m].get(s, {}).get("median")) is not None
                for s in ("left", "right")
            )
        ]
        if not metrics:
            return (
                '<section id="lr"><h2>Left vs right</h2><p class="empty">Only one arm was '
                "measured from this view, so the arms cannot be compared. A front or rear "
                "view shows both arms.</p></section>"
            )
        rows = []
        ratio_ok = []
        limit = self.config.metrics.symmetry_flag_percent
        for m in metrics:
            s = summary[m]
            left, right = s["left"].get("median"), s["right"].get("median")
            si = words.number(s.get("symmetry_index"))
            if si is not None and words.above_noise([left, right], m, self.rc):
                ratio_ok.append(m)
                cell = f'<td class="{"flag" if si > limit else ""}">{si:.0f}%</td>'
            else:
                cell = (
                    '<td class="na" title="values too small for a percentage: they are '
                    'within the keypoint noise">—</td>'
                )
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td>{E(self.fmt(left, m))}</td>"
                f"<td>{E(self.fmt(right, m))}</td>"
                f"<td>{E(words.fmt(s.get('difference'), m, self.rc, signed=True))}</td>"
                f"{cell}</tr>"
            )
        table = (
            '<div class="scroll"><table><tr><th>metric</th><th class="left">left</th>'
            '<th class="right">right</th><th>left − right</th><th>symmetry index</th></tr>'
            f"{''.join(rows)}</table></div>"
        )
        image = (
            self.chart(
                "Left and right medians as a ratio to the two-arm median (1 = the "
                "same; bars: inter-quartile range)",
                charts.lr_chart(summary, ratio_ok),
                wide=True,
            )
            if ratio_ok
            else ""
        )
        return (
            f'<section id="lr"><h2>Left vs right</h2>{image}{table}'
            '<p class="note">Symmetry index = |L−R| / '
            f"mean(L, R); above {limit:g}% is marked. Values within the keypoint noise get "
            "no percentage.</p></section>"
        )

    def drift(self) -> str:
        """First third vs last third of the clip (fatigue drift), on long enough clips."""
        n = int(self.strides["stride"].nunique()) if len(self.strides) else 0
        need = self.rc.drift_min_strides
        if n < need:
            return (
                '<section id="drift"><h2>Fatigue drift</h2><p class="empty">Not assessed: '
                f"this clip has {n} strides and a comparison of the start and end of a run "
                f"needs at least {need}, so that each third holds enough strides. Film a "
                "longer stretch to see whether form changes as the runner tires.</p></section>"
            )
        summary = self.a.summary
        frac = self.config.metrics.drift_flag_fraction
        rows = []
        for m in self.table_metrics():
            b = summary.get(m, {}).get("both", {})
            first, last = words.number(b.get("first_third")), words.number(b.get("last_third"))
            if first is None or last is None:
                continue
            if words.above_noise([first], m, self.rc):
                change = (last - first) / abs(first)
                flag = abs(change) > frac
                shift = (
                    "→ no change"
                    if abs(change) < 0.01
                    else f"{'↑' if change > 0 else '↓'} {abs(100 * change):.0f}%"
                )
            else:
                flag = False
                shift = words.fmt(last - first, m, self.rc, signed=True)
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td>{E(self.fmt(first, m))}</td>"
                f'<td>{E(self.fmt(last, m))}</td><td class="{"flag" if flag else ""}">'
                f"{E(shift)}</td></tr>"
            )
        if not rows:
            return (
                '<section id="drift"><h2>Fatigue drift</h2><p class="empty">No metric was '
                "measured in both the first and the last third of the strides.</p></section>"
            )
        metrics = [m for m in DRIFT_PLOT_METRICS if self._measured(m)]
        fig = ""
        if metrics and "side" in self.strides:
            fig = (
                '<div class="charts">'
                + "".join(
                    self.chart(
                        f"{plots.label(m)} ({plots.unit_label(m)}), trend per arm",
                        charts.drift_chart(self.strides, m),
                    )
                    for m in metrics[:3]
                )
                + "</div>"
            )
        return (
            f'<section id="drift"><h2>Fatigue drift</h2><p class="note">Median of the first '
            f"third of strides vs the last third; changes above {100 * frac:.0f}% are marked; "
            "values within the keypoint noise show the change itself, not a percentage."
            "</p><table><tr><th>metric</th><th>first third</th><th>last third</th>"
            f"<th>change</th></tr>{''.join(rows)}</table>{fig}</section>"
        )

    def table_metrics(self) -> list[str]:
        """Metrics of the stride and drift tables: the plotted ones and a few more."""
        order = {m: i for i, m in enumerate(METRICS)}
        cols = set(self.plotted()) | set(TABLE_EXTRA)
        return [
            m for m in sorted(cols, key=lambda m: order.get(m, len(order))) if self._measured(m)
        ]

    def stride_table(self) -> str:
        """Per stride x arm values of the main metrics."""
        s = self.strides
        cols = self.table_metrics()
        head = "".join(
            f"<th>{E(plots.label(m))}<br><span class=note>{E(plots.unit_label(m))}</span></th>"
            for m in cols
        )
        rows = []
        min_conf = self.config.metrics.min_confidence
        arm_cols = [m for m in cols if m in ARM_METRICS]
        shown = s
        if arm_cols and "side" in s:
            measured = s[arm_cols].apply(pd.to_numeric, errors="coerce").notna().any(axis=1)
            shown = s.loc[measured]
        hidden = sorted(
            set(s.get("side", pd.Series(dtype=str))) - set(shown.get("side", pd.Series(dtype=str)))
        )
        for _, r in shown.iterrows():
            cells = []
            for m in cols:
                reason = words.for_people(r.get(f"{m}_reason", "") or "")
                conf = words.number(r.get(f"{m}_conf", 1.0))
                text = words.short(r[m], m, self.rc)
                if text == words.MISSING:
                    cells.append(f'<td class="na" title="{E(reason)}">—</td>')
                elif conf is not None and conf < min_conf:
                    cells.append(
                        f'<td class="na" title="low confidence ({conf:.2f}); not used">'
                        f"{E(text)}</td>"
                    )
                else:
                    cells.append(f"<td>{E(text)}</td>")
            side = str(r.get("side", ""))
            start = words.number(r["t_start"])
            end = words.number(r.get("t_end"))
            span = (
                f' data-t="{start:.4f}" data-t-end="{end:.4f}"'
                if start is not None and end is not None
                else ""
            )
            rows.append(
                f"<tr{span}><td>{words.stride_number(r['stride'])}</td>"
                f'<td class="l {E(side)}">{E(side)}</td>'
                f"<td>{f'{start:.2f}' if start is not None else '—'}</td>"
                f"{''.join(cells)}</tr>"
            )
        note = (
            f" The {' and '.join(hidden)} arm was not measured from this view and is left out."
            if hidden
            else ""
        )
        return (
            f'<section id="strides"><h2>Stride table</h2><p class="note">One row per stride '
            "and arm; — = not measured, grey = low confidence (hover for the reason); tap "
            "a row to play that stride in a loop. Full "
            f'table with confidences: strides.csv.{E(note)}</p><div class="scroll"><table>'
            '<tr><th>stride</th><th class="l">arm'
            f"</th><th>start (s)</th>{head}</tr>{''.join(rows)}</table></div></section>"
        )

    def unmeasured(self) -> str:
        """Render what could not be measured from this view, and which view would."""
        if not self.ok:
            return ""  # the refusal above says why, once
        rows = []
        for m, v in (self.a.validity or {}).items():
            if v.get("measured", True):
                continue
            rows.append(
                f"<tr><td>{E(plots.label(m))}</td><td class=l>"
                f"{E(words.for_people(v.get('reason', '')))}</td><td class=l>"
                f"{E(v.get('better_view', '') or '—')}</td></tr>"
            )
        for item in not_assessed(self.assessment, self.rules):
            rows.append(
                f"<tr><td>Cue: {E(item['title'])}</td><td class=l>"
                f"{E(item['reason'])}</td><td class=l>{E(item.get('better_view') or '—')}"
                "</td></tr>"
            )
        if not rows:
            body = '<p class="empty">Every metric was measured from this view.</p>'
        else:
            body = (
                '<div class="scroll"><table><tr><th>what</th><th class=l>why not</th>'
                "<th class=l>view that would measure it</th></tr>"
                f"{''.join(rows)}</table></div>"
            )
        return f'<section id="unmeasured"><h2>Not measured from this view</h2>{body}</section>'
