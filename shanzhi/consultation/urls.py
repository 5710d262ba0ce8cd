app_name = "consultation"
urlpatterns: list = []
