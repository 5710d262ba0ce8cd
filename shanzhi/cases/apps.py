from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shanzhi.cases"
    label = "cases"
