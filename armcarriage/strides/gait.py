"""Proportions of a periodic gait that the stride code checks its events against.

A stride is one cycle of both legs, a step half of it; these fractions of the stride period
bound what a step, a stride or a foot's extreme can be. They follow from the gait's
periodicity rather than from a tuned threshold, so they are named here instead of in the
configuration; the tunable thresholds are in :class:`armcarriage.config.StrideConfig`.
"""

from __future__ import annotations

SPM_PER_STRIDE_HZ = 120.0
"""Steps per minute of one stride per second: two steps a stride, sixty seconds a minute."""
STEPS_PER_MINUTE_PER_HZ = 60.0
"""Steps per minute of one step per second."""
STEP_RANGE = (0.3, 0.7)
"""A step (strike to the next strike of either foot) spans this range of strides."""
STRIDE_RANGE = (0.75, 1.33)
"""A stride of one foot (strike to its next strike) spans this range of the stride period;
a strike sooner than the lower bound after the foot's previous one is spurious, and a toe-off
belongs to a strike when it follows within it."""
LOOSE_STRIDE_RANGE = (0.5, 1.5)
"""Stride intervals kept when comparing how much two sets of strikes scatter."""
EXTREMES_APART = 0.6
"""Fraction of the stride period at least between two extremes of one foot's signal."""
EXTREME_PROMINENCE = 0.25
"""Prominence of a foot's extreme, as a fraction of the signal's robust range."""
EDGE_FLOOR_APART = 0.3
"""Fraction of the stride period a stance cut by a clip end must lie from the other floors."""
ROBUST_RANGE = (5, 95)
"""Percentiles whose difference is a signal's range, robust to a few outlying samples."""
GROUND_PERCENTILE = 95
"""Percentile of a point's image height (down is larger) taken as its ground level."""
MIN_PERIOD_OVERLAP = 0.3
"""Share of a signal's valid samples a lag must overlap for its autocorrelation to count."""
PERIOD_SCORE_TOLERANCE = 0.15
"""The stride period is the first lag scoring within this of the best (multiples of the
period score as high as the period)."""
SWING_SLOPE_S = 0.2
"""Duration (s) over which the legs' speed is read as a least-squares slope."""
MIN_PEAK_SAMPLES = 5
"""Fewest valid samples in which a signal's extremes are looked for."""
MIN_PERIOD_SAMPLES = 8
"""Fewest valid samples (and frames of a clip) from which a period is estimated."""
MIN_SWING_SAMPLES = 10
"""Fewest valid samples from which the legs' swing or the world torso length is read."""
MIN_STRETCH_SAMPLES = 20
"""Fewest valid samples in which a real-time stretch of a partly slowed clip is looked for."""
MIN_STEP_SAMPLES = 4
"""Fewest samples of a step for the hip bounce, and fewest strikes whose edges are trimmed."""
