import uuid

import pytest


@pytest.fixture
def broker():
    """Tasks go through Redis to real workers here (the rest of the suite runs them
    in-process); yields a queue name of the test's own."""
    from antifraud.celery import app

    app.conf.task_always_eager = False
    yield f"fault-{uuid.uuid4().hex[:8]}"
    app.conf.task_always_eager = True
