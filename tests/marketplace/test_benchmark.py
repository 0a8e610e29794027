"""The anti-scam benchmark on a smaller generated month (the full 100k-order run is
``benchmarks/marketplace.py``): the rules stay under 1 in 1,000 false alerts and catch every
generated scam scenario; the JSON carries the keys the issue names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import marketplace  # noqa: E402


def test_small_month_few_false_alerts_every_scam_caught() -> None:
    result = marketplace.run(20_000, seed=11)
    assert result["orders"] == 20_000
    assert result["false_alert_rate"] <= 0.001  # type: ignore[operator]
    assert all(row["caught"] for row in result["scenarios"].values())  # type: ignore[attr-defined]


def test_the_same_seed_gives_the_same_month() -> None:
    first, second = marketplace.run(3_000, seed=5), marketplace.run(3_000, seed=5)
    first.pop("seconds"), second.pop("seconds")
    assert first == second


def test_command_line_writes_the_keys(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "marketplace.py"),
                           "--orders", "5000", "--json", str(out)],
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert {"orders", "false_alert_rate"} <= set(data) and data["orders"] == 5000
