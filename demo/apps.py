from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (江临市) and its records: fictional, deterministic for a seed.

    It sits at the top of the dependency graph (it may use every app, nothing uses it),
    because it writes records through the same bulk path as imports."""

    name = "demo"
    verbose_name = "演示数据"
