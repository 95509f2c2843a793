"""Synthetic running clips with exact ground truth.

Modules: :mod:`~armcarriage.synthetic.params` (runner parameters and named
faults), :mod:`~armcarriage.synthetic.gait` (3D skeleton and landmarks over
time, true foot events), :mod:`~armcarriage.synthetic.figure` (the body as
spheres, ellipsoids and tapered capsules), :mod:`~armcarriage.synthetic.shapes`
(ray intersections), :mod:`~armcarriage.synthetic.render` (numpy ray-caster),
:mod:`~armcarriage.synthetic.encode` (H.264 writer),
:mod:`~armcarriage.synthetic.truth` (truth pose track, landmark errors),
:mod:`~armcarriage.synthetic.metrics_truth` (true per-stride metrics in the
analyzer's definitions), :mod:`~armcarriage.synthetic.clip` (one call renders
a clip and writes its truth) and :mod:`~armcarriage.synthetic.cli`
(``armcarriage synth``). Nothing is imported at package import time.

Examples
--------
>>> from armcarriage.synthetic.clip import ClipSpec, make_clip
>>> make_clip("rear.mp4", ClipSpec(view="rear", fault="crossing"))  # doctest: +SKIP

"""
