"""Shared helpers for the policy tests."""

from __future__ import annotations

import yaml

from review.policy import DEFAULT_POLICY_PATH, apply_policy


def names(text: str) -> set[str]:
    return {f.flag for f in apply_policy(text)}


def raw_policy() -> dict:
    return yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
