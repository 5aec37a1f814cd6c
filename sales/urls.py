from django.urls import path

from sales import views

app_name = "sales"
urlpatterns = [
    path("customers/<int:customer_id>/orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/refund/", views.order_refund, name="order_refund"),
    path("orders/<int:pk>/reinstate/", views.order_reinstate, name="order_reinstate"),
]
