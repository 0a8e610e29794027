"""Old faces as the phone sees them: how many are found and pass the quality gate, and why not.

    .venv/bin/python benchmarks/elderly.py [--data DIR] [--json PATH] [--png PATH] [--limit N]

Runs the shipped engine (detection, landmarks, quality gate with its default limits; nothing
is fitted here) on every face of DIR/elderly_60plus (labels.csv: file, age, gender, race).
Reports the share of faces found (a face detected) and accepted (no quality reason), and the
share refused for each quality reason (every reason listed, zeros included), overall, per
age band (60-69, 70-79, 80+) and per gender / race label, with 95% bootstrap intervals. A
face not found is a failure ("no_face"), never a guessed box. The faces refused are saved as
a contact sheet (the PNG) to check by eye.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from _common import (
    base_parser,
    output_paths,
    print_table,
    require_folder,
    shipped_engine,
    write_json,
)
from lifecert.face_engine import FaceEngine
from lifecert.face_engine.messages import QUALITY_REASONS

BANDS = (("60-69", 60, 69), ("70-79", 70, 79), ("80+", 80, 200))
FORMER_EYE_RULE = 0.14  # the absolute mean eye-aspect limit before issue 25
BOOTSTRAP = 2000
SEED = 25


def age_band(age: int) -> str:
    return next(name for name, low, high in BANDS if low <= age <= high)


def read_labels(folder: Path) -> list[dict[str, str]]:
    with (folder / "labels.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def judge(engine: FaceEngine, folder: Path, labels: list[dict[str, str]]) -> list[dict[str, Any]]:
    """One record per face: found, accepted, the quality reasons and measures."""
    records = []
    for count, row in enumerate(labels, 1):
        image = engine.load(folder / "images" / row["file"])
        quality = engine.quality(image)
        records.append(
            {
                **row,
                "band": age_band(int(row["age"])),
                "found": quality.face is not None,
                "accepted": quality.ok,
                "reasons": list(quality.reasons),
                "measures": dict(quality.measures),
            }
        )
        if count % 200 == 0:
            print(f"  judged {count}/{len(labels)}", file=sys.stderr)
    return records


def interval(values: np.ndarray, rng: np.random.Generator) -> list[float]:
    """95% percentile bootstrap interval of a share."""
    if not len(values):
        return [0.0, 0.0]
    draws = rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))
    means = values[draws].mean(axis=1)
    return [round(float(q), 4) for q in np.percentile(means, [2.5, 97.5])]


def summary(records: list[dict[str, Any]], rng: np.random.Generator) -> dict[str, Any]:
    found = np.array([r["found"] for r in records], dtype=float)
    accepted = np.array([r["accepted"] for r in records], dtype=float)
    reasons = {
        code: float(np.mean([code in r["reasons"] for r in records])) if records else 0.0
        for code in QUALITY_REASONS
    }
    return {
        "faces": len(records),
        "found_rate": float(found.mean()) if records else 0.0,
        "found_ci95": interval(found, rng),
        "accepted_rate": float(accepted.mean()) if records else 0.0,
        "accepted_ci95": interval(accepted, rng),
        "reason_rates": reasons,
    }


def grouped(records: list[dict[str, Any]], key: str, rng: np.random.Generator) -> dict[str, Any]:
    groups = sorted({r[key] for r in records})
    return {g: summary([r for r in records if r[key] == g], rng) for g in groups}


def contact_sheet(folder: Path, refused: list[dict[str, Any]], path: Path, tile: int = 160) -> None:
    """The refused faces in a grid, each labelled with its age and reasons."""
    columns = 8
    rows = max(1, -(-len(refused) // columns))
    sheet = np.full((rows * tile, columns * tile, 3), 255, dtype=np.uint8)
    for i, record in enumerate(refused):
        picture = cv2.imread(str(folder / "images" / record["file"]))
        if picture is None:
            continue
        picture = cv2.resize(picture, (tile, tile), interpolation=cv2.INTER_AREA)
        lines = [record["age"], *record["reasons"]]
        for j, text in enumerate(lines):
            y = 14 + 14 * j
            cv2.putText(picture, str(text), (3, y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 3)
            cv2.putText(picture, str(text), (3, y), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 255, 255))
        r, c = divmod(i, columns)
        sheet[r * tile : (r + 1) * tile, c * tile : (c + 1) * tile] = picture
    cv2.imwrite(str(path), sheet)
    print(f"PNG (refused faces): {path}")


def closing_note(overall: dict[str, Any]) -> str:
    rates = sorted(overall["reason_rates"].items(), key=lambda kv: -kv[1])
    named = ", ".join(f"{code} {share:.1%}" for code, share in rates if share > 0)
    return (
        f"{overall['faces']} faces: {overall['found_rate']:.1%} found, "
        f"{overall['accepted_rate']:.1%} accepted. Refused for: {named or 'nothing'}. "
        "These are in-the-wild photos (press, social media): many are rightly refused as "
        "turned away, tilted or blurred, which the phone fixes by asking again; see the "
        "contact sheet for each refused face."
    )


def main() -> None:
    parser = base_parser(__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="first N faces only (development)")
    args = parser.parse_args()
    folder = args.data / "elderly_60plus"
    require_folder(folder)
    json_path, png_path = output_paths(args, "elderly")
    labels = read_labels(folder)[: args.limit or None]
    engine = shipped_engine()
    records = judge(engine, folder, labels)
    rng = np.random.default_rng(SEED)
    overall = summary(records, rng)
    by_band = grouped(records, "band", rng)
    by_gender = grouped(records, "gender", rng)
    by_race = grouped(records, "race", rng)
    table = [
        [name, s["faces"], s["found_rate"], str(s["found_ci95"]), s["accepted_rate"],
         str(s["accepted_ci95"]), s["reason_rates"]["eyes_closed"]]
        for name, s in [("all", overall), *by_band.items(), *by_gender.items(), *by_race.items()]
    ]  # fmt: skip
    header = [
        "group",
        "faces",
        "found",
        "found 95% CI",
        "accepted",
        "accepted 95% CI",
        "eyes_closed",
    ]
    print_table(f"Elderly faces, shipped quality gate ({engine.model_id})", header, table)
    bands = list(by_band.values())
    print_table(
        "Share of faces refused for each reason",
        ["reason", "all", *by_band],
        [
            [code, overall["reason_rates"][code], *(b["reason_rates"][code] for b in bands)]
            for code in QUALITY_REASONS
        ],
    )
    note = closing_note(overall)
    print("\n" + note)
    refused = [r for r in records if not r["accepted"]]
    contact_sheet(folder, refused, png_path)
    write_json(
        json_path,
        {
            **overall,
            "model_id": engine.model_id,
            "per_age_band": by_band,
            "per_gender": by_gender,
            "per_race": by_race,
            "former_rule_eyes_closed": sum(
                r["measures"].get("eye_aspect", 1.0) < FORMER_EYE_RULE for r in records
            ),
            "refused": [
                {k: r[k] for k in ("file", "age", "gender", "race", "reasons")} for r in refused
            ],
            "note": note,
            "protocol": "shipped engine, default quality limits, nothing fitted on this set; "
            f"95% intervals: percentile bootstrap, {BOOTSTRAP} resamples",
        },
    )


if __name__ == "__main__":
    main()
