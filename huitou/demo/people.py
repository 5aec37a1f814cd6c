"""Invent believable customer profiles from a seeded generator.

Profiles are drawn one customer after another from a single `random.Random`, so customer n
always gets the same profile whether the first 200 or all 23,570 customers are loaded.
"""

import datetime
import random
from dataclasses import dataclass

from lunardate import LunarDate

from huitou.demo.catalogue import CATEGORY_WEIGHTS, TAG_GROUPS

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官")
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰建国志文博晨阳轩睿"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂英萍红燕雪琳婷慧莹倩颖洁佳欣怡梦雨涵晶璐思悦瑶萱琪"
ENGLISH_MALE = ("David", "Michael", "James", "Kevin", "Tony", "Jason", "Eric", "Peter", "Leo")
ENGLISH_FEMALE = ("Emily", "Sarah", "Grace", "Linda", "Amy", "Vivian", "Cindy", "Helen", "Iris")
ENGLISH_SURNAMES = ("Wang", "Chen", "Li", "Smith", "Brown", "Wong", "Lee", "Miller", "Taylor")

# Weighted towards the east, where the demo team sells.
REGIONS: dict[str, tuple[str, ...]] = {
    "上海": ("上海",),
    "江苏": ("南京", "苏州", "无锡", "常州", "南通"),
    "浙江": ("杭州", "宁波", "温州", "绍兴", "嘉兴"),
    "安徽": ("合肥", "芜湖"),
    "山东": ("济南", "青岛", "烟台"),
    "福建": ("福州", "厦门", "泉州"),
    "北京": ("北京",),
    "广东": ("广州", "深圳", "东莞", "佛山"),
    "四川": ("成都", "绵阳"),
    "湖北": ("武汉", "宜昌"),
    "湖南": ("长沙", "株洲"),
    "河南": ("郑州", "洛阳"),
    "陕西": ("西安",),
    "辽宁": ("沈阳", "大连"),
    "天津": ("天津",),
    "重庆": ("重庆",),
}
REGION_WEIGHTS = (16, 14, 14, 6, 6, 5, 8, 9, 4, 4, 3, 3, 2, 2, 2, 2)
STREETS = ("人民路", "中山路", "解放路", "建设路", "和平路", "文化路", "新华路", "长江路", "南京路")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
)  # fmt: skip
SOURCES = ("网店", "微信小程序", "老客户介绍", "邮件营销", "门店活动")
SOURCE_WEIGHTS = (60, 15, 12, 8, 5)
COMPANY_WORDS = ("华信", "远航", "新世纪", "恒通", "瑞丰", "启明", "东方", "金桥", "博雅")
COMPANY_TRADES = ("科技", "贸易", "文化传媒", "电子", "设计", "教育咨询")
TITLES = ("经理", "工程师", "采购主管", "设计师", "教师", "销售总监", "行政专员")
NOTES = (
    "希望晚上 6 点以后来电。",
    "收藏古典音乐套装。",
    "春节前会给家人买礼物。",
    "请在爵士新品上架时通知。",
    "曾遇到一次送货延误，沟通时注意态度。",
)
# Share of customers who opted out of a channel they were asked about.
OPT_OUT = {"phone": 0.03, "sms": 0.06, "email": 0.05, "wechat": 0.02}


@dataclass(frozen=True)
class Profile:
    """Everything invented about one customer; the purchases come from the file."""

    kind: str
    name: str
    gender: str
    mobile: str
    email: str
    wechat_id: str
    company: str
    title: str
    birthday: datetime.date
    birthday_calendar: str
    lunar_birth_month: int | None
    lunar_birth_day: int | None
    region: str
    city: str
    address: str
    source_channel: str
    notes: str
    favourite: str
    tags: tuple[tuple[str, str], ...]
    consents: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class _Birthday:
    solar: datetime.date
    calendar: str
    lunar_month: int | None = None
    lunar_day: int | None = None


