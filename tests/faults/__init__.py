"""Fault tests against the real stack (PostgreSQL, Redis, Celery workers, gunicorn): what
happens when a worker dies, Redis stops or PostgreSQL restarts, and a backup round trip.
They run only with DATABASE_URL on PostgreSQL and REDIS_URL set (CI's second run)."""
