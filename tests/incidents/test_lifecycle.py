"""The incident lifecycle of docs/lifecycle.md: every move, what each needs, who may make
it, the timeline and audit it leaves, and conflicts between two staff (issue 5)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from incidents.models import Alert, Comment, Incident, IncidentEvent
from incidents.queries import violation_counts
from incidents.services import filing, lifecycle, records
from observation.models import AuditEntry
from tests.factories import make_district, make_election, make_user, running_now
from tests.incidents.conftest import file_incident
from tests.incidents.triage_support import NOTES, S, incident_in

pytestmark = pytest.mark.django_db

ALL = list(S.values)


def _attempt(world, incident, to):
    kwargs = {"note": NOTES.get(to, "")}
    if to == S.DUPLICATE:
        kwargs["duplicate_of"] = file_incident(world)
    return lifecycle.incident_transition(
        actor=world.user("headoffice"), incident=incident, to=to, **kwargs
    )


@pytest.mark.parametrize("to", ALL)
@pytest.mark.parametrize("start", ALL)
def test_every_move_is_allowed_exactly_as_the_lifecycle_says(world, start, to):
    incident = incident_in(world, start)
    events = incident.events.count()
    if to in lifecycle.TRANSITIONS[start]:
        moved = _attempt(world, incident, to)
        assert moved.status == to
        assert Incident.objects.get(pk=incident.pk).status == to
        assert incident.events.count() > events
    else:
        with pytest.raises(ValidationError):
            _attempt(world, incident, to)
        assert Incident.objects.get(pk=incident.pk).status == start
        assert incident.events.count() == events


def test_the_lifecycle_has_the_moves_of_the_design():
    t = lifecycle.TRANSITIONS
    assert t[S.SUBMITTED] == {S.IN_REVIEW, S.DUPLICATE}
    assert t[S.IN_REVIEW] == {S.VERIFIED, S.NEEDS_INFO, S.REJECTED, S.DUPLICATE}
    assert t[S.NEEDS_INFO] == {S.IN_REVIEW, S.DUPLICATE}
    assert t[S.VERIFIED] == {S.ESCALATED, S.DUPLICATE}
    assert t[S.ESCALATED] == {S.CLOSED, S.DUPLICATE}
    assert t[S.DUPLICATE] == set()
    assert all(S.DUPLICATE in targets for s, targets in t.items() if s != S.DUPLICATE)


def test_an_illegal_move_says_where_the_incident_can_go(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_transition(
            actor=world.user("headoffice"), incident=incident, to=S.VERIFIED
        )
    message = refused.value.message_dict["to"][0]
    assert "Submitted" in message and "Verified" in message and "In review" in message


def test_an_unknown_status_is_refused(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_transition(actor=world.user("headoffice"), incident=incident, to="gone")
    assert "to" in refused.value.message_dict


def test_a_transition_writes_the_event_the_audit_entry_and_raises_the_version(world):
    incident = incident_in(world, S.SUBMITTED)
    moved = lifecycle.incident_transition(
        actor=world.user("headoffice"), incident=incident, to=S.IN_REVIEW, note="Looking."
    )
    assert moved.version == incident.version + 1
    event = incident.events.get(kind=IncidentEvent.Kind.TRANSITION)
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        world.user("headoffice"),
        S.SUBMITTED,
        S.IN_REVIEW,
        "Looking.",
    )
    entry = AuditEntry.objects.get(action="incident.transition", object_id=str(incident.pk))
    assert entry.actor == world.user("headoffice")
    assert entry.data["from"] == S.SUBMITTED and entry.data["to"] == S.IN_REVIEW


def test_rejecting_needs_a_reason(world):
    incident = incident_in(world, S.IN_REVIEW)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_transition(
            actor=world.user("headoffice"), incident=incident, to=S.REJECTED, note="  "
        )
    assert "note" in refused.value.message_dict
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


def test_asking_the_observer_needs_a_question_which_the_observer_sees(world, client):
    incident = incident_in(world, S.IN_REVIEW)
    with pytest.raises(ValidationError):
        lifecycle.incident_transition(
            actor=world.user("headoffice"), incident=incident, to=S.NEEDS_INFO
        )
    lifecycle.incident_transition(
        actor=world.user("headoffice"),
        incident=incident,
        to=S.NEEDS_INFO,
        note="Which school exactly?",
    )
    question = Comment.objects.get(incident=incident)
    assert question.visibility == Comment.Visibility.QUESTION_TO_LTO
    client.force_login(world.user("lto_bishkek"))
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Which school exactly?" in page


def test_escalating_through_a_transition_needs_a_reason(world):
    incident = incident_in(world, S.VERIFIED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_transition(
            actor=world.user("headoffice"), incident=incident, to=S.ESCALATED
        )
    assert "reason" in refused.value.message_dict


# --- duplicates -----------------------------------------------------------------------------


def _mark(world, incident, original, **kwargs):
    return lifecycle.incident_transition(
        actor=world.user("headoffice"),
        incident=incident,
        to=S.DUPLICATE,
        duplicate_of=original,
        **kwargs,
    )


def test_a_duplicate_needs_an_original(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_transition(
            actor=world.user("headoffice"), incident=incident, to=S.DUPLICATE
        )
    assert "duplicate_of" in refused.value.message_dict


def test_an_incident_cannot_duplicate_itself(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError, match="itself"):
        _mark(world, incident, incident)


def test_the_original_must_be_of_the_same_election(world):
    other_election = make_election(**running_now())
    other_district = make_district(other_election, code="OTH")
    outsider = make_user("lto", districts=[other_district])
    foreign = filing.incident_file(
        actor=outsider,
        id=__import__("uuid").uuid4(),
        district=other_district,
        kind="vote_buying",
        occurred_at=file_incident(world).occurred_at,
        location="Elsewhere",
        description="Elsewhere",
        source="media",
        details={"offered": "money", "offered_by": "unknown"},
    )[0]
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError, match="another election"):
        _mark(world, incident, foreign)


def test_a_duplicate_cannot_point_at_a_duplicate(world):
    original = incident_in(world, S.SUBMITTED)
    first = _mark(world, incident_in(world, S.SUBMITTED), original)
    with pytest.raises(ValidationError) as refused:
        _mark(world, incident_in(world, S.SUBMITTED), first)
    assert original.ref in refused.value.message_dict["duplicate_of"][0]


def test_a_rejected_report_is_not_an_original(world):
    rejected = incident_in(world, S.REJECTED)
    with pytest.raises(ValidationError, match="rejected"):
        _mark(world, incident_in(world, S.SUBMITTED), rejected)


def test_marking_the_original_itself_a_duplicate_repoints_its_duplicates(world):
    a, b, c = (incident_in(world, S.SUBMITTED) for _ in range(3))
    _mark(world, a, b)
    _mark(world, b, c)
    assert Incident.objects.get(pk=a.pk).duplicate_of_id == c.pk
    assert Incident.objects.get(pk=b.pk).duplicate_of_id == c.pk
    assert IncidentEvent.objects.filter(incident=a, kind=IncidentEvent.Kind.EDITED).exists()


def test_two_incidents_cannot_become_duplicates_of_each_other(world):
    a, b = incident_in(world, S.SUBMITTED), incident_in(world, S.SUBMITTED)
    _mark(world, a, b)
    with pytest.raises(ValidationError):
        _mark(world, b, a)


def test_a_duplicate_counts_once(world):
    in_period = {"occurred_at": timezone.make_aware(dt.datetime(2021, 6, 25, 12))}
    original = incident_in(world, S.VERIFIED, **in_period)
    _mark(world, incident_in(world, S.SUBMITTED, **in_period), original)
    _mark(world, incident_in(world, S.IN_REVIEW, **in_period), original)
    assert violation_counts(world.election)["total"] == 1


# --- roles ----------------------------------------------------------------------------------

ROLES = ["lto_bishkek", "coordinator_bishkek", "headoffice", "legal", "analyst", "admin"]
TRIAGERS = {"headoffice", "admin"}
COMMENTERS = {"headoffice", "admin", "legal"}


def _act(world, action, user):
    actor = world.user(user)
    if action == "transition":
        incident = incident_in(world, S.SUBMITTED)
        lifecycle.incident_transition(actor=actor, incident=incident, to=S.IN_REVIEW)
    elif action == "assign":
        incident = incident_in(world, S.SUBMITTED)
        lifecycle.incident_assign(actor=actor, incident=incident, assignee=world.user("legal"))
    elif action == "severity":
        incident = incident_in(world, S.SUBMITTED)
        lifecycle.incident_set_severity(actor=actor, incident=incident, severity="serious")
    elif action == "comment":
        incident = incident_in(world, S.SUBMITTED)
        lifecycle.incident_comment(actor=actor, incident=incident, body="A note")
    elif action == "question":
        incident = incident_in(world, S.IN_REVIEW)
        lifecycle.incident_comment(
            actor=actor, incident=incident, body="Where?", visibility="question_to_lto"
        )
    elif action == "escalate":
        from incidents.services.escalation import incident_escalate

        incident = incident_in(world, S.VERIFIED)
        incident_escalate(actor=actor, incident=incident, reason="Serious")


ACTIONS = {
    "transition": TRIAGERS,
    "assign": TRIAGERS,
    "severity": TRIAGERS,
    "comment": COMMENTERS,
    "question": TRIAGERS,
    "escalate": TRIAGERS,
}


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix_of_the_services(world, action, user):
    if user in ACTIONS[action]:
        _act(world, action, user)
    else:
        with pytest.raises(PermissionDenied):
            _act(world, action, user)


# --- concurrent edits -----------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    incident = incident_in(world, S.IN_REVIEW)
    seen = incident.version
    lifecycle.incident_assign(
        actor=world.user("admin"), incident=incident, assignee=world.user("legal")
    )
    with pytest.raises(lifecycle.IncidentVersionConflict) as conflict:
        lifecycle.incident_transition(
            actor=world.user("headoffice"),
            incident=incident,
            to=S.VERIFIED,
            expected_version=seen,
        )
    assert conflict.value.current_version == seen + 1
    assert incident.ref in str(conflict.value)
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


def test_the_update_itself_refuses_a_row_changed_under_it(world):
    """The guard that holds where the row lock does not (SQLite): UPDATE … WHERE
    version = n touches nothing when the row moved on."""
    incident = incident_in(world, S.IN_REVIEW)
    stale = Incident.objects.get(pk=incident.pk)
    lifecycle.incident_set_severity(
        actor=world.user("headoffice"), incident=incident, severity="serious"
    )
    with pytest.raises(lifecycle.IncidentVersionConflict):
        records.save_incident(stale, status=S.VERIFIED)
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_one_wins_the_other_gets_a_conflict(world):
    incident = incident_in(world, S.IN_REVIEW)
    seen = incident.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user: str, to: str, note: str) -> None:
        try:
            barrier.wait()
            lifecycle.incident_transition(
                actor=world.user(user), incident=incident, to=to, note=note, expected_version=seen
            )
            outcomes[user] = "saved"
        except lifecycle.IncidentVersionConflict:
            outcomes[user] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("headoffice", S.VERIFIED, "")),
        threading.Thread(target=decide, args=("admin", S.REJECTED, "No.")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    final = Incident.objects.get(pk=incident.pk)
    assert final.version == seen + 1
    assert (
        final.events.filter(kind=IncidentEvent.Kind.TRANSITION, from_status=S.IN_REVIEW).count()
        == 1
    )


# --- assign, severity, comments, answers ------------------------------------------------------


def test_incidents_are_assigned_to_head_office_or_legal_only(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_assign(
            actor=world.user("headoffice"), incident=incident, assignee=world.user("lto_bishkek")
        )
    assert "assignee" in refused.value.message_dict
    saved = lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=incident, assignee=world.user("legal")
    )
    assert saved.assignee == world.user("legal")
    assert incident.events.filter(kind=IncidentEvent.Kind.ASSIGNED).count() == 1


def test_assigning_to_the_same_person_again_writes_nothing(world):
    incident = incident_in(world, S.SUBMITTED)
    first = lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=incident, assignee=world.user("legal")
    )
    again = lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=first, assignee=world.user("legal")
    )
    assert again.version == first.version
    assert incident.events.filter(kind=IncidentEvent.Kind.ASSIGNED).count() == 1


def test_an_unknown_severity_is_refused(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_set_severity(
            actor=world.user("headoffice"), incident=incident, severity="apocalyptic"
        )
    assert "severity" in refused.value.message_dict


def test_marking_serious_alerts_head_office_once(world):
    incident = incident_in(world, S.SUBMITTED)
    head_office = world.user("headoffice")
    lifecycle.incident_set_severity(actor=head_office, incident=incident, severity="serious")
    lifecycle.incident_set_severity(actor=head_office, incident=incident, severity="normal")
    lifecycle.incident_set_severity(actor=head_office, incident=incident, severity="serious")
    assert Alert.objects.filter(incident=incident, kind=Alert.Kind.SERIOUS).count() == 1


def test_an_empty_comment_is_refused(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_comment(actor=world.user("legal"), incident=incident, body=" ")
    assert "body" in refused.value.message_dict


def test_legal_expert_comments_and_recommends(world):
    incident = incident_in(world, S.VERIFIED)
    comment = lifecycle.incident_comment(
        actor=world.user("legal"), incident=incident, body="Article 51.", recommendation="escalated"
    )
    assert comment.visibility == Comment.Visibility.INTERNAL
    event = incident.events.get(kind=IncidentEvent.Kind.COMMENT)
    assert event.data["recommendation"] == "escalated"
    assert Incident.objects.get(pk=incident.pk).status == S.VERIFIED


def test_an_unknown_recommendation_is_refused(world):
    incident = incident_in(world, S.VERIFIED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_comment(
            actor=world.user("legal"), incident=incident, body="x", recommendation="burn it"
        )
    assert "recommendation" in refused.value.message_dict


def test_a_question_to_the_observer_moves_it_to_needs_info(world):
    incident = incident_in(world, S.IN_REVIEW)
    lifecycle.incident_comment(
        actor=world.user("headoffice"),
        incident=incident,
        body="Where?",
        visibility="question_to_lto",
    )
    assert Incident.objects.get(pk=incident.pk).status == S.NEEDS_INFO


def test_a_follow_up_question_keeps_it_waiting(world):
    incident = incident_in(world, S.NEEDS_INFO)
    lifecycle.incident_comment(
        actor=world.user("headoffice"),
        incident=incident,
        body="And when?",
        visibility="question_to_lto",
    )
    assert Incident.objects.get(pk=incident.pk).status == S.NEEDS_INFO
    assert incident.comments.filter(visibility="question_to_lto").count() == 2


def test_no_question_before_the_review_starts(world):
    incident = incident_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        lifecycle.incident_comment(
            actor=world.user("headoffice"),
            incident=incident,
            body="Where?",
            visibility="question_to_lto",
        )
    assert "visibility" in refused.value.message_dict


def _answer(world, incident):
    question = incident.comments.filter(
        visibility="question_to_lto", answered_at__isnull=True
    ).earliest("created_at", "id")
    return filing.question_answer(
        actor=world.user("lto_bishkek"), question=question, body="School No. 5, 10 am."
    )


def test_answering_through_the_observers_service_puts_it_back_in_review(world):
    incident = incident_in(world, S.NEEDS_INFO)
    _answer(world, incident)
    incident.refresh_from_db()
    assert incident.status == S.IN_REVIEW
    assert Alert.objects.filter(incident=incident, kind=Alert.Kind.ANSWER).count() == 1


def test_the_observers_answer_puts_it_back_in_review_and_alerts_once(world):
    incident = incident_in(world, S.NEEDS_INFO)
    answer = _answer(world, incident)
    lifecycle.incident_answer_received(incident=incident, comment=answer)
    lifecycle.incident_answer_received(incident=incident, comment=answer)
    incident.refresh_from_db()
    assert incident.status == S.IN_REVIEW
    moves = incident.events.filter(from_status=S.NEEDS_INFO, to_status=S.IN_REVIEW)
    assert moves.count() == 1 and moves.get().actor == world.user("lto_bishkek")
    assert Alert.objects.filter(incident=incident, kind=Alert.Kind.ANSWER).count() == 1


def test_with_a_question_still_open_the_answer_only_alerts(world):
    incident = incident_in(world, S.NEEDS_INFO)
    lifecycle.incident_comment(
        actor=world.user("headoffice"),
        incident=incident,
        body="Also?",
        visibility="question_to_lto",
    )
    answer = _answer(world, incident)
    lifecycle.incident_answer_received(incident=incident, comment=answer)
    assert Incident.objects.get(pk=incident.pk).status == S.NEEDS_INFO
    assert Alert.objects.filter(kind=Alert.Kind.ANSWER).count() == 1
