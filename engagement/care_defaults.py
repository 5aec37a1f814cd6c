"""The care occasions' default settings and greetings, in Chinese and English.

Plain data and one function taking the model classes, so that the migration seeding them
(with its historic models) and the tests (after a flush) use the same defaults.
"""

from typing import Any

# (code, channel, lead days, audience, gift budget) of each occasion, and its greeting in
# Chinese and English. Seeded once; a manager changes them in the admin afterwards.
OCCASIONS = [
    ("birthday", "sms", 3, "all", "0"),
    ("spring_festival", "sms", 3, "all", "0"),
    ("lantern", "wechat", 1, "all", "0"),
    ("dragon_boat", "sms", 2, "all", "0"),
    ("mid_autumn", "post", 7, "tiers_ab", "120.00"),
    ("national_day", "sms", 1, "all", "0"),
    ("new_year", "email", 2, "all", "0"),
    ("christmas", "email", 3, "all", "0"),
    ("first_purchase_anniversary", "sms", 3, "returning", "0"),
    ("life_event", "wechat", 3, "all", "0"),
    ("seasonal", "sms", 0, "all", "0"),
]
GREETINGS = {
    "birthday": (
        "{name}，生日快乐！感谢您一直以来的支持，祝您新的一岁平安喜乐。——{owner}",
        "Happy birthday, {name}! Thank you for being with us; all the best for the year ahead. — "
        "{owner}",
    ),
    "spring_festival": (
        "{name}，新春快乐！感谢您过去一年的信任与支持，祝您阖家幸福、万事如意。——{owner}",
        "Happy Spring Festival, {name}! Thank you for your trust this past year; health and "
        "happiness to you and your family. — {owner}",
    ),
    "lantern": (
        "{name}，元宵节快乐！祝您阖家团圆，甜甜蜜蜜。——{owner}",
        "Happy Lantern Festival, {name}! Wishing you a sweet reunion with your family. — {owner}",
    ),
    "dragon_boat": (
        "{name}，端午安康！感谢您一路以来的支持。——{owner}",
        "Wishing you a healthy and peaceful Dragon Boat Festival, {name}. Thank you for your "
        "support. — {owner}",
    ),
    "mid_autumn": (
        "{name}，中秋快乐！月圆人团圆，祝您和家人幸福安康。——{owner}",
        "Happy Mid-Autumn Festival, {name}! May the full moon bring you and your family joy. — "
        "{owner}",
    ),
    "national_day": (
        "{name}，国庆快乐！祝您假期愉快。——{owner}",
        "Happy National Day, {name}! Enjoy the holiday. — {owner}",
    ),
    "new_year": (
        "{name}，新年快乐！感谢您一年来的陪伴，祝您新的一年顺顺利利。——{owner}",
        "Happy New Year, {name}! Thank you for a year together; all the best for the new one. — "
        "{owner}",
    ),
    "christmas": (
        "{name}，圣诞快乐！祝您节日愉快。——{owner}",
        "Merry Christmas, {name}! Season's greetings from all of us. — {owner}",
    ),
    "first_purchase_anniversary": (
        "{name}，今天是您与我们相识{years}周年的日子，感谢您一路相伴！——{owner}",
        "{name}, today is our anniversary: {years} year(s) since your first purchase with us. "
        "Thank you for staying with us! — {owner}",
    ),
    "life_event": (
        "{name}，在这个特别的日子里，送上我们最诚挚的祝福！——{owner}",
        "{name}, congratulations on your special day! Warm wishes from all of us. — {owner}",
    ),
    "seasonal": (
        "{name}，换季时节，请注意保暖、保重身体。如有需要，随时联系我。——{owner}",
        "{name}, as the season changes, please take good care of yourself. Call me any time you "
        "need us. — {owner}",
    ),
}
SUBJECTS = ("{occasion}问候", "{occasion} greetings")
CHANNELS = ("sms", "email", "wechat", "post")


def seed_defaults(occasion_model: Any, template_model: Any) -> None:
    """Create every default occasion and template that is missing; change no existing row."""
    for code, channel, lead_days, audience, budget in OCCASIONS:
        occasion_model.objects.get_or_create(
            code=code,
            defaults={
                "channel": channel, "lead_days": lead_days, "audience": audience,
                "gift_budget": budget, "template_code": f"care_{code}",
            },
        )  # fmt: skip
        for language, body, subject in zip(
            ("zh-hans", "en"), GREETINGS[code], SUBJECTS, strict=True
        ):
            for template_channel in CHANNELS:
                # Only an email has a subject line.
                heading = subject if template_channel == "email" else ""
                template_model.objects.get_or_create(
                    code=f"care_{code}", channel=template_channel, language=language,
                    defaults={"body": body, "subject": heading},
                )  # fmt: skip
