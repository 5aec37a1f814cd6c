from django.urls import path

from engagement import cadence_views, campaign_views, views

app_name = "engagement"
urlpatterns = [
    path("customers/<int:customer_id>/send/", views.send_message, name="send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("cadences/", cadence_views.cadence_list, name="cadences"),
    path("cadences/new/", cadence_views.cadence_edit, name="cadence_new"),
    path("cadences/<int:pk>/", cadence_views.cadence_edit, name="cadence_edit"),
]
urlpatterns += [
    path("care/", views.care_calendar, name="care_calendar"),
    path(
        "customers/<int:customer_id>/care/<slug:occasion>/<str:day>/send/",
        views.send_care,
        name="care_send",
    ),
    path("customers/<int:customer_id>/life-events/", views.add_life_event, name="life_event_add"),
    path("life-events/<int:pk>/delete/", views.delete_life_event, name="life_event_delete"),
]
urlpatterns += [path("care/seasonal/", views.send_seasonal_care, name="care_seasonal")]
urlpatterns += [
    path("today/", views.today, name="today"),
    path("today/customers/<int:customer_id>/log/", views.today_log, name="today_log"),
    path("today/customers/<int:customer_id>/snooze/", views.today_snooze, name="today_snooze"),
    path("care-effect/", views.care_effect, name="care_effect"),
    path("messages/<int:message_id>/response/", views.mark_response, name="mark_response"),
]
urlpatterns += [
    path("segments/", campaign_views.segment_list, name="segments"),
    path("segments/new/", campaign_views.segment_edit, name="segment_new"),
    path("segments/<int:pk>/", campaign_views.segment_edit, name="segment_edit"),
    path("segments/preview/", campaign_views.segment_preview, name="segment_preview"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path(
        "campaigns/<int:pk>/progress/", campaign_views.campaign_progress, name="campaign_progress"
    ),
    path(
        "campaigns/<int:pk>/<str:action>/",
        campaign_views.campaign_action,
        name="campaign_action",
    ),
]
