"""`shanzhi keys rotate`: add a new encryption key (current from now on) and re-encrypt every stored
ID number and phone under it; `shanzhi keys status`: how many values each key protects."""

import json
import os

from django.core.management.base import BaseCommand
from django.db.models import Count, Value
from django.db.models.functions import Left, StrIndex

from shanzhi.core import pii
from shanzhi.registry.services import ENCRYPTED_FIELDS, personal_data_reencrypt


class Command(BaseCommand):
    help = "个人信息加密密钥：rotate 轮换并重新加密，status 查看"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate", "status", "reencrypt"])
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, action, batch, **opts):
        if action == "status":
            self.stdout.write(json.dumps(self.status(), ensure_ascii=False))
            return
        if action == "rotate":
            if "SHANZHI_PII_KEYS" in os.environ:
                self.stderr.write("密钥来自环境变量：请在环境中加入新密钥并设 SHANZHI_PII_CURRENT_KEY，再运行 keys reencrypt")
                return
            new_id = pii.add_key()
            self.stdout.write(f"新密钥 v{new_id} 已启用，正在重新加密……")
        counts = personal_data_reencrypt(batch_size=batch)
        self.stdout.write(json.dumps({"current_key": pii.keyring()["current"], "reencrypted": counts},
                                     ensure_ascii=False))

    def status(self) -> dict:
        out = {"current_key": pii.keyring()["current"], "fields": {}}
        for model, fields in ENCRYPTED_FIELDS.items():
            for f in fields:
                rows = (model.objects.exclude(**{f: ""}).annotate(k=Left(f, StrIndex(f, Value(":")) - 1)).values("k")
                        .annotate(n=Count("pk")).order_by("k"))
                out["fields"][f"{model._meta.model_name}.{f}"] = {r["k"]: r["n"] for r in rows}
        return out
