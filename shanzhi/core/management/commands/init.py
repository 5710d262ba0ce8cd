"""`shanzhi init`: the one step that writes what settings only read — the var folders, the development
secret key and the personal-data key file. Safe to run again: it never replaces a file that exists."""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shanzhi.core import pii


class Command(BaseCommand):
    help = "创建 var 目录、开发用密钥和个人信息密钥文件（已有的文件不会被替换）"
    requires_system_checks = []  # the checks report exactly what this command creates

    def add_arguments(self, parser):
        parser.add_argument("--new-keys", action="store_true",
                            help="生产环境中首次部署时创建新的个人信息密钥（已有数据时切勿使用）")

    def handle(self, *args, new_keys, **opts):
        for folder in (settings.VAR_DIR, settings.MEDIA_ROOT, settings.STATIC_ROOT):
            if folder:
                folder.mkdir(parents=True, exist_ok=True)
        if not settings.PRODUCTION and not settings.SECRET_KEY_FILE.exists():
            settings.SECRET_KEY_FILE.write_text(secrets.token_urlsafe(64))
            settings.SECRET_KEY_FILE.chmod(0o600)
            self.stdout.write(f"wrote {settings.SECRET_KEY_FILE}")
        path = settings.SHANZHI_KEY_FILE
        if path.exists() or os.environ.get("SHANZHI_PII_KEYS"):
            return
        if settings.PRODUCTION and not new_keys:
            raise CommandError(f"{path} is missing. Restore it from the key backup (`shanzhi restore --keys FILE`); "
                               "only a brand-new installation creates keys, with `shanzhi init --new-keys`.")
        if pii.create_key_file(path):
            self.stdout.write(f"wrote {path} (back it up apart from the data: `shanzhi backup --keys FILE`)")
