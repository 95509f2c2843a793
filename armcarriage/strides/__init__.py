"""Foot events, strides and cadence, with a check that the motion is running.

Events
------
Every view: **foot clearance**, the image-space counterpart of how the 3D
ground truth defines contact. For the heel and the toe of each foot, the
clearance is the height above that point's own ground level, in clip-median
torso lengths; the foot's clearance is the smaller of the two. The ground
level follows each stance (:func:`_stance_ground`): it runs between the
point's lowest image positions, one per stride, so that a stance a few
centimetres higher or lower than the others (the runner drifting sideways or
in distance) still reads zero clearance. The foot is on the ground while its
clearance is below ``contact_height_tl`` (robust to landmark jitter); within
each contact run the **strike** is timed where the clearance first falls
within ``event_height_tl`` (about 2.5 cm) of that stance's own lowest point,
and the **toe-off** where it last rises above it, both interpolated between
frames.

Front, rear and oblique views: seen from in front or behind, a foot on the
ground sits higher in the image the farther it is from the camera, and in
stance it travels towards (rear) or away from (front) the camera, so its image
height runs through the stance (on motion capture, 3 cm of apparent height a
frame). From behind, the landing foot is the farthest and a strike read from
the image comes late (by 3-6 frames on motion capture). In the views listed in
``strides.world_height_views`` (default: rear) the height is read
perspective-free: the hip centre's image height (the camera's distance to the
hip barely changes within a stride) plus the point's metric drop below the
hips from the world landmarks (:func:`_world_drop`), in torso lengths; without
world landmarks the image height is used. Through the pose model rear strikes
still come 3-4 frames late on the synthetic runner, from the image or the
world landmarks alike. From the front the landing foot is the nearest and the
image times strikes early (up to 2 frames on motion capture: the foot comes
down while it still moves towards the camera). The pose model's world heights
are too noisy there (strikes within a frame on the synthetic front clips fall
from 100 % to 22 %), but its depth is good enough to undo the perspective: in
the views of ``strides.depth_corrected_views`` (default: front) each image
height is moved to the hip's distance, ``y + s * depth`` with ``depth`` the
world landmarks' distance from the hip along the camera axis and ``s`` the
camera's slope, fitted over the frames where the world landmarks put the
point on its floor (:func:`_perspective_corrected`). On exact motion capture
this takes front strikes within a frame from 19 to 26 of 27; through the
pose model the synthetic front clips keep 11 of 11 (median error -0.5 to
+0.3 frame, from -0.5 before).

Side views (``side_left``/``side_right``) add the method of Zeni et al.
(2008, Gait & Posture 27:710) on pelvis-relative positions: with ``f`` the
running direction and ``h`` the hip centre, a strike is a maximum of
``(heel - h) . f`` and a toe-off a minimum of ``(toe - h) . f`` (sub-frame
refined by a parabola). Zeni's strikes cross-check the clearance strikes
(median offset and agreement are reported) and replace them where the
clearance finds too few; Zeni's toe-off is known to fall late in running
(the foot keeps moving back after it leaves the ground), so contact and flight
times come from the clearance. On exact motion-capture projections of four
running trials, 27 of 27 strikes fall within one frame (30 fps) of the 3D
touchdown in the side-left, rear and fixed-camera side-right views, 26 of 27
in the following side-right and the front views. Contact and flight times
are reported in side views only (the validity matrix). The duty factor that
separates walking from running is read from both feet's contacts in side
views and the world-height views (rear): through the pose model front
contacts come out half as long as true even with the perspective undone
(0.17-0.19 of the stride on the synthetic runner, truth 0.36), which would
let walking pass for running, and an oblique clip of real walking gave
pose-model contacts short enough to pass for a flight phase.

Strides and checks
------------------
The stride period is first estimated from the autocorrelation of the
left-minus-right foot signal (one period per stride; the signal reverses
every half stride, which :func:`stride_period` uses against doubling the
period), and sets the minimum distance between events. A stride runs from
one strike of the reference foot (the near foot in a side view, else the foot
that strikes first) to its next strike. Cadence (steps/min) is 120 / mean
stride interval over both feet (:func:`mean_cadence`).

Cross-check: the period of the wrist swing (autocorrelation of the near wrist
relative to the hip centre) must match the stride period within
``periodicity_tolerance``; otherwise the timing confidence is lowered and the
disagreement reported.

Walking and running are told apart first by what the body does
(:mod:`armcarriage.strides.hip_phase`): the hips are highest at mid-stance in
walking (the body vaults over a straight leg) and lowest there in running (the
leg is a spring the body compresses). Hips highest at mid-stance
(``walk_min_hip_cos``) are walking whatever the cadence where the view reads the
contacts (side, rear); hips lowest there, in any view
(``run_max_hip_cos``), are running's bounce, which lowers the cadence floor as a
flight phase does and outweighs a duty factor above ``max_duty_factor`` (a run
with no flight phase, or contacts the pose model reads long). Otherwise,
running is declared when the leg motion is periodic, the cadence lies within
``min_cadence_spm``-``max_cadence_spm`` and, where it is read, the duty
factor (contact time / stride time) is below ``max_duty_factor`` (walking
keeps each foot on the ground more than half of the stride; running less). A
measured duty factor below it lowers the cadence floor to
``min_cadence_with_flight_spm``; where no duty factor is read (front, oblique),
so does a hip bounce of at least ``min_bounce_tl`` per step (:func:`hip_bounce`).
Without a stride rhythm, legs that barely move (``min_leg_travel_tl``) are not
running; moving legs are not running only when they stay in view for
``min_rhythm_strides`` strides, and a shorter view (a runner crossing the frame)
gives too few strides, with no cadence.

Time and slow motion
--------------------
The analysis runs on the time a clip was filmed on (:func:`real_time_track`:
the user's ``video.capture_fps`` or the container's capture-rate tag). Legs
that move but swing slower than any human stride (``max_human_stride_s``,
:func:`leg_swing_period`, which needs no full stride) show a clip played
slower than it was filmed: status ``slow_motion``, no cadence, and the option
to give with a suggested rate (:func:`slow_motion_notice`). A clip slowed only
part way (:func:`real_time_stretch`) is analysed on its longest real-time
stretch, or refused as ``speed_change``. Contacts shorter than
``min_contact_frames`` frames are named with the frame rate to film at
(:func:`frame_rate_advice`).

In side views the stride windows (the per-stride rows) are timed by Zeni's
strikes moved onto the clearance's definition of contact
(``side_strike_timing``), which are the more regular through the pose model;
the reported events and the clip cadence keep the clearance strikes, the more
accurate on exact motion capture. The cadence is the span of the strikes
numbered step by step (:func:`mean_cadence`), so a missed strike costs nothing.
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
