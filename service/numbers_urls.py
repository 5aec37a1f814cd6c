"""The service numbers' pages, mounted by service.urls."""

from django.urls import path

from service import numbers_views

urlpatterns = [
    path("figures/", numbers_views.figures, name="figures"),
    path("review/", numbers_views.review_page, name="review"),
    path("rd/", numbers_views.rd_report, name="rd_report"),
    path("rd/issues/<int:pk>/fixed/", numbers_views.issue_fixed, name="issue_fixed"),
]
