"""Every distinct duplicate or loss the exactly-once machines found, as a small fixed run.

Each test replays one failure step by step, on the local double, the GitHub fake and the
Jira Cloud fake: the operations, the fault armed for one of them, then heal, replay and
compare the tracker with the model. Where the docstring quotes steps, they are the shrunk
example a machine printed. No Hypothesis, no sleeping. The failures, by mechanism:

- a create made of several requests whose follow-up step fails is created again;
- a write that lands after the client timed out is sent again (a create or a comment made
  twice; on Jira a transition sent again from the old status is refused, and the call
  raises although the status changed);
- two equal comments by the same author are taken for one when a send is ambiguous;
- a comment that may have landed is replayed without being looked up;
- a dependency added or removed while work waits in the outbox is judged on the tracker's
  state, which has none of the queued changes;
- a dependency on a replayed ticket, removed by the ticket's local id, stays.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.exactly_once.doubles import Fault
from tests.exactly_once.driver import Driver
from tests.exactly_once.rig import ATTEMPTS, make_rig

BACKENDS = ["local", "github", "jira-cloud"]


@pytest.fixture(params=BACKENDS)
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Driver]:
    run = Driver(make_rig(request.param, tmp_path / "rig"))
    try:
        yield run
    finally:
        run.close()


def check(run: Driver) -> None:
    """Heal, replay, let late writes land: the tracker must hold what the model holds."""
    problems = [str(d) for d in run.heal()]
    assert problems == [], "tracker != model:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------- a create in several requests


@pytest.mark.parametrize("times", [1, ATTEMPTS], ids=["retried", "fell back"])
def test_create_resolved_whose_closing_step_fails_is_made_once(run: Driver, times: int) -> None:
    """The create lands, the closing change after it fails (503): the create must not be
    sent again, whether the retry or the replay finishes it.

    state.fail_between_steps(step=2, times=1)
    tickets_0 = state.create_resolved()
    """
    run.arm(Fault("step", step=2, times=times))
    run.create_resolved()
    check(run)


@pytest.mark.parametrize("times", [1, ATTEMPTS], ids=["retried", "fell back"])
def test_create_with_dependency_whose_link_fails_is_made_once(run: Driver, times: int) -> None:
    """The create lands, the dependency link after it fails (503)."""
    run.create()
    run.arm(Fault("step", step=2, times=times))
    run.create_with_dependency(0)
    check(run)


@pytest.mark.parametrize("backend", ["local", "github"])
def test_subtask_whose_parent_link_fails_is_made_once(tmp_path: Path, backend: str) -> None:
    """The create lands, the sub-issue link after it fails (503). Jira sends the parent in
    the create request itself, so it has no such step."""
    run = Driver(make_rig(backend, tmp_path / "rig"))
    try:
        run.create()
        run.arm(Fault("step", step=2))
        run.create_subtask(0)
        check(run)
    finally:
        run.close()


# ---------------------------------------------------------------- a write that lands late


def test_create_that_lands_late_is_made_once(run: Driver) -> None:
    """The tracker takes the create, answers nothing, and applies it two requests later:
    after the retry looked for it (not there yet) and sent it again.

    state.apply_late(after=1, times=1)
    tickets_0 = state.create(priority='critical')
    """
    run.arm(Fault("late", after=1))
    run.create("critical")
    check(run)


def test_comment_that_lands_after_the_client_gave_up_is_posted_once(run: Driver) -> None:
    """The same for a comment: looked up, not found yet, posted again, then the first lands.

    tickets_0 = state.create(priority='critical')
    state.apply_late(after=1, times=1)
    state.comment(author='qa-agent', text='on it', ticket=tickets_0)
    """
    run.create("critical")
    run.arm(Fault("late", after=1))
    run.comment(0, "qa-agent", "on it")
    check(run)


def test_create_that_lands_after_the_client_gave_up_is_made_once(run: Driver) -> None:
    """Every attempt times out; the first lands three requests later, when the call has
    given up and the create waits in the outbox: the replay must find it, and the copies
    the retries sent must not make more tickets."""
    run.arm(Fault("late", after=2, times=ATTEMPTS))
    run.create()
    check(run)


def test_jira_status_change_whose_transition_lands_late_succeeds(tmp_path: Path) -> None:
    """Jira walks a workflow: the transition times out and lands just after the retry read
    the issue, so the retry sends the same transition from the old status, Jira answers 400,
    and the call raises although the status did change.

    tickets_0, tickets_1 = state.two_tickets()
    state.apply_late(after=1, times=1)
    state.update_status(status='in_progress', ticket=tickets_0)
    """
    run = Driver(make_rig("jira-cloud", tmp_path / "rig"))
    try:
        run.create()
        run.arm(Fault("late", after=1))
        run.update_status(0, "in_progress")
        check(run)
    finally:
        run.close()


# ---------------------------------------------------------------- the same comment twice


def test_same_comment_twice_after_a_reset_is_kept_twice(run: Driver) -> None:
    """The second of two equal comments (same author, same text) is reset before the tracker
    read it; the retry must not take the first one for it.

    tickets_0 = state.create_resolved()
    state.comment(author='qa-agent', text='on it', ticket=tickets_0)
    state.reset_before(times=1, writes_only=False)
    state.repeat_comment(which=0)
    """
    run.create_resolved()
    run.comment(0, "qa-agent", "on it")
    run.arm(Fault("reset", writes_only=False))
    run.comment(0, "qa-agent", "on it")
    check(run)


def test_same_comment_twice_cut_off_in_replay_is_kept_twice(run: Driver) -> None:
    """The second equal comment waits in the outbox; a replay sends it and loses the
    connection before the tracker read it; the next replay must not take the first comment
    for it."""
    run.create()
    run.comment(0, "qa-agent", "on it")
    run.outage(True)
    run.comment(0, "qa-agent", "on it")
    run.outage(False)
    run.arm(Fault("reset", times=ATTEMPTS))
    run.replay()
    check(run)


# ---------------------------------------------------------------- a comment that may have landed


def test_comment_that_may_have_landed_is_not_posted_again_by_the_replay(run: Driver) -> None:
    """The comment lands and its answer is lost; the lookups of both retries fail, so the
    call falls back: the outbox entry must be looked up before it is sent, as a create's is.

    tickets_0, tickets_1 = state.two_tickets()
    state.fail_after(times=1)
    state.reset_before(times=1, writes_only=False)
    state.rate_limited(retry_after=1.0, secondary=False, times=1, writes_only=False)
    state.comment(author='qa-agent', text='on it', ticket=tickets_1)
    """
    run.create()
    run.arm(Fault("after"))
    run.arm(Fault("before", times=2, writes_only=False))
    run.comment(0, "qa-agent", "on it")
    check(run)


def test_comment_dropped_during_replay_is_posted_once(run: Driver) -> None:
    """A queued comment is replayed; it lands and the answer is lost: the replay's retry
    must look it up instead of posting it again.

    tickets_0, tickets_1 = state.two_tickets()
    state.fail_before(status=500, times=3, writes_only=False)
    state.fail_after(times=1)
    state.comment(author='qa-agent', text='on it', ticket=tickets_1)
    state.replay()
    """
    run.create()
    run.arm(Fault("before", status=500, times=ATTEMPTS))
    run.comment(0, "qa-agent", "on it")
    run.arm(Fault("after"))
    run.replay()
    check(run)


# ---------------------------------------------------------------- links while work is queued


def test_dependency_removed_while_its_addition_is_queued_stays_removed(run: Driver) -> None:
    """A dependency added during an outage waits in the outbox; once the tracker answers
    again (the outbox not yet drained), removing it reads the tracker, which does not have it
    yet, and does nothing.

    state.outage_start()
    state.add_dependency(a=tickets_1, b=tickets_0)
    state.outage_end()
    state.remove_dependency(which=0)
    """
    run.create("critical")
    run.create("critical")
    run.outage(True)
    run.add_dependency(1, 0)
    run.outage(False)
    run.remove_dependency(1, 0)
    check(run)


def test_second_dependency_added_while_the_first_is_queued_keeps_both(run: Driver) -> None:
    """Two dependencies added one after the other, the first one queued during an outage:
    the second is computed from the tracker's state, without the first, and overwrites it."""
    for _ in range(3):
        run.create()
    run.outage(True)
    run.add_dependency(2, 0)
    run.outage(False)
    run.add_dependency(2, 1)
    check(run)


