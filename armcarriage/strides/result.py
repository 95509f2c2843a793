"""What stride analysis returns: the events, the stride windows and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from armcarriage.status import Status

EVENT_COLUMNS = ["foot", "kind", "time", "frame"]


@dataclass
class StrideResult:
    """Foot events, strides and the running verdict.

    Attributes
    ----------
    events
        Columns ``foot``, ``kind`` (strike/toe_off), ``time`` (s), ``frame``.
    strides
        One row per stride: ``stride``, ``foot`` (reference foot), ``t_start``,
        ``t_end``, ``frame_start``, ``frame_end``, ``stride_time_s``,
        ``cadence_spm``, ``contact_time_s``, ``flight_time_s``.
    cadence_spm
        Clip cadence, NaN when not measured.
    status
        ``ok``, ``no_running``, ``too_few_strides``, ``slow_motion`` or ``speed_change``.
    message
        Why, for any status but ``ok``.
    checks
        Method and cross-check figures.

    """

    events: pd.DataFrame
    strides: pd.DataFrame
    cadence_spm: float
    status: Status
    message: str
    checks: dict[str, Any] = field(default_factory=dict)
