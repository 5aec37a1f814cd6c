from django.urls import path

from loyalty import views

app_name = "loyalty"
urlpatterns = [path("", views.loyalty_numbers, name="numbers")]
