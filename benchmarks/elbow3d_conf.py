"""Elbow confidence against the error: the expected-error model fitted and checked per trial.

Usage: ``PYTHONPATH=$PWD:$PWD/evaluation python benchmarks/elbow3d_conf.py [--suite DIR]
[--cache DIR]`` (about two minutes with the tracks cached; the cases of
``benchmarks/elbow3d.py``: ``suite`` = motion-capture-driven renders through the pose model,
``synth`` = the project's own renderer through the pose model, ``suite_exact`` = the exact
tracks of the suite's renders).

Per stride of every measured arm and every elbow statistic it records the error against the
3D truth, the reported confidence and the statistic's geometric expected error
(:func:`armcarriage.metrics.elbow.stat_expected_error`). It then fits the expected-error
model (:class:`armcarriage.metrics.elbow.ElbowErrorModel`: floors for the stride mean and
for one-frame statistics, and the geometry's gain) by the normal likelihood on the
pose-model side views, once on all of them and once with each trial left out (scored on the
trial left out), and reports how the configured confidence predicts the error: per
confidence bin the share within 5 deg, and the values at 0.8 or more. Oblique views, where
the analysis withholds the elbow, are scored on the series. Writes
``benchmarks/results/elbow3d_conf.md``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
import elbow3d as E  # noqa: N812

from armcarriage.analysis import analyze
from armcarriage.atomic import write_text
from armcarriage.config import Config
from armcarriage.metrics.elbow import elbow_stride, stat_expected_error
from armcarriage.metrics.series import NEAR_SIDE

OUT = E.RESULTS / "elbow3d_conf.md"
STATS = (*E.STATS[:3], "elbow_angle_range", *E.STATS[3:])
BINS = (0.0, 0.5, 0.8, 1.01)


def truth_stats(truth: pd.DataFrame, strides: pd.DataFrame, side: str) -> dict[int, dict]:
    red = E.reduce_truth(truth, strides, side).set_index("stride")
    red["elbow_angle_range"] = red["elbow_angle_max"] - red["elbow_angle_min"]
    return {int(k): v for k, v in red.to_dict(orient="index").items()}


def case_rows(group: str, name: str, view: str, track, truth: pd.DataFrame) -> list[dict]:
    a = analyze(track, Config().override(E.BASE))
    if a.status != "ok":
        return []
    label = str(a.view["label"])
    t = a.series["time"].to_numpy()
    rows = []
    for side in [NEAR_SIDE[label]] if label in NEAR_SIDE else ["left", "right"]:
        tr = truth_stats(truth, a.strides, side)
        ang = a.series[f"{side}_elbow_angle"].to_numpy()
        arm = a.series[f"{side}_upper_arm_angle"].to_numpy()
        err = a.series[f"{side}_elbow_error"].to_numpy()
        for r in a.strides[a.strides.side == side].itertuples():
            if r.stride not in tr:
                continue
            idx = np.flatnonzero((t >= r.t_start) & (t < r.t_end))
            vals = elbow_stride(ang[idx], arm[idx])
            for stat in STATS:
                withheld = bool(getattr(r, f"{stat}_reason"))
                if withheld and label != "oblique":
                    continue  # far arm or landmarks missing
                rows.append(
                    {
                        "group": group,
                        "case": name,
                        "trial": "synth" if group == "synth" else name.split("_")[0],
                        "family": "oblique" if label == "oblique" else "side",
                        "stat": stat,
                        "error": vals[stat] - tr[r.stride][stat],
                        "conf": np.nan if withheld else float(getattr(r, f"{stat}_conf")),
                        "geo": stat_expected_error(err[idx], stat),
                    }
                )
    return rows


def floor(p: np.ndarray, stat: np.ndarray) -> np.ndarray:
    extreme = np.where(stat == "elbow_angle_range", np.sqrt(2.0) * p[1], p[1])
    return np.where(stat == "elbow_angle_mean", p[0], extreme)


def sigma(p: np.ndarray, g: pd.DataFrame) -> np.ndarray:
    return np.hypot(floor(p, g["stat"].to_numpy()), p[2] * g["geo"].to_numpy())


def fit(g: pd.DataFrame) -> np.ndarray:
    def nll(p: np.ndarray) -> float:
        s = sigma(p, g)
        return float(np.sum(np.log(s) + 0.5 * (g["error"].to_numpy() / s) ** 2))

    bounds = [(0.3, 30.0), (0.3, 30.0), (0.0, 5.0)]
    return minimize(nll, np.array([2.0, 4.0, 1.0]), method="L-BFGS-B", bounds=bounds).x


def calibration(p: np.ndarray, g: pd.DataFrame, half: float = 5.0) -> str:
    s = sigma(p, g)
    f = 1.0 / (1.0 + (s / half) ** 2)
    ae = g["error"].abs().to_numpy()
    hi = f >= 0.8
    within = f"{100 * np.mean(ae[hi] <= 5):.0f} %" if hi.any() else "-"
    z = ae / s
    return (
        f"n {len(g)}; factor >= 0.8: {int(hi.sum())} values, {within} within 5 deg; "
        f"|error| <= 1 / 1.96 expected errors: {100 * np.mean(z <= 1):.0f} / "
        f"{100 * np.mean(z <= 1.96):.0f} % (normal: 68 / 95)"
    )


def summary(e: pd.Series) -> str:
    x = e.dropna().to_numpy(float)
    if not x.size:
        return "-"
    p95 = np.percentile(np.abs(x), 95)
    return f"{np.mean(np.abs(x)):.2f} / {np.mean(x):+.2f} / {p95:.1f} ({x.size})"


def report(df: pd.DataFrame) -> list[str]:
    lines = ["# Elbow confidence against the error (benchmarks/elbow3d_conf.py)", ""]
    add = lines.append
    add("## Errors per view family (3D arm): MAE / bias / p95 |error| (n), deg")
    add("")
    add("| group | family | statistic | all values | confidence >= 0.8 |")
    add("|---|---|---|---|---|")
    for (group, fam, stat), g in df.groupby(["group", "family", "stat"]):
        add(
            f"| {group} | {fam} | {stat} | {summary(g['error'])} | "
            f"{summary(g.loc[g['conf'] >= 0.8, 'error'])} |"
        )
    side = df[(df["family"] == "side") & df["group"].isin(["suite", "synth"])]
    add("")
    add("## The model fitted on the pose-model side views")
    add("")
    add(
        "Parameters: floor of the stride mean, floor of one-frame statistics, gain "
        "(configured: 1.4, 3.4, 1.3)."
    )
    add("")
    p = fit(side)
    add(f"- all trials: {p[0]:.2f}, {p[1]:.2f}, {p[2]:.2f}; {calibration(p, side)}")
    for trial in sorted(side["trial"].unique()):
        held = side[side["trial"] == trial]
        q = fit(side[side["trial"] != trial])
        add(
            f"- fitted without {trial}: {q[0]:.2f}, {q[1]:.2f}, {q[2]:.2f}; on {trial}: "
            f"{calibration(q, held)}"
        )
    add("")
    add("## Reported confidence (configured model) against the error, side views")
    add("")
    add("| group | statistics | confidence | n | MAE | within 5 deg |")
    add("|---|---|---|---|---|---|")
    rep = df[(df["family"] == "side") & df["conf"].notna()]
    for group, g in rep.groupby("group"):
        for kind, sel in (
            ("mean", g["stat"] == "elbow_angle_mean"),
            ("extremes", g["stat"] != "elbow_angle_mean"),
            ("all", g["stat"] != ""),
        ):
            h = g[sel]
            for lo, hi in itertools.pairwise(BINS):
                b = h[(h["conf"] >= lo) & (h["conf"] < hi)]
                if not len(b):
                    continue
                add(
                    f"| {group} | {kind} | {lo:.1f}-{min(hi, 1.0):.1f} | {len(b)} | "
                    f"{b['error'].abs().mean():.2f} | "
                    f"{100 * np.mean(b['error'].abs() <= 5):.0f} % |"
                )
    renders = rep[rep["group"].isin(["suite", "synth"]) & (rep["conf"] >= 0.8)]
    add("")
    add(
        f"Renders through the pose model (suite and synth), confidence >= 0.8: {len(renders)} "
        f"values, {100 * np.mean(renders['error'].abs() <= 5):.0f} % within 5 deg."
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", type=Path, default=Path("/work/cache/mocap_suite"))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/elbow3d_synth"))
    args = ap.parse_args(argv)
    cases = [("suite", *c) for c in E.suite_cases(args.suite)]
    cases += [("suite_exact", *c) for c in E.suite_cases(args.suite, exact=True)]
    cases += [("synth", *c) for c in E.synth_cases(args.cache, True)]
    rows = [r for c in cases for r in case_rows(*c)]
    if not rows:
        print("no cases found (see --suite and --cache)")
        return 0
    text = "\n".join(report(pd.DataFrame(rows))) + "\n"
    print(text)
    write_text(OUT, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
