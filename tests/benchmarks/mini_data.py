"""A small data folder laid out like shared/data, copied from it into a temporary folder.

Each benchmark must run on any folder with this layout (``--data``), not only on the shared
one: the copies are subsets (a few people per set), so any cache keyed on the wrong thing, a
split read from the wrong place or a hard-coded size shows up. Never written into the repo.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from collections import defaultdict
from pathlib import Path

# Video clips: a calibration person of the liveness/PAD split (grid_c) and the report people
# (the older GRID speaker; man_b's real clip and his replay): both sides of each split.
VIDEOS = ("grid_lbax4n.mpg", "grid_lwbsza.mpg", "static_real.mp4", "static_replay.mp4")
NUAA_SUBJECTS = ("0001", "0005")  # one PAD calibration subject, one report subject
NUAA_FRAMES = 12  # per subject and label, from one capture session (a liveness sequence)
LFW_FOLDS, LFW_PAIRS = 3, 5  # folds; same and different pairs per fold (nested needs 3)
LAG_PEOPLE = 6  # per side of the LAG identity split
ELDERLY_PER_BAND = 4


def _copy(source: Path, target: Path, rel: str) -> None:
    (target / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / rel, target / rel)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def lfw(source: Path, target: Path) -> None:
    lines = (source / "lfw" / "pairs.txt").read_text().split("\n")
    per_fold = int(lines[0].split()[1])
    rows = [line for line in lines[1:] if line.strip()]
    kept = []
    for fold in range(LFW_FOLDS):
        start = fold * 2 * per_fold
        kept += rows[start : start + LFW_PAIRS]  # same-person pairs
        kept += rows[start + per_fold : start + per_fold + LFW_PAIRS]  # different people
    (target / "lfw").mkdir(parents=True)
    (target / "lfw" / "pairs.txt").write_text(
        f"{LFW_FOLDS}\t{LFW_PAIRS}\n" + "\n".join(kept) + "\n"
    )
    for line in kept:
        parts = line.split()
        names = [(parts[0], parts[1]), (parts[0], parts[2])] if len(parts) == 3 else [
            (parts[0], parts[1]), (parts[2], parts[3])]  # fmt: skip
        for name, number in names:
            _copy(source / "lfw", target / "lfw", f"images/{name}/{name}_{int(number):04d}.jpg")


def _split_of(identity: str) -> str:  # benchmarks/_bands.split_of
    return "calibration" if hashlib.sha1(identity.encode()).digest()[0] % 2 == 0 else "report"


def lag(source: Path, target: Path) -> None:
    rows = _rows(source / "lag" / "manifest.csv")
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        groups[row["identity"]].add(row["age_group"])
    both = sorted(i for i, g in groups.items() if len(g) == 2)
    chosen = {
        i for side in ("calibration", "report") for i in [p for p in both if _split_of(p) == side][
            :LAG_PEOPLE]
    }  # fmt: skip
    kept = [r for r in rows if r["identity"] in chosen]
    _write_csv(target / "lag" / "manifest.csv", ["path", "identity", "age_group"], kept)
    for row in kept:
        _copy(source / "lag", target / "lag", f"images/{row['path']}")


def elderly(source: Path, target: Path) -> None:
    rows = _rows(source / "elderly_60plus" / "labels.csv")
    bands: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        age = int(row["age"])
        bands["60-69" if age < 70 else "70-79" if age < 80 else "80+"].append(row)
    kept = [r for band in sorted(bands) for r in bands[band][:ELDERLY_PER_BAND]]
    _write_csv(target / "elderly_60plus" / "labels.csv", list(rows[0]), kept)
    for row in kept:
        _copy(source / "elderly_60plus", target / "elderly_60plus", f"images/{row['file']}")


def _frame_number(path: str) -> int:
    match = re.search(r"_(\d+)\.jpg$", path)
    return int(match.group(1)) if match else 0


def nuaa(source: Path, target: Path) -> None:
    kept = []
    for subject in NUAA_SUBJECTS:
        for label in ("real", "print_attack"):
            rows = [
                r
                for r in _rows(source / "nuaa" / "labels.csv")
                if r["subject"] == subject and r["label"] == label
            ]
            session = min(Path(r["path"]).name.rsplit("_", 1)[0] for r in rows)
            same = [r for r in rows if Path(r["path"]).name.startswith(session + "_")]
            kept += sorted(same, key=lambda r: _frame_number(r["path"]))[:NUAA_FRAMES]
    _write_csv(target / "nuaa" / "labels.csv", ["path", "subject", "label"], kept)
    for row in kept:
        _copy(source / "nuaa", target / "nuaa", row["path"])


def video(source: Path, target: Path) -> None:
    rows = [r for r in _rows(source / "video" / "labels.csv") if r["file"] in VIDEOS]
    _write_csv(target / "video" / "labels.csv", list(rows[0]), rows)
    for row in rows:
        _copy(source / "video", target / "video", row["file"])


def build(source: Path, target: Path) -> Path:
    """Fill ``target`` with a subset of every set in ``source``; returns ``target``."""
    for part in (lfw, lag, elderly, nuaa, video):
        part(source, target)
    return target
