"""Words that mean two things in English get the Chinese for the one they mean there."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def chinese(client: Client, path: str) -> str:
    client.cookies["django_language"] = "zh-hans"
    page = client.get(path).content.decode()
    translation.activate("en")
    return page


def test_the_next_birthday_is_not_the_next_page(client: Client, rep: User, make_customer):
    customer = make_customer(rep, birthday=datetime.date(1990, 5, 17))
    for n in range(30):
        make_customer(rep, name=f"客户{n}")
    client.force_login(rep)
    profile = chinese(client, f"/customers/{customer.pk}/")
    assert "下次生日" in profile and "下一页" not in profile
    listing = chinese(client, "/customers/")
    assert "下一页" in listing and "下次生日" not in listing


def test_all_imports_is_the_list_not_an_action(client: Client, rep: User):
    client.force_login(rep)
    upload = io.BytesIO(csv_bytes([["姓名", "手机"], ["张三", "13800138000"]]))
    upload.name = "c.csv"
    response = client.post(reverse("imports:upload"), {"kind": "customers", "file": upload})
    job_page = chinese(client, response["Location"])
    assert "导入记录列表" in job_page and "全部导入" not in job_page
    index = chinese(client, reverse("imports:index"))
    assert "新建" in index  # the column of records an import created
