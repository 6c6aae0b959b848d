from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = "通报"

    def ready(self):
        from orgs.navigation import Section, register

        register(
            Section("bulletins", "通报", "bulletin_list", "日、周、旬、月、季通报：预览、签发、更正和下载", order=8)
        )
