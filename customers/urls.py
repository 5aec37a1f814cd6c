from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("reassign/", views.customer_reassign, name="reassign"),
    path("autocomplete/", views.customer_autocomplete, name="autocomplete"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/archive/", views.customer_archive, name="archive"),
    path("<int:pk>/consent/", views.customer_consent, name="consent"),
    path("<int:pk>/merge/", views.customer_merge, name="merge"),
    path("<int:pk>/erase/", views.customer_erase, name="erase"),
]
