from django.urls import path

from sales import views

app_name = "sales"
urlpatterns = [
    path("customers/<int:customer_id>/orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/status/", views.order_status, name="order_status"),
]
