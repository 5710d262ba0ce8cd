from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "shanzhi.ledger"
    label = "ledger"
