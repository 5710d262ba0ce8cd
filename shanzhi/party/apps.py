from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "shanzhi.party"
    label = "party"
