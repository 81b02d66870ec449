"""How a replay cuts the store into windows of positions, and leaves the garbage collector as it found it."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstore.replay import collector_paused, position_windows


def test_windows_cover_the_range_in_order_with_a_short_last_one() -> None:
    assert position_windows(0, 25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert position_windows(40, 50, 10) == [(40, 50)]


def test_an_empty_range_has_no_windows() -> None:
    assert position_windows(7, 7, 10) == []
    assert position_windows(9, 3, 10) == []


def test_a_window_of_no_positions_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one position"):
        position_windows(0, 10, 0)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 64))
def test_windows_are_contiguous_never_larger_than_asked_and_end_at_the_bound(after: int, span: int, size: int) -> None:
    windows = position_windows(after, after + span, size)
    covered = [position for start, stop in windows for position in range(start + 1, stop + 1)]
    assert covered == list(range(after + 1, after + span + 1))
    assert all(0 < stop - start <= size for start, stop in windows)


def _failing_window() -> None:
    with collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the window failed")


def test_the_collector_runs_again_after_a_window_even_when_applying_it_failed() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="window failed"):
        _failing_window()
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
