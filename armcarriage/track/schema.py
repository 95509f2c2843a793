"""The pose-track contract: axes, variables and attributes, and the check of a dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from armcarriage.errors import TrackError

SCHEMA_VERSION = 1


SPACE = ("x", "y")


SPACE3 = ("x", "y", "z")


_REQUIRED_ATTRS = ("fps", "width", "height")


def validate(ds: xr.Dataset) -> None:
    """Check a dataset against the pose-track contract.

    Parameters
    ----------
    ds
        The dataset to check.

    Raises
    ------
    TrackError
        Naming the first broken rule, what was expected and what arrived.

    """
    if not isinstance(ds, xr.Dataset):
        raise TrackError(f"pose track: expected an xarray.Dataset, got {type(ds).__name__}")
    dims = {
        "position": ("time", "keypoint", "space"),
        "depth": ("time", "keypoint"),
        "visibility": ("time", "keypoint"),
        "world": ("time", "keypoint", "space3"),
    }
    for var, want in dims.items():
        if var not in ds:
            have = sorted(map(str, ds.data_vars))
            raise TrackError(f"pose track: expected variable {var!r}, got {have}")
        if tuple(ds[var].dims) != want:
            raise TrackError(f"pose track: {var} must have dims {want}, got {tuple(ds[var].dims)}")
    if "silhouette" in ds and tuple(ds["silhouette"].dims) != ("time", "silhouette_feature"):
        raise TrackError(
            "pose track: silhouette must have dims ('time', 'silhouette_feature'), got "
            f"{tuple(ds['silhouette'].dims)}"
        )
    if tuple(str(s) for s in ds["space"].values) != SPACE:
        raise TrackError(f"pose track: space must be {SPACE}, got {tuple(ds['space'].values)}")
    for name in _REQUIRED_ATTRS:
        if name not in ds.attrs:
            raise TrackError(f"pose track: expected attribute {name!r}, got {sorted(ds.attrs)}")
    fps = float(ds.attrs["fps"])
    if not np.isfinite(fps) or fps <= 0:
        raise TrackError(f"pose track: fps must be a positive number, got {ds.attrs['fps']!r}")
    t = np.asarray(ds["time"].values, dtype=float)
    if not np.isfinite(t).all():
        raise TrackError("pose track: timestamps must be finite, got NaN or inf")
    if t.size > 1 and not (np.diff(t) > 0).all():
        bad = int(np.flatnonzero(np.diff(t) <= 0)[0])
        raise TrackError(
            f"pose track: timestamps must be strictly increasing, got {t[bad]:.6f} s "
            f"then {t[bad + 1]:.6f} s at index {bad}"
        )
    vis = np.asarray(ds["visibility"].values, dtype=float)
    finite = vis[np.isfinite(vis)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise TrackError(
            f"pose track: visibility must lie in [0, 1], got {finite.min():.3g}..{finite.max():.3g}"
        )


def _jsonable(value: Any) -> Any:
    """Convert numpy scalars in nested attributes to plain Python values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
