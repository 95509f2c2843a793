"""The pose track container: building, reading, mirroring, slicing, saving and loading."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from armcarriage.errors import TrackError
from armcarriage.silhouette import MIRROR_FEATURES, SILHOUETTE_FEATURES, features_from_columns
from armcarriage.skeleton import KEYPOINTS, MIRROR_INDEX
from armcarriage.track.schema import SCHEMA_VERSION, SPACE, SPACE3, _jsonable, validate


@dataclass(frozen=True)
class PoseTrack:
    """A validated pose track.

    Parameters
    ----------
    ds
        A dataset with the layout :mod:`armcarriage.track` describes.

    Raises
    ------
    TrackError
        If the dataset breaks the contract (missing variable, wrong axes,
        timestamps not strictly increasing, visibility outside [0, 1], ...).

    """

    ds: xr.Dataset

    def __post_init__(self) -> None:
        validate(self.ds)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(
        cls,
        time: Sequence[float] | np.ndarray,
        position: np.ndarray,
        *,
        fps: float,
        width: int,
        height: int,
        keypoints: Sequence[str] = KEYPOINTS,
        visibility: np.ndarray | None = None,
        depth: np.ndarray | None = None,
        world: np.ndarray | None = None,
        frame: Sequence[int] | np.ndarray | None = None,
        attrs: Mapping[str, Any] | None = None,
        silhouette: np.ndarray | None = None,
    ) -> PoseTrack:
        """Build a track from numpy arrays.

        Parameters
        ----------
        time
            Timestamps in seconds, shape (T,), strictly increasing.
        position
            Pixel coordinates, shape (T, K, 2).
        fps
            Nominal frame rate of the source.
        width, height
            Frame size in pixels.
        keypoints
            Names of the K keypoints.
        visibility
            Shape (T, K); defaults to 1 where ``position`` is finite, else 0.
        depth
            Shape (T, K); defaults to NaN.
        world
            Shape (T, K, 3) in metres; defaults to NaN.
        frame
            Source frame indices, shape (T,); defaults to ``0..T-1``.
        attrs
            Extra attributes (``source``, ``model``, ``person``...).
        silhouette
            Shape (T, F) with F = ``len(SILHOUETTE_FEATURES)``; None leaves the
            variable out.

        Returns
        -------
        PoseTrack

        """
        t = np.asarray(time, dtype=float)
        pos = np.asarray(position, dtype=float)
        n, k = t.shape[0], len(keypoints)
        if pos.shape != (n, k, 2):
            raise TrackError(
                f"position: expected shape (time={n}, keypoint={k}, space=2), got {pos.shape}"
            )
        if frame is None:
            frame = np.arange(n)
        data = _variables(pos, visibility, depth, world)
        coords_extra: dict[str, Any] = {}
        if silhouette is not None:
            data["silhouette"] = (("time", "silhouette_feature"), _silhouette(silhouette, n))
            coords_extra["silhouette_feature"] = list(SILHOUETTE_FEATURES)
        ds = xr.Dataset(
            data,
            coords={
                **coords_extra,
                "time": t,
                "frame": ("time", np.asarray(frame, dtype=np.int64)),
                "keypoint": list(keypoints),
                "space": list(SPACE),
                "space3": list(SPACE3),
            },
            attrs=_attrs(fps, width, height, attrs),
        )
        return cls(ds)

    # ------------------------------------------------------------- accessors
    @property
    def time(self) -> np.ndarray:
        """Timestamps in seconds, shape (T,)."""
        return np.asarray(self.ds["time"].values, dtype=float)

    @property
    def fps(self) -> float:
        """Nominal frame rate of the source."""
        return float(self.ds.attrs["fps"])

    @property
    def width(self) -> int:
        """Frame width in pixels."""
        return int(self.ds.attrs["width"])

    @property
    def height(self) -> int:
        """Frame height in pixels."""
        return int(self.ds.attrs["height"])

    @property
    def keypoints(self) -> tuple[str, ...]:
        """Keypoint names."""
        return tuple(str(k) for k in self.ds["keypoint"].values)

    @property
    def n_frames(self) -> int:
        """Number of frames (time samples)."""
        return int(self.ds.sizes["time"])

    @property
    def attrs(self) -> dict[str, Any]:
        """The track's attributes."""
        return dict(self.ds.attrs)

    def xy(self, name: str) -> np.ndarray:
        """Pixel coordinates of one keypoint, shape (T, 2)."""
        return np.asarray(self._sel("position", name), dtype=float)

    def world_xyz(self, name: str) -> np.ndarray:
        """World coordinates of one keypoint in metres, shape (T, 3)."""
        return np.asarray(self._sel("world", name), dtype=float)

    def silhouette(self, name: str) -> np.ndarray | None:
        """One silhouette number per frame (px), shape (T,); None on a track without them."""
        if "silhouette" not in self.ds:
            return None
        if name not in SILHOUETTE_FEATURES:
            raise TrackError(
                f"silhouette feature {name!r}: expected one of {', '.join(SILHOUETTE_FEATURES)}"
            )
        return np.asarray(self.ds["silhouette"].sel(silhouette_feature=name).values, dtype=float)

    def vis(self, name: str) -> np.ndarray:
        """Visibility of one keypoint, shape (T,)."""
        return np.asarray(self._sel("visibility", name), dtype=float)

    def detected(self) -> np.ndarray:
        """Boolean per frame: True where any keypoint has a position."""
        pos = self.ds["position"].values
        return np.asarray(np.isfinite(pos).any(axis=(1, 2)))

    def detection_rate(self) -> float:
        """Fraction of frames with a pose (0 for an empty track)."""
        return float(self.detected().mean()) if self.n_frames else 0.0

    def visibility_at(self, names: Sequence[str], frames: np.ndarray) -> np.ndarray:
        """Visibility of several keypoints at some frames, shape (len(frames), len(names))."""
        cols = [self._index(n) for n in names]
        return np.asarray(self.ds["visibility"].values[frames][:, cols], dtype=float)

    @cached_property
    def _keypoint_index(self) -> dict[str, int]:
        """Keypoint name -> position on the keypoint axis (label lookups are slow)."""
        return {k: i for i, k in enumerate(self.keypoints)}

    def _index(self, name: str) -> int:
        i = self._keypoint_index.get(name)
        if i is None:
            raise TrackError(
                f"keypoint {name!r} is not in this track; it has: {', '.join(self.keypoints)}"
            )
        return i

    def _sel(self, var: str, name: str) -> np.ndarray:
        da = self.ds[var]
        return np.take(da.values, self._index(name), axis=da.dims.index("keypoint"))

    # ------------------------------------------------------------ transforms
    def with_ds(self, ds: xr.Dataset) -> PoseTrack:
        """Return a new track around ``ds`` (validated)."""
        return PoseTrack(ds)

    def mirrored(self) -> PoseTrack:
        """Mirror the image horizontally: x -> width - x and left <-> right.

        Returns
        -------
        PoseTrack
            The track a horizontally flipped video would give.

        """
        if self.keypoints != KEYPOINTS:
            raise TrackError("mirrored() needs the full 33-keypoint BlazePose layout")
        idx = list(MIRROR_INDEX)
        ds = self.ds.copy(deep=True)
        pos = ds["position"].values[:, idx, :].copy()
        pos[..., 0] = self.width - pos[..., 0]
        world = ds["world"].values[:, idx, :].copy()
        world[..., 0] = -world[..., 0]
        ds["position"].values[:] = pos
        ds["world"].values[:] = world
        ds["depth"].values[:] = ds["depth"].values[:, idx]
        ds["visibility"].values[:] = ds["visibility"].values[:, idx]
        if "silhouette" in ds:
            ds["silhouette"].values[:] = ds["silhouette"].values[:, list(MIRROR_FEATURES)]
        return PoseTrack(ds)

    def slice_time(self, start: float | None = None, stop: float | None = None) -> PoseTrack:
        """Return the frames with ``start <= time < stop``."""
        t = self.time
        keep = np.ones(t.shape, dtype=bool)
        if start is not None:
            keep &= t >= start
        if stop is not None:
            keep &= t < stop
        return PoseTrack(self.ds.isel(time=np.flatnonzero(keep)))

    # -------------------------------------------------------------- save/load
    def to_dataframe(self) -> Any:
        """Return a wide table: one row per frame, one column per keypoint value.

        Columns are ``time``, ``frame`` and, per keypoint ``k``: ``k_x``,
        ``k_y`` (px), ``k_depth`` (px), ``k_visibility``, ``k_world_x``,
        ``k_world_y``, ``k_world_z`` (m); and ``silhouette_f`` (px) per silhouette
        feature ``f`` when the track has them.
        """
        import pandas as pd

        cols: dict[str, np.ndarray] = {"time": self.time, "frame": self.ds["frame"].values}
        pos = self.ds["position"].values
        world = self.ds["world"].values
        depth = self.ds["depth"].values
        vis = self.ds["visibility"].values
        for i, k in enumerate(self.keypoints):
            cols[f"{k}_x"] = pos[:, i, 0]
            cols[f"{k}_y"] = pos[:, i, 1]
            cols[f"{k}_depth"] = depth[:, i]
            cols[f"{k}_visibility"] = vis[:, i]
            cols[f"{k}_world_x"] = world[:, i, 0]
            cols[f"{k}_world_y"] = world[:, i, 1]
            cols[f"{k}_world_z"] = world[:, i, 2]
        if "silhouette" in self.ds:
            sil = self.ds["silhouette"].values
            for j, f in enumerate(SILHOUETTE_FEATURES):
                cols[f"silhouette_{f}"] = sil[:, j]
        return pd.DataFrame(cols)

    def save(self, path: str | Path) -> Path:
        """Write the track atomically as Parquet (``.parquet``) or CSV (``.csv``).

        Parquet keeps the attributes in the file's metadata; CSV writes them to
        a ``.json`` sidecar.

        Parameters
        ----------
        path
            Target file; its suffix picks the format.

        Returns
        -------
        Path
            The written file.

        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        from armcarriage.atomic import atomic_path

        path = Path(path)
        df = self.to_dataframe()
        meta = json.dumps({"attrs": _jsonable(self.attrs), "keypoints": list(self.keypoints)})
        if path.suffix == ".csv":
            with atomic_path(path) as tmp:
                df.to_csv(tmp, index=False)
            with atomic_path(path.with_suffix(".json")) as tmp:
                Path(tmp).write_text(meta, encoding="utf-8")
            return path
        if path.suffix != ".parquet":
            raise TrackError(f"save {path}: expected a .parquet or .csv file name")
        table = pa.Table.from_pandas(df, preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"armcarriage": meta.encode()}
        )
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp)
        return path

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a track written by :meth:`save` (Parquet or CSV with its sidecar).

        Parameters
        ----------
        path
            A ``.parquet`` file, or a ``.csv`` file with its ``.json`` sidecar.

        Returns
        -------
        PoseTrack

        """
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        if not path.exists():
            raise TrackError(f"pose track {path}: file not found")
        if path.suffix == ".csv":
            df = pd.read_csv(path)
            sidecar = path.with_suffix(".json")
            if not sidecar.exists():
                raise TrackError(f"pose track {path}: expected its sidecar {sidecar}")
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        else:
            try:
                table = pq.read_table(path)
            except (pa.ArrowException, OSError) as exc:
                raise TrackError(
                    f"pose track {path}: not a readable Parquet file ({exc})"
                ) from None
            raw = (table.schema.metadata or {}).get(b"armcarriage")
            if raw is None:
                raise TrackError(f"pose track {path}: no armcarriage metadata in the file")
            meta = json.loads(raw)
            df = table.to_pandas()
        keypoints = meta["keypoints"]
        attrs = meta["attrs"]

        def stack(suffixes: Sequence[str]) -> np.ndarray:
            return np.stack(
                [
                    np.stack([df[f"{k}_{s}"].to_numpy(float) for s in suffixes], axis=-1)
                    for k in keypoints
                ],
                axis=1,
            )

        return cls.from_arrays(
            df["time"].to_numpy(float),
            stack(("x", "y")),
            fps=attrs["fps"],
            width=attrs["width"],
            height=attrs["height"],
            keypoints=keypoints,
            visibility=stack(("visibility",))[..., 0],
            depth=stack(("depth",))[..., 0],
            world=stack(("world_x", "world_y", "world_z")),
            frame=df["frame"].to_numpy(np.int64),
            attrs=attrs,
            silhouette=features_from_columns(df, len(df)),
        )


