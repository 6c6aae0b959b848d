"""A page of task cards stays cheap however many tasks it shows: cards alike share one
rendering of their forms, each with its own task's id put in, exactly as if rendered on
its own; and the queue reads the database a fixed number of times."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from earlywarnings import services
from earlywarnings.models import WarningTask
from earlywarnings.views.common import CardActions, Targets, attempts_prefetch, task_card
from tests.earlywarnings.test_pages import HOUR, ago, handled, signed
from tests.factories import WarningTaskFactory


def attempted(task, user, method: str) -> WarningTask:
    task = signed(task, user)
    services.warning_attempt_add(task=task, user=user, method=method, note="电话未接通")
    return task


def tasks_of(user):
    return (
        WarningTask.objects.for_user(user).select_related("station", "fraud_type").prefetch_related(attempts_prefetch())
    )


def one_by_one(actions: CardActions, task: WarningTask, user) -> str:
    """The card's forms rendered for it alone, as the task's own page does."""
    card = task_card(task, user=user, targets=Targets())
    return render_to_string("earlywarnings/_actions.html", {"card": card, "here": actions.here,
                                                           "csrf_token": actions.token})  # fmt: skip


@pytest.mark.parametrize("here", ["/warnings/", "/warnings/?station=XA&page=1"])
def test_cards_alike_share_their_forms_each_with_its_own_task(tree, here):
    officer = tree.officer_a
    WarningTaskFactory(station=tree.station_a)
    WarningTaskFactory(station=tree.station_a, level="low")
    signed(WarningTaskFactory(station=tree.station_a), officer)
    signed(WarningTaskFactory(station=tree.station_a), officer)
    attempted(WarningTaskFactory(station=tree.station_a), officer, "sms")
    attempted(WarningTaskFactory(station=tree.station_a), officer, "visit")
    request = RequestFactory().get(here)
    request.user = officer
    actions = CardActions(request, here=here, targets=Targets())

    tasks = list(tasks_of(officer).open())
    shared = {task.pk: actions.card(task).actions for task in tasks}

    assert len(tasks) == 6
    for task in tasks:
        assert shared[task.pk] == one_by_one(actions, task, officer)
        assert f'id="t{task.pk}_transfer_to_unit"' in shared[task.pk]
    assert sum(f'action="{reverse("warning_sign", args=[t.pk])}"' in shared[t.pk] for t in tasks) == 2
    visited = next(t for t in tasks if [a.method for a in t.attempts.all()] == ["visit"])
    assert f'value="visit" id="t{visited.pk}_attempt_method_2" checked' in shared[visited.pk]  # offered again


def test_the_reviewers_cards_share_their_forms_too(tree):
    reviewer = tree.reviewer_x
    for station in (tree.station_a, tree.station_a, tree.station_b):
        handled(WarningTaskFactory(station=station), tree.officer_a if station == tree.station_a else tree.officer_b)
    request = RequestFactory().get("/warnings/review/")
    request.user = reviewer
    actions = CardActions(request, here="/warnings/review/", targets=Targets())

    for task in tasks_of(reviewer):
        assert actions.card(task).actions == one_by_one(actions, task, reviewer)
        assert 'data-action="accept"' in actions.card(task).actions


def test_the_queue_reads_a_fixed_number_of_queries_however_many_tasks(tree, client, django_assert_max_num_queries):
    client.force_login(tree.officer_a)
    officer = tree.officer_a
    WarningTaskFactory(station=tree.station_a)
    attempted(WarningTaskFactory(station=tree.station_a), officer, "phone")
    handled(WarningTaskFactory(station=tree.station_a), officer)  # handled today
    with django_assert_max_num_queries(QUEUE_QUERIES) as few:
        assert client.get(reverse("warning_queue")).status_code == 200

    for i in range(12):
        task = WarningTaskFactory(station=tree.station_a, issued_at=ago(hours=i))
        if i % 3:
            attempted(task, officer, ("phone", "sms", "visit")[i % 3])
        handled(WarningTaskFactory(station=tree.station_a, issued_at=ago(hours=i) - HOUR), officer)
    with django_assert_max_num_queries(QUEUE_QUERIES) as many:
        response = client.get(reverse("warning_queue"))

    assert len(response.context["cards"]) == 14
    assert len(many) == len(few)


# Session, user, permissions (two), unit; the open tasks' count and overdue count (one
# query), the page of them, their contact attempts, the tasks handled today; where the
# station's tasks may be transferred (its county, then the county's stations); unread
# notifications for the navigation.
QUEUE_QUERIES = 12
