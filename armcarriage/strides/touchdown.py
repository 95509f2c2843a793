"""Touchdown: the moment a descending foot point meets its stance floor.

A threshold on the height above the floor fires while the foot is still coming down: it
leads the contact by the time the foot takes to fall that height, a fixed lag of the method
whatever the frame rate (at 240 fps it shows as several frames). The contact is where the
downward motion meets the floor, so it is read from the descent itself: the segment that
crosses the timing level is carried on at its speed to the floor (sub-frame, linear), and
the touchdown comes no later than where the point is within ``touch`` of the floor (a foot
slowing before the contact would carry the line past it), nor later than ``max_s`` after
the crossing (a heel settling slowly, as a walker's does, is no fall). A point still
falling where it is lost (missing samples or the clip's end) is not seen to land, unless
it has settled: within ``touch`` of the ground level (zero clearance, set by the foot's
other stances) and moving by less than ``touch`` a sample, as a heel that settles by a
millimetre a frame in the clip's last frames does.
"""

from __future__ import annotations

import numpy as np


def touchdown_time(
    t: np.ndarray,
    y: np.ndarray,
    a: int,
    b: int,
    touch: float,
    level: float,
    max_s: float = np.inf,
    floor: float | None = None,
) -> float:
    """Return the time a point lands on its floor in the contact run ``[a, b)``.

    Parameters
    ----------
    t
        Sample times (s).
    y
        The point's clearance above its ground level (torso lengths, up positive).
    a, b
        The contact run's first and past-the-last samples.
    touch
        Height above the run's lowest clearance within which the point is down.
    level
        Height above the run's lowest clearance whose crossing gives the descent speed.
    max_s
        Longest time from that crossing to the touchdown (s).
    floor
        The clearance the point lands on, when lower than the run's lowest (a stance
        the pose model cut short: the ground level); ``touch`` and ``level`` then stand
        on it.

    Returns
    -------
    float
        The landing time, NaN when the run holds no finite sample or the point never
        comes within ``level`` of its floor, ``-inf`` when the point is down from the
        first sample of the series (a run under way).

    """
    seg = y[a:b]
    if not np.isfinite(seg).any():
        return float("nan")
    lowest = float(np.nanmin(seg))
    floor = lowest if floor is None else min(floor, lowest)
    last = int(np.flatnonzero(np.isfinite(seg))[-1]) + a
    if y[last] == lowest and last > a and y[last - 1] > lowest:
        cut = last + 1 >= y.size or not np.isfinite(y[last + 1])
        if cut and not (y[last] <= touch and y[last - 1] - y[last] < touch):
            # still falling where the point is lost, not yet settled on the ground level
            # its other stances set: its landing is not seen
            return float("nan")
    low = np.flatnonzero(seg <= floor + level) + a
    down = np.flatnonzero(seg <= floor + touch) + a
    if not low.size:
        return float("nan")
    i = int(low[0])
    if i == 0:
        return float("-inf")
    cap = np.inf  # a point that never comes within ``touch`` of a floor below its run
    if down.size:
        j = int(down[0])
        cap = float(t[j])
        if j > 0 and np.isfinite(y[j - 1]) and y[j - 1] > y[j]:
            # where the point comes within ``touch`` of the floor, between samples
            cap = float(t[j] - (floor + touch - y[j]) / (y[j - 1] - y[j]) * (t[j] - t[j - 1]))
    prev = y[i - 1]
    if not np.isfinite(prev):
        return float("nan")  # the descent is not seen
    if prev <= y[i]:
        return min(float(t[i]), cap)
    # on along the descent through the level, at its speed there, to the floor
    step = t[i] - t[i - 1]
    late = (y[i] - floor) / (prev - y[i]) * step
    crossed = t[i - 1] + (prev - floor - level) / (prev - y[i]) * step
    return float(min(t[i] + late, cap, crossed + max_s))
