from teleframe.services.prefer import MAX_WAIT, wait_seconds


def test_wait_is_read_clamped_and_odd_values_are_ignored():
    assert wait_seconds(["wait=5"]) == 5
    assert wait_seconds(["respond-async, wait=10"]) == 10
    assert wait_seconds(["handling=lenient", 'Wait="7"']) == 7
    assert wait_seconds(["wait=99999999999999"]) == MAX_WAIT
    assert wait_seconds(["wait=0"]) == 0
    for odd in ("wait=-1", "wait=", "wait=1.5", "wait=٣", "wait=\x00", "return=minimal"):
        assert wait_seconds([odd]) is None, odd
    assert wait_seconds([]) is None