class ProfileMaker:
    """Draw profiles in sequence; mobiles are unique across everything it has drawn."""

    def __init__(self, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.mobiles: set[str] = set()

    def make(self, number: int) -> Profile:
        """Return the profile of the customer with this CDNOW id."""
        rng = self.rng
        gender = rng.choices(("male", "female", ""), weights=(48, 47, 5))[0]
        english = rng.random() < 0.1
        name = self._english_name(gender) if english else self._chinese_name(gender)
        region = rng.choices(tuple(REGIONS), weights=REGION_WEIGHTS)[0]
        city = rng.choice(REGIONS[region])
        is_company = rng.random() < 0.03
        company = self._company(city) if is_company or rng.random() < 0.12 else ""
        birthday = self._birthday()
        favourite = rng.choices(tuple(CATEGORY_WEIGHTS), weights=tuple(CATEGORY_WEIGHTS.values()))
        email = f"cd{number}@example.com" if rng.random() < 0.35 else ""
        wechat = f"wxid_{rng.getrandbits(40):010x}" if rng.random() < 0.45 else ""
        return Profile(
            kind="company" if is_company else "person",
            name=company if is_company else name,
            gender="" if is_company else gender,
            mobile=self._mobile(),
            email=email,
            wechat_id=wechat,
            company=company,
            title=rng.choice(TITLES) if company and not is_company else "",
            birthday=birthday.solar,
            birthday_calendar=birthday.calendar,
            lunar_birth_month=birthday.lunar_month,
            lunar_birth_day=birthday.lunar_day,
            region=region,
            city=city,
            address=f"{city}市{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            source_channel=rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0],
            notes=rng.choice(NOTES) if rng.random() < 0.05 else "",
            favourite=favourite[0],
            tags=self._tags(favourite[0]),
            consents=self._consents(email=bool(email), wechat=bool(wechat)),
        )

    def _chinese_name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)
        pool = MALE_GIVEN if gender == "male" else FEMALE_GIVEN
        if gender == "":
            pool = MALE_GIVEN + FEMALE_GIVEN
        size = 2 if rng.random() < 0.6 else 1
        return surname + "".join(rng.choice(pool) for _ in range(size))

    def _english_name(self, gender: str) -> str:
        rng = self.rng
        first = rng.choice(ENGLISH_MALE if gender == "male" else ENGLISH_FEMALE)
        return f"{first} {rng.choice(ENGLISH_SURNAMES)}"

    def _company(self, city: str) -> str:
        rng = self.rng
        return f"{city}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}有限公司"

    def _mobile(self) -> str:
        # Redraw on a clash so that the list's duplicate detection has nothing to find.
        while True:
            mobile = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if mobile not in self.mobiles:
                self.mobiles.add(mobile)
                return mobile

    def _birthday(self) -> _Birthday:
        """Return an adult's birthday; about 15% keep it on the lunar calendar."""
        rng = self.rng
        # At least 16 years old today, so no birthday can lie in the future.
        year = rng.randint(self.today.year - 70, self.today.year - 16)
        if rng.random() < 0.15:
            month, day = rng.randint(1, 12), rng.randint(1, 29)
            solar = LunarDate(year, month, day).to_solar_date()
            return _Birthday(solar, "lunar", month, day)
        start = datetime.date(year, 1, 1)
        return _Birthday(start + datetime.timedelta(days=rng.randrange(365)), "solar")

    def _tags(self, favourite: str) -> tuple[tuple[str, str], ...]:
        rng = self.rng
        interests = {favourite}
        if rng.random() < 0.3:
            interests.add(rng.choice(tuple(CATEGORY_WEIGHTS)))
        tags = [("兴趣品类", interest) for interest in sorted(interests)]
        for group in ("服务偏好", "购买场合"):
            count = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
            tags += [(group, name) for name in sorted(rng.sample(TAG_GROUPS[group], count))]
        return tuple(tags)

    def _consents(self, *, email: bool, wechat: bool) -> tuple[tuple[str, bool], ...]:
        """Return the channels the customer was asked about, and the answers."""
        asked = ["phone", "sms"] + (["email"] if email else []) + (["wechat"] if wechat else [])
        return tuple((channel, self.rng.random() >= OPT_OUT[channel]) for channel in asked)