def test_dependency_re_added_while_its_removal_is_queued_is_kept(run: Driver) -> None:
    """A rate-limited comment falls back, so later operations queue behind it; a dependency
    removed and added again is judged each time on the tracker's state, which has neither
    change yet: the addition is dropped as already there.

    state.rate_limited(retry_after=1.0, secondary=False, times=3, writes_only=False)
    state.comment(author='qa-agent', text='on it', ticket=tickets_1)
    state.remove_dependency(which=0)
    state.add_dependency(a=tickets_1, b=tickets_0)
    """
    run.create_resolved()
    run.create_with_dependency(0)
    run.arm(Fault("limit", retry_after=1.0, times=ATTEMPTS, writes_only=False))
    run.comment(1, "qa-agent", "on it")
    run.remove_dependency(1, 0)
    run.add_dependency(1, 0)
    check(run)


# ---------------------------------------------------------------- local ids after replay


def test_dependency_on_a_replayed_ticket_is_removed_by_its_local_id(run: Driver) -> None:
    """A ticket made during an outage keeps its local id after replay; a dependency on it,
    removed by that id, must go (the ticket's dependencies hold the tracker id).

    state.outage_start()
    tickets_0 = state.create(priority='critical')
    state.checkpoint()
    tickets_1 = state.create_with_dependency(on=tickets_0)
    state.remove_dependency(which=0)
    """
    run.outage(True)
    run.create("critical")
    run.heal_and_check()
    run.create_with_dependency(0)
    run.remove_dependency(1, 0)
    check(run)


