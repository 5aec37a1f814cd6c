"""Which fields a file may fill, what their columns are usually called, and the proposal."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customers.extensions import creation_fields
from imports.models import Kind


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str | Promise
    required: bool = False
    # Header spellings, compared after lower-casing and dropping spaces and punctuation.
    aliases: tuple[str, ...] = ()


CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", _("Huitou ID"), aliases=("huitouid", "huitou编号", "系统编号", "客户id")),
    FieldSpec(
        "external_id",
        _("External ID"),
        aliases=(
            "externalid",
            "外部编号",
            "外部id",
            "客户编号",
            "会员号",
            "会员编号",
            "customerno",
            "memberno",
        ),
    ),
    FieldSpec(
        "name",
        _("Name"),
        required=True,
        aliases=(
            "name",
            "姓名",
            "客户名称",
            "客户姓名",
            "名称",
            "fullname",
            "customername",
            "customer",
        ),
    ),
    FieldSpec("kind", _("Type"), aliases=("type", "kind", "类型", "客户类型")),
    FieldSpec("gender", _("Gender"), aliases=("gender", "sex", "性别")),
    FieldSpec(
        "mobile",
        _("Mobile"),
        aliases=(
            "mobile",
            "phone",
            "mobilephone",
            "cellphone",
            "tel",
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "联系电话",
        ),
    ),
    FieldSpec(
        "email", _("Email"), aliases=("email", "e-mail", "mail", "邮箱", "电子邮件", "电子邮箱")
    ),
    FieldSpec("wechat_id", _("WeChat ID"), aliases=("wechat", "wechatid", "微信", "微信号")),
    FieldSpec(
        "company",
        _("Company"),
        aliases=("company", "organisation", "organization", "公司", "单位", "公司名称"),
    ),
    FieldSpec("title", _("Job title"), aliases=("title", "jobtitle", "职位", "职务")),
    FieldSpec(
        "birthday",
        _("Birthday"),
        aliases=("birthday", "birthdate", "dateofbirth", "dob", "生日", "出生日期"),
    ),
    FieldSpec("region", _("Region"), aliases=("region", "province", "地区", "区域", "省份", "省")),
    FieldSpec("city", _("City"), aliases=("city", "城市", "市")),
    FieldSpec("address", _("Address"), aliases=("address", "地址", "详细地址")),
    FieldSpec(
        "source_channel",
        _("Source channel"),
        aliases=("source", "sourcechannel", "channel", "来源", "来源渠道", "渠道"),
    ),
    FieldSpec("language", _("Language"), aliases=("language", "lang", "语言", "客户语言")),
    FieldSpec("time_zone", _("Time zone"), aliases=("timezone", "tz", "时区")),
    FieldSpec(
        "owner",
        _("Owner (username)"),
        aliases=("owner", "ownerusername", "负责人", "归属销售", "销售", "所属销售"),
    ),
    FieldSpec("tags", _("Tags"), aliases=("tags", "tag", "标签")),
    FieldSpec("notes", _("Notes"), aliases=("notes", "note", "remarks", "comment", "备注")),
)

ORDER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "number",
        _("Order number"),
        required=True,
        aliases=(
            "orderno",
            "ordernumber",
            "order",
            "orderid",
            "number",
            "订单号",
            "订单编号",
            "单号",
        ),
    ),
    FieldSpec(
        "customer_external_id",
        _("Customer external ID"),
        aliases=(
            "customerexternalid",
            "externalid",
            "customerid",
            "customerno",
            "外部编号",
            "客户编号",
            "会员号",
            "会员编号",
        ),
    ),
    FieldSpec(
        "customer_mobile",
        _("Customer mobile"),
        aliases=(
            "customermobile",
            "mobile",
            "phone",
            "手机",
            "手机号",
            "手机号码",
            "客户手机",
            "电话",
        ),
    ),
    FieldSpec(
        "customer_name",
        _("Customer name (creates a new customer)"),
        aliases=("customername", "name", "customer", "姓名", "客户名称", "客户姓名", "客户"),
    ),
    FieldSpec(
        "ordered_on",
        _("Order date"),
        required=True,
        aliases=(
            "date",
            "orderdate",
            "orderedon",
            "purchasedate",
            "日期",
            "订单日期",
            "下单日期",
            "购买日期",
        ),
    ),
    FieldSpec(
        "product",
        _("Product (SKU or name)"),
        aliases=(
            "sku",
            "product",
            "productsku",
            "item",
            "商品",
            "商品编码",
            "商品编号",
            "产品",
            "sku编码",
            "货号",
        ),
    ),
    FieldSpec("quantity", _("Quantity"), aliases=("quantity", "qty", "数量", "件数")),
    FieldSpec(
        "amount",
        _("Amount"),
        required=True,
        aliases=("amount", "total", "price", "金额", "订单金额", "实付金额", "总金额", "合计"),
    ),
    FieldSpec("status", _("Status"), aliases=("status", "状态", "订单状态")),
    FieldSpec("channel", _("Channel"), aliases=("channel", "saleschannel", "渠道", "销售渠道")),
)

FIELDS: Mapping[str, tuple[FieldSpec, ...]] = {
    Kind.CUSTOMERS: CUSTOMER_FIELDS,
    Kind.ORDERS: ORDER_FIELDS,
}

_NOISE = re.compile(r"[\s_\-.:：()（）/*#]+")


def header_key(header: str) -> str:
    """Return a header reduced for matching: lower case, no spaces or punctuation."""
    return _NOISE.sub("", header.strip().lower())


def fields_for(kind: str) -> tuple[FieldSpec, ...]:
    """Return the fields an import of this kind may fill: a customer file also fills the
    inputs other apps take with a new customer (customers.extensions.creation_fields)."""
    if kind != Kind.CUSTOMERS:
        return FIELDS[kind]
    extras = tuple(FieldSpec(f.name, f.label, aliases=f.aliases) for f in creation_fields)
    return FIELDS[kind] + extras


def propose_mapping(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """Return field -> header for each field whose usual name (Chinese or English) is a header.

    The field's own label in either language also counts, so a file exported by Huitou in
    Chinese maps back onto itself. Each header is used at most once, first field first.
    """
    keys = {header_key(header): header for header in headers if header.strip()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for spec in fields_for(kind):
        for alias in (header_key(str(spec.label)), *spec.aliases, header_key(spec.name)):
            header = keys.get(header_key(alias))
            if header is not None and header not in used:
                mapping[spec.name] = header
                used.add(header)
                break
    return mapping


def label_aliases(kind: str) -> dict[str, str]:
    """Return header key -> field for the field labels in every configured language."""
    from django.conf import settings
    from django.utils import translation

    found: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for spec in fields_for(kind):
                found.setdefault(header_key(str(spec.label)), spec.name)
    return found


def propose(kind: str, headers: Sequence[str]) -> dict[str, str]:
    """Return the proposed mapping, knowing the field labels in all languages."""
    mapping = propose_mapping(kind, headers)
    used = set(mapping.values())
    labels = label_aliases(kind)
    for header in headers:
        field = labels.get(header_key(header))
        if field and field not in mapping and header not in used:
            mapping[field] = header
            used.add(header)
    return mapping


def missing_required(kind: str, mapping: Mapping[str, str]) -> list[FieldSpec]:
    """Return the required fields the mapping leaves without a column."""
    missing = [spec for spec in fields_for(kind) if spec.required and not mapping.get(spec.name)]
    if kind == Kind.ORDERS and not (
        mapping.get("customer_external_id") or mapping.get("customer_mobile")
    ):
        missing.append(ORDER_FIELDS[1])
    return missing


def column_indexes(mapping: Mapping[str, str], headers: Sequence[str]) -> dict[str, int]:
    """Return field -> column position for the mapped headers present in the file."""
    position = {header: index for index, header in reversed(list(enumerate(headers)))}
    return {field: position[h] for field, h in mapping.items() if h and h in position}
