"""Fit the answerability model (`knowledge.answerability`) on the blind set's train split.

    python -m evals.fit_answerability

ingests the demo knowledge base into a throwaway data directory (as `clientloop eval
kb-questions` does), retrieves the passages the shipped `clientloop.ask.ask` retrieves for
every train and dev question, fits an L2-regularised logistic regression (numpy, Newton
steps) on the *train* features, picks on *dev* (the blind dev split and the 58 demo
questions, both development data) the cut-off with the most correct abstentions
less `FALSE_ABSTENTION_COST` per false one, and prints the constants to
paste into `knowledge/answerability.py`. The test split is never read here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from evals.kb_questions import BLIND_QUESTIONS, DEFAULT_QUESTIONS, KBQuestion, load_questions
from knowledge.answerability import FEATURES, assess
from knowledge.schemas import Passage

L2 = 1.0
"""Ridge penalty on the standardised weights (the bias is not penalised)."""

FALSE_ABSTENTION_COST = 2.0
"""A false abstention (an answerable question refused) costs this many correct abstentions."""


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method.

    Args:
        x: Standardised features, one row per question.
        y: 1 for answerable, 0 for unanswerable.
        l2: Ridge penalty on the weights.
        steps: Newton iterations.

    Returns:
        `(weights, bias)`.
    """
    n, d = x.shape
    a = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-a @ theta))
        gradient = a.T @ (p - y) + penalty @ theta
        hessian = a.T @ (a * (p * (1 - p))[:, None]) + penalty
        theta -= np.linalg.solve(hessian + 1e-9 * np.eye(d + 1), gradient)
    return theta[:d], float(theta[d])


def features(questions: Sequence[KBQuestion], passages: Sequence[Sequence[Passage]]) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix and labels (1 = answerable) of questions and their passages."""
    rows = [assess(q.question, ps).vector() for q, ps in zip(questions, passages, strict=True)]
    return np.asarray(rows, dtype=float), np.asarray([1.0 if q.parts() else 0.0 for q in questions])


def choose_cutoff(probabilities: np.ndarray, y: np.ndarray, *, cost: float = FALSE_ABSTENTION_COST) -> float:
    """The cut-off (steps of 0.05) maximising correct abstentions less `cost` per false one; the lowest on ties."""
    best = (-np.inf, 0.0)
    for step in range(1, 20):
        abstain = probabilities < step / 20
        value = float(np.sum(abstain[y == 0]) - cost * np.sum(abstain[y == 1]))
        if value > best[0]:
            best = (value, step / 20)
    return best[1]


def fit(
    train: tuple[Sequence[KBQuestion], Sequence[Sequence[Passage]]],
    dev: tuple[Sequence[KBQuestion], Sequence[Sequence[Passage]]],
) -> dict[str, object]:
    """Fit on train, choose the cut-off on dev; the constants of `knowledge.answerability`."""
    x, y = features(*train)
    means, scales = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights, bias = fit_logistic((x - means) / scales, y)
    xd, yd = features(*dev)
    pd = 1.0 / (1.0 + np.exp(-(((xd - means) / scales) @ weights + bias)))

    def r(v: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(a), 4) for a in v)

    return {
        "MEANS": r(means),
        "SCALES": r(scales),
        "WEIGHTS": r(weights),
        "BIAS": round(bias, 4),
        "DEFAULT_CUTOFF": choose_cutoff(pd, yd),
    }


def main() -> None:
    """Ingest the demo KB, retrieve for train and dev, fit, print the constants."""
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from clientloop.settings import get_settings

    kb = Path(__file__).resolve().parents[1] / "clientloop" / "demo_data" / "kb"
    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings().model_copy(
            update={"data_dir": Path(tmp), "database_url": None, "chroma_mode": "embedded", "chroma_path": None}
        )
        container = Container(settings)
        ingest_paths(container, [kb], kind="kb")
        splits = {}
        for split in ("train", "dev"):
            qs = load_questions(BLIND_QUESTIONS, splits={split})
            if split == "dev":
                qs += load_questions(DEFAULT_QUESTIONS)
            splits[split] = (qs, [container.retriever.retrieve(q.question, where={"kind": "kb"}) for q in qs])
        container.engine.dispose()
    print(f"FEATURES = {FEATURES}")  # noqa: T201
    for name, value in fit(splits["train"], splits["dev"]).items():
        print(f"{name} = {value}")  # noqa: T201


if __name__ == "__main__":
    main()
