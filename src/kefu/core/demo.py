"""The demo workspace a first run creates: three accounts and a little bilingual content."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings

from kefu.accounts.models import User
from kefu.accounts.services import user_create
from kefu.kb.models import Article, Category, Language
from kefu.kb.services import article_save
from kefu.tenancy import public_context, tenant_context
from tenants.models import Tenant
from tenants.selectors import tenant_get_by_slug
from tenants.services import tenant_provision

DEMO_SLUG = "demo"

#: (name, Chinese name, English name, slug, position)
CATEGORIES = [
    ("账户与登录", "账户与登录", "Account and sign-in", "account", 0),
    ("Billing", "账单", "Billing", "billing", 1),
]
ARTICLES = [
    (
        "如何重置密码？",
        "reset-password-zh",
        Language.ZH_HANS,
        "account",
        "在登录页点击“忘记密码”，输入注册邮箱，我们会发送一封重置邮件。"
        "邮件中的链接 24 小时内有效。\n\n如果没有收到邮件，请检查垃圾邮件文件夹。",
    ),
    (
        "How do I reset my password?",
        "reset-password",
        Language.EN,
        "account",
        "On the sign-in page choose “Forgot password”, enter the email you signed up with, and "
        "we will send you a reset link. The link is valid for 24 hours.\n\n"
        "No email? Check your spam folder.",
    ),
    (
        "发票什么时候开具？",
        "invoice-timing-zh",
        Language.ZH_HANS,
        "billing",
        "每个账单周期结束后三个工作日内开具电子发票，并发送到账户所有者的邮箱。",
    ),
    (
        "Can I change my plan at any time?",
        "change-plan",
        Language.EN,
        "billing",
        "Yes. Upgrades take effect at once and are prorated; downgrades take effect at the end "
        "of the current billing period.",
    ),
]

TRANSLATIONS = [
    ("reset-password-zh", "reset-password"),
    ("sign-in-trouble-zh", "sign-in-trouble"),
]
GUIDED = [
    (
        "登录遇到问题？",
        "sign-in-trouble-zh",
        Language.ZH_HANS,
        "account",
        """? 你在哪里登录？
  - 网页版
    ? 是否提示“密码错误”？
      - 是
        ! 请在登录页点击“忘记密码”，按邮件中的链接重置密码。
      - 否
        ! 请清除浏览器缓存和 Cookie 后重新登录。
  - 手机 App
    ! 请把 App 更新到最新版本后重新登录。""",
    ),
    (
        "Trouble signing in?",
        "sign-in-trouble",
        Language.EN,
        "account",
        """? Where are you signing in?
  - On the website
    ? Does it say the password is wrong?
      - Yes
        ! Choose "Forgot password" on the sign-in page and follow the link we email you.
      - No
        ! Clear your browser's cache and cookies, then sign in again.
  - In the mobile app
    ! Update the app to the latest version, then sign in again.""",
    ),
]

TICKET_CATEGORIES = [("Account 账户与登录", "Accounts 账户组"), ("Billing 账单", "Billing 账单组")]
CANNED_RESPONSES = [
    (
        "Thanks, looking into it",
        "Hi {{ customer.name }},\n\nThanks for reaching out about ticket #{{ ticket.number }}. "
        "I'm looking into it now.\n\n{{ agent.name }}",
    ),
    (
        "已收到，正在处理",
        "{{ customer.name }}您好，\n\n您的工单 #{{ ticket.number }} 已收到，我们正在处理。\n\n"
        "{{ agent.name }}",
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


def demo_seed() -> tuple[Tenant, list[DemoAccount]]:
    """Create the demo workspace once. Returns its accounts with passwords the first time only
    (they are not stored anywhere in clear text); an existing demo returns an empty list."""
    existing = tenant_get_by_slug(slug=DEMO_SLUG)
    if existing is not None:
        return existing, []
    from billing.accounts import billing_account_open
    from billing.models import Plan
    from billing.seed import plans_seed

    plans_seed()
    tenant = tenant_provision(slug=DEMO_SLUG, name="Demo 演示公司")
    billing_account_open(tenant=tenant, plan=Plan.objects.filter(code="team").first())
    accounts = [
        DemoAccount(role, f"{role}@demo.example", secrets.token_urlsafe(12))
        for role in (User.Role.OWNER, User.Role.AGENT, User.Role.CUSTOMER)
    ]
    with tenant_context(tenant):
        for account in accounts:
            user_create(
                email=account.email,
                password=account.password,
                role=account.role,
                email_verified=True,
            )
        categories = {
            slug: Category.objects.create(
                name=name, name_zh_hans=name_zh_hans, name_en=name_en, slug=slug, position=position
            )
            for name, name_zh_hans, name_en, slug, position in CATEGORIES
        }
        saved = {}
        for kind, rows in ((Article.Kind.ARTICLE, ARTICLES), (Article.Kind.GUIDED, GUIDED)):
            for title, key, language, category, body in rows:
                saved[key] = article_save(
                    kind=kind,
                    title=title,
                    body=body,
                    language=language,
                    category=categories[category],
                    status=Article.Status.PUBLISHED,
                    index_now=True,
                )
        for translation, original in TRANSLATIONS:
            saved[translation].translation_of = saved[original]
            saved[translation].save(update_fields=["translation_of"])
        _seed_support_desk()
    return tenant, accounts


def _seed_support_desk() -> None:
    """Ticket categories routed to skill groups, the agent online with both skills, business
    hours with a holiday, SLA policies (a faster one for customers who tried self-service),
    a custom field and canned responses. Runs inside the demo schema."""
    import datetime

    from kefu.tickets.models import (
        AgentProfile,
        BusinessCalendar,
        CannedResponse,
        Holiday,
        SkillGroup,
        SlaPolicy,
        TicketCategory,
        TicketField,
    )

    groups = {}
    for position, (name, group_name) in enumerate(TICKET_CATEGORIES):
        groups[name] = SkillGroup.objects.get_or_create(name=group_name)[0]
        TicketCategory.objects.update_or_create(
            name=name, defaults={"position": position, "skill_group": groups[name]}
        )
    billing = TicketCategory.objects.get(name="Billing 账单")
    TicketField.objects.create(
        category=billing, key="invoice", label="Invoice number 发票号", field_type="text"
    )
    agent = User.objects.get(role=User.Role.AGENT)
    profile = AgentProfile.objects.create(
        user=agent, availability=AgentProfile.Availability.ONLINE, languages=[], tiers=[]
    )
    profile.skill_groups.set(groups.values())
    BusinessCalendar.objects.create(timezone="Asia/Shanghai")
    Holiday.objects.create(date=datetime.date(2027, 1, 1), name="元旦 New Year's Day")
    SlaPolicy.objects.create(
        name="Tried self-service 自助优先", tried_self_service_only=True,
        first_response_minutes=120, resolution_minutes=1440, position=0,
    )  # fmt: skip
    SlaPolicy.objects.create(
        name="Standard 标准", first_response_minutes=240, resolution_minutes=2400, position=1
    )
    for title, body in CANNED_RESPONSES:
        CannedResponse.objects.create(title=title, body=body)


def operator_seed() -> DemoAccount | None:
    """A platform operator for the local console (public schema), created once; its password is
    returned the first time only."""
    with public_context():
        if User.objects.filter(is_staff=True).exists():
            return None
        account = DemoAccount(
            "operator", f"operator@{settings.ROOT_DOMAIN}", secrets.token_urlsafe(12)
        )
        User.objects.create_superuser(
            username=account.email, email=account.email, password=account.password
        )
    return account
