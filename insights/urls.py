from django.urls import path

from insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/<int:pk>/follow-up/", views.warning_follow_up, name="warning_follow_up"),
    path("returning/", views.returning, name="returning"),
    path("returning/export/", views.returning_export, name="returning_export"),
    path("tiers/", views.tiers, name="tiers"),
    path("rfm/", views.rfm, name="rfm"),
    path("kpis/", views.kpis, name="kpis"),
    path("backtest/", views.backtest, name="backtest"),
    path("backtest/progress/", views.backtest_progress, name="backtest_progress"),
]
