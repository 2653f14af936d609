"""Sensitivity policy, review queue, decisions, audit log and release."""
