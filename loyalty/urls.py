from django.urls import path

from loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("r/<str:code>/", views.referral_landing, name="referral_landing"),
    path("customers/<int:customer_id>/referral-qr.png", views.referral_qr, name="referral_qr"),
    path("customers/<int:customer_id>/reserve/", views.reserve, name="reserve"),
    path("limited/", views.limited_products, name="limited"),
    path("limited/<int:pk>/announce/", views.announce, name="announce"),
]