def _silhouette(silhouette: np.ndarray, n: int) -> np.ndarray:
    """Return the silhouette numbers as floats, checked to be (time, silhouette_feature)."""
    sil = np.asarray(silhouette, dtype=float)
    if sil.shape != (n, len(SILHOUETTE_FEATURES)):
        raise TrackError(
            f"silhouette: expected shape (time={n}, silhouette_feature="
            f"{len(SILHOUETTE_FEATURES)}), got {sil.shape}"
        )
    return sil


def _attrs(fps: float, width: int, height: int, attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a new track's attributes: the frame and its rate, then the given extras."""
    return {
        "fps": float(fps),
        "width": int(width),
        "height": int(height),
        "source": "",
        "model": "",
        "person": "",
        "units": "position: px; depth: px (relative); world: m; time: s",
        "schema_version": SCHEMA_VERSION,
        **dict(attrs or {}),
    }


def _variables(
    pos: np.ndarray,
    visibility: np.ndarray | None,
    depth: np.ndarray | None,
    world: np.ndarray | None,
) -> dict[str, Any]:
    """Return the track's variables; visibility defaults to 1 where seen, the rest to NaN."""
    n, k = pos.shape[:2]
    if visibility is None:
        visibility = np.where(np.isfinite(pos).all(axis=2), 1.0, 0.0)
    if depth is None:
        depth = np.full((n, k), np.nan)
    if world is None:
        world = np.full((n, k, 3), np.nan)
    return {
        "position": (("time", "keypoint", "space"), pos),
        "depth": (("time", "keypoint"), np.asarray(depth, dtype=float)),
        "visibility": (("time", "keypoint"), np.asarray(visibility, dtype=float)),
        "world": (("time", "keypoint", "space3"), np.asarray(world, dtype=float)),
    }
