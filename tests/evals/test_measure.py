"""The bench's shared measurement primitives: the percentile and the peak-memory count."""

from __future__ import annotations

import math

import pytest

from evals.measure import percentile


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile(values, 0) == 1
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(range(1, 11)), 7) == 1  # 0.7 of a rank rounds up to the first value


def test_percentile_of_nothing_is_nan_and_bad_q_raises():
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_bench_modules_share_one_percentile():
    import evals.bench_brief as brief
    import evals.bench_review as review

    assert review.percentile is percentile
    assert brief.percentile is percentile


def test_reset_peak_rss_starts_a_new_high_water_mark():
    import numpy as np

    from evals.measure import peak_rss_mb, reset_peak_rss

    block = np.ones(40_000_000)  # about 320 MB, touched
    high = peak_rss_mb()
    del block
    if not reset_peak_rss():
        pytest.skip("this kernel has no /proc/self/clear_refs")
    assert peak_rss_mb() < high - 200
