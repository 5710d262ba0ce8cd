from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "shanzhi.volunteering"
    label = "volunteering"
