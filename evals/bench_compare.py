"""`clientloop bench --compare OLD.json`: the change in every figure between two runs.

A figure is matched by its section and name (names carry their sizes, so a 1,000- and a
5,000-document ingest are different figures and are listed as present in one run only).
Each change is shown twice: the raw value, which moves with the machine, and the ratio to
the baseline measured in the same run, which mostly does not; when the machines differ
(cores, memory, Python, a key package) the ratio is the figure to trust, and the machine
differences are listed first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.bench_figures import finite, format_value

HIGHER_IS_BETTER = frozenset({"chunks/s", "req/s", "tokens/s"})
"""Units of throughput; for every other unit (time, memory, calls, tokens, errors) lower is better."""
_MACHINE_KEYS = ("cpus", "cpus_usable", "cgroup_cpus", "cpu_model", "ram_gb", "cgroup_memory_gb", "python", "platform")


@dataclass(frozen=True)
class Change:
    """One figure in two runs."""

    section: str
    name: str
    unit: str
    old: float | None
    new: float | None
    old_ratio: float | None
    new_ratio: float | None
    in_old: bool = True
    in_new: bool = True

    @property
    def change(self) -> float | None:
        """new / old - 1 (0.1 is 10% more), when both are numbers and old is not zero."""
        return _relative(self.old, self.new)

    @property
    def ratio_change(self) -> float | None:
        """The same for the ratio to the baseline of each run."""
        return _relative(self.old_ratio, self.new_ratio)

    @property
    def verdict(self) -> str:
        """`better`, `worse`, `same` (within 5%), `new` or `gone` (in one run only), `—` (no number to compare)."""
        if not self.in_old:
            return "new"
        if not self.in_new:
            return "gone"
        if self.old is not None and self.old == self.new:
            return "same"
        moved = self.change
        if moved is None:
            return "—"
        if abs(moved) < 0.05:
            return "same"
        return "better" if (moved > 0) == (self.unit in HIGHER_IS_BETTER) else "worse"

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            "old": self.old,
            "new": self.new,
            "change": self.change,
            "old_ratio": self.old_ratio,
            "new_ratio": self.new_ratio,
            "ratio_change": self.ratio_change,
            "verdict": self.verdict,
        }


def _relative(old: float | None, new: float | None) -> float | None:
    if not finite(old) or not finite(new) or old == 0:
        return None
    return float(new) / float(old) - 1  # type: ignore[arg-type]


def _number(x: Any) -> float | None:
    return float(x) if finite(x) else None


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every figure of either report, in the new run's order, then those only the old run has.

    Both are `clientloop bench --json` reports (see `load_report`).
    """
    before = {(f["section"], f["name"]): f for f in old["figures"]}
    after = {(f["section"], f["name"]): f for f in new["figures"]}
    keys = list(after) + [k for k in before if k not in after]
    empty: dict[str, Any] = {}
    return [
        Change(
            section=k[0],
            name=k[1],
            unit=(after.get(k) or before[k]).get("unit", ""),
            old=_number(before.get(k, empty).get("value")),
            new=_number(after.get(k, empty).get("value")),
            old_ratio=_number(before.get(k, empty).get("ratio")),
            new_ratio=_number(after.get(k, empty).get("ratio")),
            in_old=k in before,
            in_new=k in after,
        )
        for k in keys
    ]


def machine_differences(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, old, new) for each machine fact and package version that differs between the runs."""
    a, b = old.get("machine", {}), new.get("machine", {})
    out = [(k, str(a.get(k, "—")), str(b.get(k, "—"))) for k in _MACHINE_KEYS if a.get(k) != b.get(k)]
    pa, pb = a.get("packages", {}), b.get("packages", {})
    out += [(p, str(pa.get(p, "—")), str(pb.get(p, "—"))) for p in sorted(set(pa) | set(pb)) if pa.get(p) != pb.get(p)]
    return out


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x:+.0%}"


def _times(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}×"


def change_rows(changes: list[Change]) -> list[tuple[str, ...]]:
    """(section, figure, old, new, change, old ratio, new ratio, verdict) strings, the section named once per block."""
    rows: list[tuple[str, ...]] = []
    previous = None
    for c in changes:
        rows.append(
            (
                c.section if c.section != previous else "",
                c.name,
                format_value(c.old, c.unit),
                format_value(c.new, c.unit),
                _percent(c.change),
                _times(c.old_ratio),
                _times(c.new_ratio),
                c.verdict,
            )
        )
        previous = c.section
    return rows


def load_report(path: Path) -> dict[str, Any]:
    """A saved `clientloop bench --json` run.

    Raises:
        ValueError: the file is not JSON, or not a bench report.
    """
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON file ({exc})") from exc
    if not isinstance(report, dict) or not isinstance(report.get("figures"), list):
        raise ValueError(f"{path}: not `clientloop bench --json` output (no figures)")
    return report


def comparison(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The comparison as JSON: both machines' differences and every figure's change."""
    return {
        "machine_differences": [{"what": w, "old": a, "new": b} for w, a, b in machine_differences(old, new)],
        "old_commit": old.get("machine", {}).get("commit"),
        "new_commit": new.get("machine", {}).get("commit"),
        "changes": [c.to_json() for c in compare(old, new)],
    }
