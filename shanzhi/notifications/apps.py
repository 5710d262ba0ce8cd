from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shanzhi.notifications"
    label = "notifications"
