from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/run/", views.job_run, name="run"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/rejected.csv", views.rejected_csv, name="rejected_csv"),
    path("export/customers/", views.export_customers, name="export_customers"),
    path("export/orders/", views.export_orders, name="export_orders"),
    path("export/customer/<int:pk>/", views.export_customer_data, name="customer_data"),
    path("export/<int:pk>/", views.export_detail, name="export"),
    path("export/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("export/<int:pk>/download/", views.export_download, name="export_download"),
]
