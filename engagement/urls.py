from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("customers/<int:customer_id>/send/", views.send_message, name="send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
