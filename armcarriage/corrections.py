"""Corrections: leave out strides that went wrong (a stumble, another person for a second).

The numbers and cues are recomputed from the analysis already made (no pose model, no new
strides), and the exclusions travel with the result, each with its reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from armcarriage.analysis import FIRST_STRIDE_NUMBER, Analysis, validity_summary
from armcarriage.config import Config
from armcarriage.errors import InputError
from armcarriage.metrics.summary import summarize
from armcarriage.status import Status


@dataclass(frozen=True)
class Exclusion:
    """Strides to leave out, by number and by time range (s).

    Numbers are as people read them (``strides.csv``, the report): the first stride is
    :data:`~armcarriage.analysis.FIRST_STRIDE_NUMBER`.
    """

    strides: tuple[int, ...] = ()
    ranges: tuple[tuple[float, float], ...] = ()
    reason: str = ""

    @classmethod
    def parse(
        cls, strides: Sequence[int] = (), ranges: Sequence[str] = (), reason: str = ""
    ) -> Exclusion:
        """Build from command-line values; a range is ``START-END`` in seconds."""
        spans = []
        for text in ranges:
            start, sep, end = text.partition("-")
            try:
                t0, t1 = float(start), float(end)
            except ValueError:
                t0 = t1 = float("nan")
            if not sep or not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0:
                raise InputError(
                    f"--exclude-time {text!r}: expected START-END in seconds "
                    "with START < END, e.g. 12.5-14"
                )
            spans.append((t0, t1))
        return cls(tuple(int(s) for s in strides), tuple(spans), reason.strip())


def exclude_strides(
    analysis: Analysis, exclusion: Exclusion, config: Config | None = None
) -> Analysis:
    """Return the analysis without the excluded strides, its summary and validity recomputed.

    A stride is left out when its number is listed or its time window overlaps a range.
    ``settings["excluded"]`` lists what was left out and why; with fewer strides left than
    ``strides.min_strides`` the status becomes ``too_few_strides``.

    Raises
    ------
    InputError
        When the analysis has no strides, or a listed stride number does not exist.

    """
    cfg = config or Config()
    if analysis.status != Status.OK:
        raise InputError(
            f"nothing to exclude: the clip was not analysed per stride "
            f"({analysis.status}: {analysis.message})"
        )
    table = analysis.strides
    numbers = table["stride"].astype(int) + FIRST_STRIDE_NUMBER
    unknown = sorted(set(exclusion.strides) - set(numbers))
    if unknown:
        raise InputError(
            f"--exclude-stride: expected stride numbers among {sorted(set(numbers))}, got {unknown}"
        )
    hit = numbers.isin(exclusion.strides).to_numpy().copy()
    for t0, t1 in exclusion.ranges:
        hit |= ((table["t_start"] < t1) & (table["t_end"] > t0)).to_numpy()
    kept = table[~hit].reset_index(drop=True)
    gone = table[hit].drop_duplicates("stride")
    excluded = [
        {
            "stride": int(r.stride) + FIRST_STRIDE_NUMBER,
            "t_start": float(r.t_start),
            "t_end": float(r.t_end),
            "reason": exclusion.reason or "excluded by hand",
        }
        for r in gone.itertuples(index=False)
    ]
    reasons = {m: str(v.get("reason", "")) for m, v in analysis.validity.items()}
    mc = cfg.metrics
    summary = summarize(
        kept, mc.min_confidence, mc.symmetry_flag_percent, mc.drift_flag_fraction, reasons
    )
    settings = {
        **analysis.settings,
        "excluded": [*analysis.settings.get("excluded", []), *excluded],
    }
    n_left = kept["stride"].nunique()
    status: Status = analysis.status
    message = analysis.message
    if n_left < cfg.strides.min_strides:
        status = Status.TOO_FEW_STRIDES
        message = (
            f"{n_left} strides left after excluding {len(excluded)}, need {cfg.strides.min_strides}"
        )
    return dataclasses.replace(
        analysis,
        status=status,
        message=message,
        strides=kept,
        summary=summary,
        validity=validity_summary(kept, reasons),
        settings=settings,
    )
