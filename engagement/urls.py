from django.urls import path

from engagement import cadence_views, views

app_name = "engagement"
urlpatterns = [
    path("customers/<int:customer_id>/send/", views.send_message, name="send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("cadences/", cadence_views.cadence_list, name="cadences"),
    path("cadences/new/", cadence_views.cadence_edit, name="cadence_new"),
    path("cadences/<int:pk>/", cadence_views.cadence_edit, name="cadence_edit"),
]
