"""The filming advice's brightness, read while the pose workers finish."""

from __future__ import annotations

from conftest import shared_file

from armcarriage.config import Config


def test_the_brightness_read_ahead_of_the_pose_equals_the_report_s_own_reading():
    from armcarriage.pipeline import _Ahead
    from armcarriage.report.keyframes import clip_brightness
    from armcarriage.video import probe_video

    path = shared_file("videos", "treadmill_side_portrait.mp4")
    cfg = Config()
    info = probe_video(path)
    ahead = _Ahead(path, info, cfg, (0.0, 0.0))
    ahead()
    frame_times = [int(k * (info.frames - 1)) / info.fps for k in (0.25, 0.5, 0.75)]
    own = clip_brightness(path, info, cfg, frame_times)
    assert ahead.brightness is not None and own is not None
    assert 20 < own < 235
    assert abs(ahead.brightness - own) < 1.0


def test_reading_ahead_loads_none_of_the_table_or_plot_libraries():
    # it runs beside the last pose worker: pandas, SciPy, Matplotlib and Arrow would add
    # about 175 MB to the run's peak there
    import subprocess
    import sys

    path = shared_file("videos", "treadmill_side_portrait.mp4")
    code = (
        "import sys; from pathlib import Path; from armcarriage.config import Config; "
        "from armcarriage.pipeline import _Ahead; from armcarriage.video import probe_video; "
        f"p = Path({str(path)!r}); a = _Ahead(p, probe_video(p), Config(), (0.0, 0.0)); a(); "
        "print(a.brightness is not None, "
        "sorted({'pandas', 'scipy', 'matplotlib', 'xarray', 'pyarrow'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True []", out.stdout
