"""The first run's demo workspace: three accounts and a little content in both languages."""

from __future__ import annotations

from kefu.accounts.models import User
from kefu.core.demo import demo_seed
from kefu.kb.models import Article
from kefu.tenancy import tenant_context


def test_demo_seed_creates_accounts_and_bilingual_content_once(db):
    tenant, accounts = demo_seed()
    assert tenant.slug == "demo"
    assert {a.role for a in accounts} == {"owner", "agent", "customer"}
    with tenant_context(tenant):
        for account in accounts:
            user = User.objects.get(email=account.email)
            assert user.role == account.role
            assert user.check_password(account.password)
        languages = set(Article.objects.values_list("language", flat=True))
        assert languages == {"zh-hans", "en"}

    again, no_accounts = demo_seed()
    assert again.pk == tenant.pk
    assert no_accounts == [], "passwords are printed once and never again"


def test_demo_help_center_shows_chinese_articles_to_chinese_readers(client, db):
    demo_seed()
    body = client.get(
        "/", HTTP_HOST="demo.localhost", HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "如何重置密码？" in body
    assert "How do I reset my password?" not in body
