"""Synthetic running clips with exact ground truth.

Modules: :mod:`~armcarriage_eval.synthetic.params` (runner parameters and named
faults), :mod:`~armcarriage_eval.synthetic.gait` (3D skeleton and landmarks over
time, true foot events), :mod:`~armcarriage_eval.synthetic.figure` (the body as
spheres, ellipsoids and tapered capsules), :mod:`~armcarriage_eval.synthetic.shapes`
(ray intersections), :mod:`~armcarriage_eval.synthetic.render` (numpy ray-caster),
:mod:`~armcarriage_eval.synthetic.encode` (H.264 writer),
:mod:`~armcarriage_eval.synthetic.truth` (truth pose track, landmark errors),
:mod:`~armcarriage_eval.synthetic.metrics_truth` (true per-stride metrics in the
analyzer's definitions), :mod:`~armcarriage_eval.synthetic.clip` (one call renders
a clip and writes its truth) and :mod:`~armcarriage_eval.synthetic.cli`
(``armcarriage synth``). Nothing is imported at package import time.

Examples
--------
>>> from armcarriage_eval.synthetic.clip import ClipSpec, make_clip
>>> make_clip("rear.mp4", ClipSpec(view="rear", fault="crossing"))  # doctest: +SKIP

"""
