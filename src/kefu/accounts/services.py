"""Writes for people (runs inside the schema they belong to)."""

from __future__ import annotations

from django.db import transaction

from kefu.accounts.models import User


@transaction.atomic
def user_create(
    *, email: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    user = User(
        username=email.lower(),
        email=email.lower(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=False,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
