"""Notification channels: credentials stored encrypted (never shown, never audited), only the system admin
edits them, and the test send goes through the real adapter."""

import json
import urllib.request

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.notifications.models import ChannelSetting

pytestmark = pytest.mark.django_db


class _Reply:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_sms_gateway_saved_encrypted_and_test_sent(client, world, make_user, monkeypatch):
    admin = make_user(Role.SYSTEM_ADMIN, world.city.code)
    verified_login(client, admin)
    resp = client.post("/config/channels/", {"action": "save", "kind": "sms", "sms-kind": "sms", "sms-version": 0,
                                             "sms-gateway_url": "https://sms.example.cn/send", "sms-app_id": "qj01",
                                             "sms-secret": "s3cret-token", "sms-active": "on"})
    assert resp.status_code == 302
    row = ChannelSetting.objects.get(kind="sms")
    assert row.secret_enc and "s3cret" not in row.secret_enc and decrypt(row.secret_enc) == "s3cret-token"
    event = AuditEvent.objects.get(action="notifications.channel_create")
    assert "s3cret" not in json.dumps(event.after, ensure_ascii=False)
    page = client.get("/config/channels/").content.decode()
    assert "s3cret" not in page and "已保存密钥" in page

    sent = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout: sent.append(req.full_url) or _Reply())
    resp = client.post("/config/channels/", {"action": "test", "kind": "sms"}, follow=True)
    assert "测试消息已发出" in resp.content.decode()
    assert sent == ["https://sms.example.cn/send"]
    assert AuditEvent.objects.get(action="notifications.channel_test").after == {"kind": "sms", "sent": True}

    # a blank secret keeps the stored one; the change is audited before/after
    client.post("/config/channels/", {"action": "save", "kind": "sms", "sms-kind": "sms", "sms-version": row.version,
                                      "sms-gateway_url": "https://sms2.example.cn/send", "sms-active": "on"})
    row.refresh_from_db()
    assert decrypt(row.secret_enc) == "s3cret-token" and row.gateway_url.startswith("https://sms2")
    event = AuditEvent.objects.get(action="notifications.channel_update")
    assert event.before["gateway_url"] == "https://sms.example.cn/send"


def test_only_the_system_admin_edits_channels(client, world, make_user):
    verified_login(client, make_user(Role.STREET_MANAGER, world.street.code))
    page = client.get("/config/channels/").content.decode()
    assert "只有系统管理员可以配置通知渠道" in page
    client.post("/config/channels/", {"action": "save", "kind": "sms", "sms-kind": "sms", "sms-version": 0,
                                      "sms-gateway_url": "https://x.example.cn", "sms-active": "on"})
    assert not ChannelSetting.objects.exists()
