"""Channel adapters: one interface, one adapter per way a message leaves the building.

An adapter takes an Outbound (what to send, to which address) and returns what the
provider said (its reference and the cost) or raises SendError. Email goes through Django's
mail framework to SMTP, SMS through Tencent Cloud SMS; either goes to the local sink
(SinkMessage, readable in the admin) when its provider is not configured.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111 import sms_client

from core.channels import Channel
from engagement.models import SinkMessage


class SendError(Exception):
    """The provider did not take the message; `permanent` when trying again cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outbound:
    message_id: int
    key: str  # the idempotency key, passed to providers that echo a context
    to: str
    subject: str
    body: str
    template: str = ""
    params: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    provider_ref: str = ""
    cost: Decimal = Decimal(0)


class Adapter(Protocol):
    def send(self, outbound: Outbound, /) -> Receipt: ...


class SinkAdapter:
    """Keep the message in the local sink instead of sending it."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, outbound: Outbound) -> Receipt:
        sink = SinkMessage.objects.create(
            channel=self.channel, to=outbound.to, subject=outbound.subject,
            body=outbound.body, message_id=outbound.message_id,
        )  # fmt: skip
        return Receipt(provider_ref=f"sink:{sink.pk}")


class EmailAdapter:
    """Send through Django's configured mail backend (SMTP in production)."""

    def send(self, outbound: Outbound) -> Receipt:
        email = EmailMessage(
            subject=outbound.subject, body=outbound.body, from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outbound.to], headers={"X-Huitou-Message": outbound.key, **outbound.headers},
            connection=get_connection(fail_silently=False),
        )  # fmt: skip
        try:
            email.send()
        except (OSError, ValueError) as error:
            raise SendError(f"email: {type(error).__name__}: {error}") from None
        return Receipt()


class TencentSmsAdapter:
    """Send through Tencent Cloud SMS: an approved template, its parameters, the signature."""

    def send(self, outbound: Outbound) -> Receipt:
        template_id = settings.TENCENT_SMS_TEMPLATES.get(outbound.template)
        if not template_id:
            raise SendError(f"sms: no Tencent template for {outbound.template!r}", permanent=True)
        http = HttpProfile(
            protocol=settings.TENCENT_SMS_SCHEME, endpoint=settings.TENCENT_SMS_ENDPOINT,
            reqTimeout=30,
        )  # fmt: skip
        client = sms_client.SmsClient(
            credential.Credential(settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY),
            settings.TENCENT_SMS_REGION,
            ClientProfile(httpProfile=http),
        )
        request = sms_models.SendSmsRequest()
        request.from_json_string(
            json.dumps({
                "PhoneNumberSet": [_e164(outbound.to)],
                "SmsSdkAppId": settings.TENCENT_SMS_APP_ID,
                "SignName": settings.TENCENT_SMS_SIGN_NAME,
                "TemplateId": template_id,
                "TemplateParamSet": outbound.params,
                "SessionContext": outbound.key,
            })
        )  # fmt: skip
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as error:
            raise SendError(f"sms: {error.get_code()}: {error.get_message()}") from None
        status = (response.SendStatusSet or [None])[0]
        if status is None or status.Code != "Ok":
            code = "no status" if status is None else f"{status.Code}: {status.Message}"
            raise SendError(f"sms: {code}")
        return Receipt(status.SerialNo or "", Decimal(status.Fee or 0) * settings.SMS_UNIT_PRICE)


def _e164(mobile: str) -> str:
    """Return a stored mobile in the +E.164 form Tencent wants (China's are stored bare)."""
    return mobile if mobile.startswith("+") else f"+86{mobile}"


def adapter_for(channel: str) -> Adapter:
    """Return the adapter for an automatic channel: the provider, or the sink without one."""
    if channel == Channel.EMAIL:
        return EmailAdapter() if settings.EMAIL_HOST else SinkAdapter(channel)
    if channel == Channel.SMS:
        return TencentSmsAdapter() if settings.TENCENT_SMS_SECRET_ID else SinkAdapter(channel)
    raise ValueError(f"{channel} is not sent by a machine")
