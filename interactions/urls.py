from django.urls import path

from interactions import views

app_name = "interactions"
urlpatterns = [
    path("customers/<int:customer_id>/log/", views.log_interaction, name="log"),
    path("follow-ups/", views.my_follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/done/", views.complete_follow_up, name="complete"),
]
