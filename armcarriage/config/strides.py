"""Settings of stride detection: contacts, rhythm and the running verdict."""

from __future__ import annotations

from dataclasses import dataclass

from armcarriage.config.base import VIEWS, setting


@dataclass(frozen=True)
class StrideConfig:
    """Foot-event detection and running checks."""

    min_strides: int = setting(3, ge=1, le=1000)
    """Fewer strides than this are reported as too few strides."""
    min_cadence_spm: float = setting(130.0, gt=0, lt="max_cadence_spm")
    """Steps per minute below which the motion is not running when no flight phase is
    seen (see ``min_cadence_with_flight_spm``)."""
    max_cadence_spm: float = setting(330.0, gt=0, le=1000.0)
    """Steps per minute above which the motion is not running: sprinters reach 260-300 and
    more; the stride search starts at ``period_search_margin`` of the stride this gives."""
    max_human_stride_s: float = setting(2.5, gt=0, le=60.0)
    """Longest stride (s) a person makes in real time, slow walking included. A leg
    rhythm slower than this, or legs whose swing is this slow, show a clip that plays
    slower than it was filmed: the analysis reports slow motion and no cadence."""
    slow_motion_search: float = setting(12.0, ge=1, le=100.0)
    """To recognise slow motion, the leg rhythm is also searched up to this many times
    ``max_stride_s`` (limited by the clip's length)."""
    film_rates_fps: str = setting("60,120,240,480,960", text="comma-separated frame rates")
    """Frame rates (comma-separated) a camera films at, among which the frame-rate advice
    for short foot contacts picks (``contact_frames_advised``)."""
    slow_motion_max_duty: float = setting(0.4, ge=0, le=1)
    """A duty factor at most this (a clear flight phase: running) at a cadence below the
    running range shows a clip played slower than it was filmed; walking keeps each foot down
    over half the stride."""
    typical_stride_s: float = setting(0.7, gt=0, le=5.0)
    """A running stride in real time (s; 170 steps/min), used only to suggest the capture
    rate of a clip recognised as slow motion."""
    min_contact_frames: float = setting(3.0, ge=0, le=100.0)
    """Frames a foot contact must span for its strike and toe-off to be timed: with fewer
    (sprinting filmed at a low frame rate) the analysis says so and advises filming at
    ``contact_frames_advised`` frames per contact."""
    min_runner_contact_s: float = setting(0.08, ge=0, le=1.0)
    """Shortest foot contact a runner makes (s): sprinters at top speed are on the ground
    about 0.08-0.1 s a step (Weyand et al. 2000, J Appl Physiol 89:1991), distance runners
    0.15-0.3 s. Contacts that read shorter than this even with one frame added were not
    resolved (strikes placed late, as from behind through the pose model: 39 ms on a road
    clip filmed from behind), so the duty factor is not used and no frame-rate advice is
    built on them."""
    contact_frames_advised: float = setting(6.0, gt=0, le=100.0)
    """Frames per foot contact the frame-rate advice aims at (within a frame is then
    within a sixth of the contact)."""
    max_stride_s: float = setting(2.2, gt=0, le=10.0)
    """Longest stride period searched for (s); covers slow walking so it can be rejected."""
    min_periodicity: float = setting(0.3, ge=-1, le=1)
    """Autocorrelation of the left-minus-right foot signal at the stride period below which
    the legs show no stride rhythm (no running). Seen from the front or behind, a rhythm read
    instead from the hips' bounce needs it both there and in the labelled signal's reversal
    after a step."""
    min_rhythm_strides: float = setting(2.5, ge=0, le=100.0)
    """Without a stride rhythm, moving legs are declared not running only when they are in
    view for this many strides at ``min_cadence_spm``; a shorter view (a runner crossing the
    frame) gives too few strides."""
    min_leg_travel_tl: float = setting(0.25, ge=0, le=10.0)
    """Range (5th-95th percentile) of the legs' stride signal (torso lengths) below which
    the legs barely move: standing or balancing, not running, whatever the clip's length."""
    min_still_s: float = setting(0.5, ge=0, le=60.0)
    """Shortest view of the legs (s) from which legs that barely move are declared not
    running."""
    max_duty_factor: float = setting(0.5, gt=0, le=1)
    """Contact time / stride time above which the gait is walking (side views)."""
    min_cadence_with_flight_spm: float = setting(100.0, gt=0, le="max_cadence_spm")
    """Lowest running cadence when a side view shows a duty factor below
    ``max_duty_factor`` (a flight phase), or where no duty factor is read (front and
    oblique views) when the hips bounce at least ``min_bounce_tl``; ``min_cadence_spm``
    applies otherwise."""
    min_bounce_tl: float = setting(0.16, ge=0, le=10.0)
    """Peak-to-peak vertical oscillation of the hip centre over a step (torso lengths) that
    shows a flight phase where no duty factor is read: walking moves the body's centre a few
    centimetres, running several times more; the default accepts only a clear bounce."""
    walk_min_hip_cos: float = setting(0.0, ge=-1, le=1)
    """Walking by the body's motion: the hips highest at mid-stance (the cosine of the
    phase of their height against mid-stance, :mod:`armcarriage.strides.hip_phase`, at
    least this; +1 is a pure vault over a straight leg) is walking whatever the cadence
    and the duty factor, in the views that read contacts (side views and
    ``world_height_views``); from the front and at an angle the pose model's contacts
    are too poor to call walking by it (see benchmarks/results/strides.md)."""
    run_max_hip_cos: float = setting(-0.3, ge=-1, le="walk_min_hip_cos")
    """Running by the body's motion: the hips lowest at mid-stance (the cosine at most
    this; -1 is a pure spring-mass bounce). It shows the flight-phase gait where no duty
    factor says so (the cadence floor is then ``min_cadence_with_flight_spm``), and a
    duty factor above ``max_duty_factor`` (running with no flight phase on compliant
    legs, or contacts the pose model reads long) refuses no such clip."""
    hip_phase_min_steps: int = setting(3, ge=2, le=1000)
    """Fewest steps (mid-stance to mid-stance) the hips' phase is read over."""
    hip_phase_min_rise_tl: float = setting(0.02, ge=0, le=10.0)
    """Smallest rise and fall of the hips over a step (torso lengths, peak to peak) whose
    phase counts: below it (1 cm for a 50 cm torso) the phase is the pose model's noise."""
    contact_height_tl: float = setting(0.06, gt=0, le=2.0)
    """A foot is on the ground while its heel or toe is within this height (torso lengths,
    about 3 cm) of its own ground level in the image."""
    event_height_tl: float = setting(0.05, gt=0, le=2.0)
    """Within a contact, strike and toe-off are timed where the heel or toe crosses this
    height above the stance's own lowest point (torso lengths, about 2.5 cm; strikes of the
    ``touchdown_views`` carry the descent through it on to the floor); also the
    flatness that makes a stance floor (:func:`armcarriage.strides.contacts._stance_ground`).
    Chosen on exact motion-capture projections and the pose model's synthetic clips
    (``benchmarks/results/strides.md``)."""
    touchdown_views: str = setting("side_left,side_right", items=VIEWS)
    """Views (comma-separated) whose strikes are timed at touchdown: the heel or toe's
    descent through ``event_height_tl`` carried on at its speed there to the stance floor
    (:func:`armcarriage.strides.touchdown.touchdown_time`), not at the crossing itself,
    which leads the contact by the time the foot takes to fall that height. Only where the
    image height is the foot's height: from the front the perspective-corrected heights
    reach their floor late."""
    touchdown_height_tl: float = setting(0.01, gt=0, le=2.0)
    """A point within this height (torso lengths, about 5 mm) of its stance floor is down:
    a touchdown is timed no later than where it comes within this height."""
    touchdown_max_s: float = setting(0.03, gt=0, le=1.0)
    """A touchdown comes at most this long (s) after the descent crosses
    ``event_height_tl``: a running foot falls those 2.5 cm in about 20 ms, while a heel
    that settles slowly (a walker's, 1-2 cm over several frames) is no fall and would
    carry the touchdown late."""
    side_strike_timing: str = setting("steadier", choices=("steadier", "clearance"))
    """Side views: which strikes time the stride windows (the per-stride rows, their
    stride time and cadence). ``steadier``: per foot, the foot-clearance strikes or Zeni's
    (moved by their median offset from the clearance strikes, so both keep the clearance's
    definition of contact), whichever scatters less from stride to stride
    (:func:`armcarriage.strides.events.steadier_strikes`); ``clearance``: the clearance
    strikes. The reported events and the clip cadence always come from the clearance, the
    more accurate on exact motion capture (``benchmarks/results/strides.md``)."""
    world_height_views: str = setting("rear", items=VIEWS)
    """Views (comma-separated) whose foot heights are read from the world landmarks
    (perspective-free) instead of the image; see :mod:`armcarriage.strides`. From behind, the
    image times strikes late; from the front, the pose model's world heights are the noisier
    signal (see ``depth_corrected_views``)."""
    depth_corrected_views: str = setting("front", items=VIEWS)
    """Views (comma-separated) whose image foot heights are moved to the hip's distance
    with the world landmarks' depth (:func:`armcarriage.strides.contacts._perspective_corrected`):
    seen from the front a planted foot rises in the image as it moves away through the
    stance. Not from behind, where the pose model's depth of the feet is too weak."""
    landing_views: str = setting("rear", items=VIEWS)
    """Views (comma-separated) whose strikes are moved back to the end of the heel's fall
    in the image (:mod:`armcarriage.strides.landing`) where the world legs keep their
    length (``landing_max_leg_give``): the foot heights then sink with the hips through the
    stance, so their lowest point, against which the clearance times the strike, comes
    late in the stance."""
    landing_max_leg_give: float = setting(0.4, ge=0, le=10.0)
    """``landing_views`` move the strikes only where the world legs absorb less than this
    fraction of the hips' sinking in stance (:func:`armcarriage.strides.landing.leg_give`;
    1 for exact heights): legs whose drop below the hips keeps its length sink with the
    hips through the stance. See ``benchmarks/results/strides.md``."""
    impact_views: str = setting("rear", items=VIEWS)
    """Views (comma-separated) whose strikes move to the hips' impact, the nearest turn of
    the hips' vertical image acceleration from downward (flight) to upward (the ground
    carrying the body), where the clip's strikes trail those turns, which no contact
    can (:mod:`armcarriage.strides.impact`): from behind the pose model's hips are steady
    where its lower legs' heights reach the ground 1-5 frames late
    (``benchmarks/results/strike_timing_notes.md``)."""
    impact_lookback_stride: float = setting(0.2, ge=0, le=1)
    """The hips' impact is looked for from this fraction of the stride before each strike
    (the clearance's strikes from behind come up to 5 frames late at 30 fps, 0.2 of a
    stride)..."""
    impact_ahead_stride: float = setting(0.05, ge=0, le=1)
    """... to this fraction after it."""
    impact_lag_s: float = setting(0.03, ge=0, le=0.2)
    """The hips' acceleration turns upward once the ground's push passes body weight, this
    long (s) after touchdown: on exact motion-capture projections 0.3-2 frames at 30 fps
    (10-70 ms, median of a trial 0.3-2.1 frames)."""
    landing_lookback_stride: float = setting(0.3, gt=0, le=1)
    """The heel's fall before a strike is looked for over this fraction of the stride."""
    landing_velocity_fraction: float = setting(0.35, gt=0, lt=1)
    """The fall ends where the heel's downward image velocity drops below this fraction
    of its peak in the fall (the stance's drift is a fraction of the swing's fall)."""
    max_perspective_slope: float = setting(1.0, ge=0, le=10.0)
    """Largest image-height change per torso length of depth accepted from the fit of
    ``depth_corrected_views`` (a level camera's height over its distance: 0.25 for a camera
    1 m high 4 m away); 1 is a camera looking down at 45 degrees."""
    min_contact_s: float = setting(0.05, ge=0, le=2.0)
    """Contact runs (and gaps between them) shorter than this are ignored (s)."""
    ground_window_s: float = setting(2.5, gt=0, le=60.0)
    """Window of the rolling ground level of each foot point (s), used where no stride
    period is known or fewer than two stance floors are found."""
    cadence_edge_tolerance: float = setting(0.2, ge=0, le=1)
    """A first or last step (or per-foot stride interval) more than this fraction off the
    median is left out of the cadence (one at each end): a clip's edge can misplace a strike,
    and running steps vary by a few per cent."""
    cadence_fit_max_spread: float = setting(0.1, gt=0, le=1)
    """The cadence numbers the strikes' steps and fits one line through them
    (:func:`armcarriage.strides.cadence.mean_cadence`) while they scatter about it by at most this
    fraction of a step (RMS; a tenth of a step is 1-2 frames at 30 fps); more irregular
    strikes fall back to per-foot stride intervals."""
    period_search_margin: float = setting(0.8, gt=0, le=1)
    """The stride period is searched from this fraction of the stride at ``max_cadence_spm``
    (a margin for a sprinter's fastest strides and for timing noise)."""
    moving_ground_strides: float = setting(1.5, gt=0, le=100.0)
    """Outside side views, where no stance floors are found, the rolling ground level spans
    this many strides (at most ``ground_window_s``): the ground moves in the image with the
    runner's distance."""
    min_contact_stride: float = setting(0.1, ge=0, le=1)
    """Contact runs shorter than this fraction of the stride (or ``min_contact_s``, the
    longer) are ignored: a foot brushing its ground level in the swing."""
    min_contact_gap_stride: float = setting(0.2, ge=0, le=1)
    """Gaps between contact runs shorter than this fraction of the stride (or
    ``min_contact_s``, the longer) are closed: landmark jitter within one stance."""
    lone_contact_stride: float = setting(0.75, ge=0, le=10.0)
    """A contact run shorter than ``min_contact_stride`` still counts when no other contact
    of the foot has its middle within this fraction of the stride of its own: a swinging
    foot brushes the ground half a stride from the foot's stances, a landing comes a stride
    from them, so a lone short run is a stance cut short (by the clip's end, or by a pose
    model that kept one frame of a sprinter's 2-3 frame contact)."""
    zeni_match_stride: float = setting(0.25, gt=0, le=1)
    """A Zeni strike within this fraction of the stride of a clearance strike is the same
    strike (their offsets calibrate Zeni's strikes in side views)."""
    reversal_band: float = setting(0.2, gt=0, lt=1)
    """Hysteresis of the legs' reversals (fraction of their 5th-95th percentile range) when
    looking for a part of the clip that plays in slow motion."""
    slow_swing_travel: float = setting(0.35, ge=0, le=1)
    """A slow half stride is slow motion only when the legs cover at least this fraction of
    their range in it (a pause or irregular walking wiggles near the middle)."""
    slow_rhythm_view: float = setting(0.7, gt=0, le=1)
    """The slow-motion rhythm is searched up to this fraction of the legs' time in view (an
    autocorrelation needs the signal to overlap itself)."""
    periodicity_tolerance: float = setting(0.15, ge=0, le=1)
    """Largest relative difference between the wrist-swing and stride periods."""
