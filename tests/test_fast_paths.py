"""The office's bookkeeping shortcut leaves the queue as the plain computation would."""

from willsim import WelfareModel


def test_withdrawn_requests_leave_the_queue_by_the_end_of_the_week():
    model = WelfareModel(
        "baseline", seed=2, city__population=5_000, run__residents=0, run__weeks=30
    ).run()
    office = model.office
    assert not office._withdrawn
    waiting = set(office.queue.waiting_items.tolist())
    live = set(office.current[office.current >= 0].tolist())
    assert waiting <= live  # every waiting request still belongs to an open need
