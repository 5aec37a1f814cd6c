"""The default category tree and the notices' templates, in Chinese and English.

Plain data and one function taking the model classes, so that the migration seeding them
(with its historic models) and the tests (after a flush) use the same defaults.
"""

from typing import Any

# (code, English name, Chinese name, parent code) of the seeded category tree; a manager
# changes it in the admin afterwards.
CATEGORIES = [
    ("quality", "Quality", "质量", ""),
    ("quality-defect", "Defect", "瑕疵", "quality"),
    ("quality-damage", "Damaged in transit", "运输破损", "quality"),
    ("delivery", "Delivery", "配送", ""),
    ("delivery-late", "Late delivery", "延迟送达", "delivery"),
    ("price", "Price", "价格", ""),
    ("attitude", "Service attitude", "服务态度", ""),
    ("after-sales", "After-sales", "售后", ""),
]
# The notices of the workflow: {occasion} is the ticket number, {owner} the case owner.
APOLOGY = "ticket-apology"
NEW_OWNER = "ticket-owner"
TEMPLATES = {
    APOLOGY: (
        ("工单{occasion}已受理", "Your case {occasion}"),
        (
            "{name}，您好！非常抱歉给您带来不便，您的问题（工单{occasion}）已由{owner}负责跟进，"
            "我们会尽快给您答复。",
            "Dear {name}, we are sorry for the trouble. Your case {occasion} is in the hands of "
            "{owner}, who will come back to you soon.",
        ),
    ),
    NEW_OWNER: (
        ("工单{occasion}负责人变更", "Your case {occasion} has a new owner"),
        (
            "{name}，您好！您的问题（工单{occasion}）现由{owner}负责，有任何情况可直接联系{owner}。",
            "Dear {name}, your case {occasion} is now in the hands of {owner}, who is your "
            "contact from now on.",
        ),
    ),
}
CHANNELS = ("sms", "email")


def seed_defaults(category_model: Any, template_model: Any) -> None:
    """Create every default category and template that is missing; change no existing row."""
    for code, name, name_zh, parent_code in CATEGORIES:
        parent = category_model.objects.get(code=parent_code) if parent_code else None
        category_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_zh": name_zh, "parent": parent}
        )
    for code, (subjects, bodies) in TEMPLATES.items():
        for language, subject, body in zip(("zh-hans", "en"), subjects, bodies, strict=True):
            for channel in CHANNELS:
                # Only an email has a subject line.
                template_model.objects.get_or_create(
                    code=code, channel=channel, language=language,
                    defaults={"body": body, "subject": subject if channel == "email" else ""},
                )  # fmt: skip
