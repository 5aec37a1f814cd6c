from django.urls import URLPattern, path

from service import answer_views, gift_views, numbers_urls, survey_views, views

app_name = "service"
urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("tickets/<int:pk>/", views.detail, name="detail"),
    path("tickets/<int:pk>/step/", views.step, name="step"),
    path("customers/<int:customer_id>/new/", views.new, name="new"),
    path("contact/", views.contact, name="contact"),
    path("status/<str:token>/", views.status, name="status"),
    *numbers_urls.urlpatterns,
    # Surveys, standard answers and goodwill gifts (service helper `surveys`).
    path("survey/<str:token>/", survey_views.survey, name="survey"),
    path("answers/", answer_views.answer_list, name="answers"),
    path("answers/new/", answer_views.answer_form, name="answer_new"),
    path("answers/<int:pk>/", answer_views.answer_form, name="answer_edit"),
    path("answers/<int:pk>/reviewed/", answer_views.answer_reviewed, name="answer_reviewed"),
    path("tickets/<int:ticket_id>/answers/", answer_views.answer_picker, name="answer_picker"),
    path(
        "tickets/<int:ticket_id>/answers/<int:pk>/used/",
        answer_views.answer_used,
        name="answer_used",
    ),
    path("gifts/", gift_views.gift_list, name="gifts"),
    path("gifts/<int:pk>/decide/", gift_views.gift_decide, name="gift_decide"),
    path("tickets/<int:ticket_id>/gifts/", gift_views.ticket_gifts, name="ticket_gifts"),
]
