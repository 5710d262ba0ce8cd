from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.index, name="index"),
    path("my/", views.my, name="my"),
    path("my/register/", views.my_register, name="my_register"),
    path("open/", views.open_activities, name="open_activities"),
    path("scan/", views.scan, name="scan"),
    path("store/", views.store_page, name="store"),
    path("store/items/<int:pk>/order/", views.item_order, name="item_order"),
    path("store/orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("store/redeem/", views.redeem_desk, name="redeem_desk"),
    path("store/manage/", views.store_manage, name="store_manage"),
    path("donations/", views.donations, name="donations"),
    path("certificates/issue/", views.certificate_issue, name="certificate_issue"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("verify/", views.verify, name="verify"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/signup/", views.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/desk/", views.desk, name="desk"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("signups/<int:pk>/late/", views.signup_late, name="signup_late"),
    path("signups/<int:pk>/review/", views.signup_review, name="signup_review"),
    path("late/<int:pk>/decide/", views.late_decide, name="late_decide"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("teams/new/", views.team_new, name="team_new"),
    path("volunteers/<int:pk>/verify/", views.volunteer_verify, name="volunteer_verify"),
    path("rankings/", views.rankings, name="rankings"),
    path("exports/hours.xlsx", views.export_hours, name="export_hours"),
    path("exports/points.xlsx", views.export_points, name="export_points"),
]
