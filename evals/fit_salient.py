"""Fit the decision / client-ask clause classifier (`pipeline.rules.salient`) on tuning sets.

    python -m evals.fit_salient --write evals/data/fs-train.jsonl ... [--cache DIR]

**Labels.** A clause is a positive for a field when it is, or is within 0.05 of, the clause
most similar to one of the record's gold phrases for that field, at a cosine of at least the
scorer's `SIMILARITY_THRESHOLD` (similarity of the gold phrase to the clause's own words or to
its third-person wording, whichever is higher). Every other candidate clause is a negative.

**Held-out report.** Before fitting on everything, each set is left out in turn: the model is
fitted on the others and the held-out set is scored as the summary would use it (the rules'
phrases first, then the classifier's picks that are not near-copies of them, the field's cap),
giving recall of the gold phrases, phrases listed per draft and the share of listed phrases
that find a gold one. The sets are written by different people, so leaving a set out measures
what carries to a new writer. The cut and the number of picks are chosen on that report.

scikit-learn fits the model; drafting reads the weights with numpy only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evals.fs_interactions import read_records
from evals.summary_quality import SIMILARITY_THRESHOLD
from pipeline.rules import salient
from pipeline.rules.engine import _clauses, draft_with_rules
from pipeline.rules.owners import OwnerResolver
from pipeline.schemas import Participant

CAPS = {"decisions": 10, "client_asks": 8}
"""The summary's own caps on each list (`pipeline.rules.summary`)."""


class CachedEmbed:
    """The local MiniLM with a text -> vector cache on disk (fitting embeds the same clauses many times)."""

    def __init__(self, path: Path | None) -> None:
        from pipeline.embeddings import OnnxMiniLMEmbeddings

        self.path = path
        self.model = OnnxMiniLMEmbeddings()
        self.cache: dict[str, np.ndarray] = {}
        if path and path.exists():
            self.cache = pickle.loads(path.read_bytes())

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self.cache})
        if missing:
            for text, vector in zip(missing, self.model.embed_array(missing), strict=True):
                self.cache[text] = vector
        return np.asarray([self.cache[t] for t in texts], dtype=np.float32).reshape(len(texts), -1)

    def save(self) -> None:
        if self.path:
            self.path.write_bytes(pickle.dumps(self.cache))


def _rules_only(record: dict[str, Any], cache: dict[str, Any]) -> dict[str, list[str]]:
    """The rules' own decisions and asks for a record (the classifier switched off), cached by text."""
    key = hashlib.sha256(record["text"].encode()).hexdigest()[:16] + record["id"] + "-3"
    if key not in cache:
        original = salient.shipped_model
        salient.shipped_model = lambda: None  # type: ignore[assignment]
        try:
            from datetime import datetime

            draft = draft_with_rules(record["text"], kind=record["kind"],
                                     occurred_at=datetime.fromisoformat(record["occurred_at"]),
                                     participants=[Participant(**p) for p in record.get("participants", [])],
                                     client=record["client"]["name"])
        finally:
            salient.shipped_model = original  # type: ignore[assignment]
        cache[key] = {"decisions": draft.summary.decisions, "client_asks": draft.summary.client_asks,
                      "actions": [(a.evidence.start, a.evidence.end) for a in draft.actions
                                  if a.evidence.start is not None and a.evidence.end],
                      "tasks": [a.description for a in draft.actions]}
    return cache[key]  # type: ignore[no-any-return]


def prepare(records: list[dict[str, Any]], embed: CachedEmbed, drafts: dict[str, Any]) -> list[dict[str, Any]]:
    """Each record's design matrix, candidate mask, clause wordings, labels and rules-only phrases."""
    from pipeline.rules.summary import word_pick

    out = []
    for record in records:
        participants = [Participant(**p) for p in record.get("participants", [])]
        resolver = OwnerResolver(participants)
        clauses, _ = _clauses(record["text"], record["kind"], participants)
        x = salient.design(clauses, resolver, record["kind"], record["text"])
        rules = _rules_only(record, drafts)
        allowed = salient.masks(clauses, [tuple(span) for span in rules["actions"]], resolver,
                                record["kind"], rules, rules["tasks"])
        mask = {f: np.array(allowed[f], dtype=bool) for f in salient.FIELDS}
        worded = {f: [word_pick(f, i, clauses, resolver, record["kind"]) for i in range(len(clauses))]
                  for f in salient.FIELDS}
        labels = {}
        for field in salient.FIELDS:
            gold = [g for g in record["gold"].get(field) or [] if g.strip()]
            y = np.zeros(len(clauses), dtype=bool)
            if gold and clauses:
                g = embed(gold)
                raw = embed([salient.clause_text(c) for c in clauses])
                said = embed(worded[field])
                sims = np.maximum(g @ raw.T, g @ said.T)
                sims[:, ~mask[field]] = -1
                for row in sims:
                    best = row.max()
                    if best >= SIMILARITY_THRESHOLD:
                        y |= row >= best - 0.05
            labels[field] = y
        out.append({"id": record["id"], "x": x, "mask": mask, "worded": worded, "labels": labels,
                    "gold": {f: [g for g in record["gold"].get(f) or [] if g.strip()] for f in salient.FIELDS},
                    "rules": rules})
    return out


