from django.urls import path

from service import numbers_urls, views

app_name = "service"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/<int:pk>/", views.detail, name="detail"),
    path("tickets/<int:pk>/step/", views.step, name="step"),
    path("customers/<int:customer_id>/new/", views.new, name="new"),
    path("contact/", views.contact, name="contact"),
    path("status/<str:token>/", views.status, name="status"),
    *numbers_urls.urlpatterns,
]
