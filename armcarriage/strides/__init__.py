"""Foot events, strides and cadence, with a check that the motion is running.

The stage in named steps: :mod:`~armcarriage.strides.contacts` (foot signals and contacts),
:mod:`~armcarriage.strides.rhythm` (the stride period), :mod:`~armcarriage.strides.events`
(strikes, toe-offs, stride windows), :mod:`~armcarriage.strides.cadence` (cadence, duty
factor, hip bounce), :mod:`~armcarriage.strides.timebase` (real time and slow motion),
:mod:`~armcarriage.strides.verdict` and :mod:`~armcarriage.strides.analyze` (the stage).
Measured accuracy is in ``benchmarks/results/strides.md`` and the README.

Events
------
Every view: **foot clearance**, the image-space counterpart of how 3D ground truth defines
contact. For the heel and the toe of each foot the clearance is the height above that
point's own ground level, in clip-median torso lengths; the foot's clearance is the smaller
of the two. The ground level follows each stance (``_stance_ground``) so that a stance a
little higher or lower than the others (the runner drifting sideways or in distance) still
reads zero. The foot is down while its clearance is below ``contact_height_tl``; within each
contact the **strike** is timed where the clearance first falls within ``event_height_tl``
of that stance's lowest point and the **toe-off** where it last rises above it, both
interpolated between frames. In the views of ``strides.touchdown_views`` (default: the side
views) the strike is the touchdown instead (:mod:`armcarriage.strides.touchdown`): the descent
through that level carried on at its speed to the floor, since the crossing leads the contact
by the foot's fall time. A contact under way at the first frame gives no strike.

Seen from in front or behind, a planted foot moves in the image with its distance to the
camera, which times strikes late from behind and early from the front. In the views of
``strides.world_height_views`` (default: rear) the height is read from the world landmarks
(the hip's image height plus the point's metric drop below the hips); in the views of
``strides.depth_corrected_views`` (default: front) each image height is moved to the hip's
distance with the world landmarks' depth (``_perspective_corrected``).
From behind, the pose model may keep the leg's length while the hips sink in the stance
(``landing.leg_give``, below ``strides.landing_max_leg_give``): the world heights then sink
with the hips through the stance and time strikes late, and in ``strides.landing_views``
each strike moves back to the heel's landing, where its downward image velocity collapses
(:mod:`~armcarriage.strides.landing`).
Then, in ``strides.impact_views`` (default: rear), where the feet show a flight phase
and their strikes trail the turns of the hips' vertical acceleration from falling to
being carried (no contact can: the ground carries the body only once a foot is down),
each strike moves to its turn less ``strides.impact_lag_s``
(:mod:`~armcarriage.strides.impact`).

Side views add the method of Zeni et al. (2008, Gait & Posture 27:710) on pelvis-relative
positions: a strike is a maximum of the heel's forward offset from the hip centre, a toe-off
a minimum of the toe's. Zeni's strikes cross-check the clearance strikes and replace them
where the clearance finds too few; contact and flight times come from the clearance, since
Zeni's toe-off falls late in running. The duty factor that separates walking from running is
read where contacts are free of perspective: side views and the world-height views.

Strides and checks
------------------
The stride period comes from the autocorrelation of the left-minus-right foot signal, which
reverses every half stride (:func:`stride_period` uses this against doubling the period).
Seen from the front or behind, where the pose model swaps the overlapping legs' labels and
that signal loses its rhythm, the stride is two steps of the hips' bounce, which needs no
labels, while the labelled signal still reverses after a step
(:func:`~armcarriage.strides.rhythm.legs_rhythm`). A stride runs from one strike of the
reference foot (the near foot in a side view, else the foot that strikes first) to its next.
The cadence numbers the strikes of both feet step by
step (:func:`~armcarriage.strides.cadence.mean_cadence`), so a missed strike costs nothing.
The wrist swing's period must match the stride period within ``periodicity_tolerance``,
else timing values carry a lower confidence.

Walking and running are told apart first by what the body does
(:mod:`armcarriage.strides.hip_phase`): the hips are highest at mid-stance in walking (the
body vaults over a straight leg) and lowest there in running (the leg is a spring the body
compresses). Hips highest at mid-stance (``walk_min_hip_cos``) are walking whatever the
cadence where the view reads the contacts (side, rear); hips lowest there, in any view
(``run_max_hip_cos``), are running's bounce, which lowers the cadence floor as a flight
phase does and outweighs a duty factor above ``max_duty_factor``. Otherwise,
running is declared when the legs move periodically, the cadence lies within
``min_cadence_spm``-``max_cadence_spm`` and, where it is read, the duty factor is below
``max_duty_factor``; a flight phase (a measured duty factor below it, or a hip bounce of at
least ``min_bounce_tl`` where none is read) lowers the cadence floor to
``min_cadence_with_flight_spm``. Without a stride rhythm, legs that barely move are not
running, and moving legs are not running only when in view for ``min_rhythm_strides``
strides; a shorter view gives too few strides.

Time and slow motion
--------------------
The analysis runs on the time the clip was filmed on (:func:`real_time_track`: the user's
``video.capture_fps`` or the container's capture-rate tag). Legs that swing slower than any
human stride (``max_human_stride_s``) show a clip played slower than it was filmed: status
``slow_motion`` with a suggested capture rate. A clip slowed only part way is analysed on
its longest real-time stretch, or refused as ``speed_change``. Contacts shorter than
``min_contact_frames`` frames are named with the frame rate to film at.

In side views the stride windows are timed by the steadier of the clearance's and Zeni's
strikes (``side_strike_timing``); the reported events and the clip cadence keep the
clearance strikes.
"""

from __future__ import annotations

from armcarriage.strides.analyze import analyze_strides
from armcarriage.strides.cadence import duty_factor
from armcarriage.strides.cadence import hip_bounce as hip_bounce
from armcarriage.strides.cadence import mean_cadence as mean_cadence
from armcarriage.strides.contacts import _contacts as _contacts
from armcarriage.strides.contacts import _ground as _ground
from armcarriage.strides.contacts import _perspective_corrected as _perspective_corrected
from armcarriage.strides.contacts import _stance_ground as _stance_ground
from armcarriage.strides.contacts import foot_signals
from armcarriage.strides.events import detect_events
from armcarriage.strides.events import steadier_strikes as steadier_strikes
from armcarriage.strides.result import StrideResult
from armcarriage.strides.rhythm import stride_period
from armcarriage.strides.timebase import leg_swing_period as leg_swing_period
from armcarriage.strides.timebase import real_time_track
from armcarriage.strides.verdict import _verdict as _verdict

__all__ = [
    "StrideResult",
    "analyze_strides",
    "detect_events",
    "duty_factor",
    "foot_signals",
    "real_time_track",
    "stride_period",
]
