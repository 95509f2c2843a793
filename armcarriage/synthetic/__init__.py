"""Synthetic running clips with exact ground truth.

Modules: :mod:`~armcarriage.synthetic.params` (runner parameters and named
faults), :mod:`~armcarriage.synthetic.gait` (3D skeleton over time),
:mod:`~armcarriage.synthetic.render` (numpy ray-cast renderer),
:mod:`~armcarriage.synthetic.encode` (H.264 writer),
:mod:`~armcarriage.synthetic.truth` (ground-truth tracks, events and metrics),
:mod:`~armcarriage.synthetic.clip` (one call: render a clip and its truth).
Nothing is imported at package import time.
"""
