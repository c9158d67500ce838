"""``kefu ingest_email``: a file or stdin into a workspace, one JSON line out."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kefu.messaging.models import InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.messaging.conftest import FIXTURES, eml

pytestmark = pytest.mark.django_db


def _run(*args: str) -> dict:
    out = io.StringIO()
    call_command("ingest_email", *args, stdout=out)
    return json.loads(out.getvalue())


def test_ingest_a_file_opens_a_ticket_in_that_workspace_only(tenant_a, tenant_b):
    result = _run(str(FIXTURES / "gbk.eml"), "--tenant", "alpha")
    assert result["status"] == "processed"
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=result["ticket"])
        assert ticket.subject == "喆和堃的账户问题"
        assert InboundEmail.objects.get(pk=result["inbound"]).source == "command"
    with tenant_context(tenant_b):
        assert not InboundEmail.objects.exists()
        assert not Ticket.objects.exists()


def test_ingest_from_stdin_and_a_quarantined_result(tenant_a, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(eml("no_from"))

    monkeypatch.setattr("sys.stdin", Stdin)
    result = _run("-", "--tenant", "alpha")
    assert result["status"] == "quarantined"
    assert result["ticket"] is None
    assert "No sender address" in result["reason"]


def test_unknown_workspace_and_unreadable_file_are_clear_errors(tenant_a, tmp_path):
    with pytest.raises(CommandError, match="no workspace 'nope'"):
        call_command("ingest_email", str(FIXTURES / "gbk.eml"), "--tenant", "nope")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("ingest_email", str(tmp_path / "missing.eml"), "--tenant", "alpha")
