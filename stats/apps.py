from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "统计"

    def ready(self):
        # Register the refresh task: imports send it by name after each applied import.
        from stats import tasks  # noqa: F401
