from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "shanzhi.disclosure"
    label = "disclosure"