def fit(rows: list[dict[str, Any]], field: str, c: float) -> salient.Weights:
    """A balanced logistic regression on every candidate clause of the rows."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([r["x"][r["mask"][field]] for r in rows])
    y = np.concatenate([r["labels"][field][r["mask"][field]] for r in rows])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, y)
    return salient.Weights(model.coef_[0].astype(np.float32), float(model.intercept_[0]), 0.5)


def listed(row: dict[str, Any], field: str, weights: salient.Weights, cut: float, picks: int) -> list[str]:
    """The field's phrases as the summary lists them with these weights (`salient.merge`)."""
    order = salient.ranked(row["x"], salient.Weights(weights.coef, weights.intercept, cut),
                            row["mask"][field])
    return salient.merge(row["rules"][field], [row["worded"][field][i] for i in order], limit=CAPS[field],
                         picks=picks)


def score(rows: list[dict[str, Any]], field: str, lists: list[list[str]], embed: CachedEmbed) -> tuple[float, ...]:
    """(recall of gold phrases, phrases per draft, share of listed phrases that find a gold phrase)."""
    found = total = hits = count = 0
    for row, phrases in zip(rows, lists, strict=True):
        gold = row["gold"][field]
        count += len(phrases)
        total += len(gold)
        if gold and phrases:
            sims = embed(gold) @ embed(phrases).T
            found += int((sims.max(axis=1) >= SIMILARITY_THRESHOLD).sum())
            hits += int((sims.max(axis=0) >= SIMILARITY_THRESHOLD).sum())
    return found / max(total, 1), count / max(len(rows), 1), hits / max(count, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=None, help="Folder for embedding and draft caches.")
    parser.add_argument("--write", action="store_true", help="Fit on all sets and write the weights file.")
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--cut", type=float, nargs=2, default=(0.5, 0.5), help="Probability cut: decisions, asks.")
    parser.add_argument("--picks", type=int, nargs=2, default=(3, 3), help="Most picks added: decisions, asks.")
    parser.add_argument("--grid", action="store_true", help="Report every cut and pick count held out.")
    args = parser.parse_args()
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    embed = CachedEmbed(args.cache / "embeddings.pkl" if args.cache else None)
    draft_path = args.cache / "drafts.json" if args.cache else None
    drafts = json.loads(draft_path.read_text()) if draft_path and draft_path.exists() else {}
    by_set = {path.name: prepare(read_records(path), embed, drafts) for path in args.sets}
    embed.save()
    if draft_path:
        draft_path.write_text(json.dumps(drafts))
    cuts = dict(zip(salient.FIELDS, args.cut, strict=True))
    picks = dict(zip(salient.FIELDS, args.picks, strict=True))
    for field in salient.FIELDS:
        grid = [(c, n) for c in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8) for n in (1, 2, 3, 4, 6)] if args.grid else [
            (cuts[field], picks[field])]
        held = {name: fit([r for other, rows in by_set.items() if other != name for r in rows], field, args.c)
                for name in by_set}
        for cut, n in grid:
            line = []
            for name, rows in by_set.items():
                before = score(rows, field, [r["rules"][field] for r in rows], embed)
                after = score(rows, field, [listed(r, field, held[name], cut, n) for r in rows], embed)
                line.append(f"{name.removesuffix('.jsonl')} {before[0]:.2f}->{after[0]:.2f} "
                            f"({before[1]:.1f}->{after[1]:.1f}/draft, P {before[2]:.2f}->{after[2]:.2f})")
            print(f"{field:11} cut {cut:.1f} picks {n}: " + "; ".join(line))  # noqa: T201
    if args.write:
        fields = {}
        for field in salient.FIELDS:
            w = fit([r for rows in by_set.values() for r in rows], field, args.c)
            fields[field] = {"coef": [round(float(v), 5) for v in w.coef], "intercept": round(w.intercept, 5),
                             "threshold": cuts[field]}
        body = {"features": list(salient.FEATURES), "fields": fields, "max_picks": picks,
                "fitted_on": sorted(by_set), "c": args.c}
        body["version"] = "salient.v1-" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
        salient.WEIGHTS_PATH.parent.mkdir(exist_ok=True)
        salient.WEIGHTS_PATH.write_text(json.dumps(body, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {salient.WEIGHTS_PATH} ({body['version']})")  # noqa: T201


if __name__ == "__main__":
    main()
