from django.urls import path

from engagement import views

app_name = "engagement"
urlpatterns = [
    path("customers/<int:customer_id>/send/", views.send_message, name="send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
urlpatterns += [
    path("care-effect/", views.care_effect, name="care_effect"),
    path("messages/<int:message_id>/response/", views.mark_response, name="mark_response"),
]
