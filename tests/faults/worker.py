"""``python -m tests.faults.worker [celery worker options]``: a Celery worker of the product's
app, with the Redis transport told to hand a dead worker's unacknowledged tasks to another
after ``FAULTS_VISIBILITY_TIMEOUT`` seconds rather than kombu's hour.

In production a worker that is killed outright (not one of its pool processes: the pool
puts those tasks back at once) gives its task back when the visibility timeout has passed
(an hour by default, and the schedule's next run catches up anyway); a test cannot wait
that long, so the worker that takes over looks for such tasks every second.
"""

import os
import sys

from antifraud.celery import app

if __name__ == "__main__":
    seconds = os.environ.get("FAULTS_VISIBILITY_TIMEOUT")
    if seconds:
        app.conf.broker_transport_options = {
            **(app.conf.broker_transport_options or {}),
            "visibility_timeout": float(seconds),
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
    app.worker_main(["worker", *sys.argv[1:]])