def test_close_of_a_closed_ticket_queued_in_an_outage_changes_nothing(run: Driver) -> None:
    """Closing a ticket that is closed already does nothing (its resolution is kept); queued
    during an outage, the close must do nothing on replay either, and post no second note.

    tickets_0, tickets_1 = state.two_tickets()
    state.close(resolution='Fixed in #9', ticket=tickets_1)
    state.outage_start()
    state.close(resolution="Won't fix", ticket=tickets_1)
    state.teardown()
    """
    run.create()
    run.close_ticket(0, "Fixed in #9")
    run.outage(True)
    run.close_ticket(0, "Won't fix")
    run.outage(False)
    check(run)


def test_closing_again_whose_patch_lands_late_posts_its_own_note(run: Driver) -> None:
    """Closed, reopened, closed again with the same resolution; the second close's PATCH
    lands late, so the retry finds the ticket closed already and must still post this
    closing's note, though an earlier closing's note has the same text.

    tickets_0, tickets_1 = state.two_tickets()
    state.close(resolution="Won't fix", ticket=tickets_0)
    state.update_status(status='open', ticket=tickets_0)
    state.apply_late(after=1, times=1)
    state.close(resolution="Won't fix", ticket=tickets_0)
    state.teardown()
    """
    run.create()
    run.close_ticket(0, "Won't fix")
    run.update_status(0, "open")
    run.arm(Fault("late", after=1))
    run.close_ticket(0, "Won't fix")
    check(run)


def test_change_whose_every_attempt_lands_late_is_not_overtaken_by_the_next(run: Driver) -> None:
    """Each attempt of a close is taken and applied late, so the close falls back; a reopen
    queued after it must win: the replay waits for the last late attempt to land first.

    tickets_0, tickets_1 = state.two_tickets()
    state.apply_late(after=2, times=3)
    state.close(resolution='Fixed in #9', ticket=tickets_0)
    state.update_status(status='open', ticket=tickets_0)
    state.checkpoint()
    state.teardown()
    """
    run.create()
    run.arm(Fault("late", after=2, times=ATTEMPTS))
    run.close_ticket(0, "Fixed in #9")
    run.update_status(0, "open")
    check(run)


def test_create_whose_completion_lands_late_links_its_dependency_once(run: Driver) -> None:
    """The create lands late; the retry finds it and completes it with its dependency link,
    which lands late too: the next attempt must wait for that link before it looks again.

    tickets_0, tickets_1 = state.two_tickets()
    state.apply_late(after=2, times=3)
    tickets_2 = state.create_with_dependency(on=tickets_1)
    state.teardown()
    """
    run.create()
    run.create()
    run.arm(Fault("late", after=2, times=ATTEMPTS))
    run.create_with_dependency(1)
    check(run)
