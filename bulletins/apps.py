from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = "通报"
