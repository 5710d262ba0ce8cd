from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "shanzhi.consultation"
    label = "consultation"
