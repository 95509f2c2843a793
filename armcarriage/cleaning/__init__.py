"""Cleaning of a pose track before any metric is computed.

Steps, in order (each configurable in :class:`armcarriage.config.CleaningConfig`):

1. **Low-visibility masking**: landmarks with visibility below
   ``min_visibility`` become NaN; non-finite values (inf) become NaN. A wrist is
   judged by the quality of its position instead of the model's score
   (:func:`usable_wrists`): a hand crossing in front of the body scores low
   although the model places it well. **Collapsed
   poses**: a frame whose torso (shoulder centre to hip centre) is shorter than
   ``min_torso_ratio`` times, or longer than its inverse times, the median torso
   within +/- ``torso_window_s`` becomes NaN whole: now and then the pose model
   returns a pose squeezed into a fraction of the body, which is no measurement.
2. **Uniform time**: when the timestamps are uneven (variable frame rate,
   dropped frames) or ``resample_fps`` is set, every series is linearly
   interpolated onto a uniform grid, so that filtering and event timing work
   on true time. Grid points whose nearest source frame is missing stay NaN.
3. **Left/right swap repair**: the pose model sometimes exchanges the labels of
   the two arms or legs for a few frames (typically in side views). Per limb
   group (arm: elbow, wrist and hand points; leg: knee, ankle, heel, toe) each
   frame is labelled as given or swapped by the least-cost labelling of the
   whole clip (Viterbi): the limbs' deviation from their constant-velocity
   prediction (which keeps limbs that pass each other, arms and legs in a side
   view, from being swapped) plus ``swap_prior_tl`` per swapped frame. A frame
   where the model blended both limbs half way between them (far from its
   neighbours under either labelling) is left out of the decision: its velocity
   made the frames after it look swapped.
4. **Outlier rejection**: a Hampel-style filter turns spikes into NaN: a sample
   that strays more than ``hampel_sigmas`` robust standard deviations from the
   quadratic fitted through its neighbours within +/- ``hampel_window_s``
   (leave-one-out, so that true turning points of fast motion fit and a spike
   does not hide itself); a spike must also exceed ``hampel_min_tl`` torso
   lengths, so that the corners of genuine fast motion (a foot landing) are not
   taken for spikes.
5. **Gap filling**: runs of NaN no longer than ``max_gap_s`` with data on both
   sides are filled by linear interpolation; longer gaps stay NaN.
6. **Zero-lag low-pass filter**: 4th-order Butterworth run forwards and
   backwards (``scipy.signal.sosfiltfilt``) on each contiguous run of data.
   Trunk, head and legs use ``cutoff_hz`` (8 Hz by default: trunk motion has
   its content below about 6 Hz, foot events need the sharper lower-limb
   signals kept, and the pose model's frame-to-frame jitter lies above it);
   the elbow, wrist and hand points use ``arm_cutoff_hz`` (12 Hz), because the
   forearm's turn at each swing extreme is sharper still and an 8 Hz filter
   rounds the elbow angle's extremes by degrees. Both are capped at 0.8 x the
   Nyquist frequency.
"""

from __future__ import annotations

from armcarriage.cleaning.filters import fill_gaps, hampel, local_trend, lowpass
from armcarriage.cleaning.filters import runs as runs
from armcarriage.cleaning.masks import usable_wrists
from armcarriage.cleaning.stage import CleanResult, clean
from armcarriage.cleaning.swaps import repair_swaps
from armcarriage.cleaning.timing import is_uneven
from armcarriage.cleaning.timing import sampling_rate as sampling_rate

__all__ = [
    "CleanResult",
    "clean",
    "fill_gaps",
    "hampel",
    "is_uneven",
    "local_trend",
    "lowpass",
    "repair_swaps",
    "usable_wrists",
]
