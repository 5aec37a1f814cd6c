from django.urls import URLPattern, path

from loyalty import referral_views, tier_views, views

app_name = "loyalty"
urlpatterns: list[URLPattern] = [
    path("", tier_views.loyalty_numbers, name="numbers"),
    path("customers/<int:customer_id>/", views.member_page, name="member"),
    path("customers/<int:customer_id>/redeem/", views.redeem, name="redeem"),
    path("customers/<int:customer_id>/adjust/", views.adjust, name="adjust"),
    path(
        "customers/<int:customer_id>/adjustments/<int:adjustment_id>/",
        views.decide,
        name="decide",
    ),
    path("customers/<int:customer_id>/send-balance/", views.send_balance, name="send_balance"),
    path(
        "customers/<int:customer_id>/send-statement/",
        views.send_statement,
        name="send_statement",
    ),
    path("customers/<int:customer_id>/statement/", views.statement, name="statement"),
    # Referrals and priority purchase.
    path("r/<str:code>/", referral_views.referral_landing, name="referral_landing"),
    path(
        "customers/<int:customer_id>/referral-qr.png",
        referral_views.referral_qr,
        name="referral_qr",
    ),
    path("customers/<int:customer_id>/reserve/", referral_views.reserve, name="reserve"),
    path("limited/", referral_views.limited_products, name="limited"),
    path("limited/<int:pk>/announce/", referral_views.announce, name="announce"),
]
