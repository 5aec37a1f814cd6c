from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("customers/<int:customer_id>/send/", views.send_message, name="send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
urlpatterns += [
    path("today/", views.today, name="today"),
    path("today/customers/<int:customer_id>/log/", views.today_log, name="today_log"),
    path("today/customers/<int:customer_id>/snooze/", views.today_snooze, name="today_snooze"),
]
