"""The `shanzhi` console script: the project's manage.py."""

import os
import sys

from django.core.management import execute_from_command_line

# Commands that change or replace the schema run as the owner role when SHANZHI_MIGRATE_DATABASE_URL is
# set; everything else (web, worker, scheduler, shell) runs as the runtime role in DATABASE_URL.
OWNER_COMMANDS = {"migrate", "dbroles", "restore", "createcachetable", "partitions"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    if args and args[0] in OWNER_COMMANDS and os.environ.get("SHANZHI_MIGRATE_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["SHANZHI_MIGRATE_DATABASE_URL"]
    execute_from_command_line(["shanzhi", *args])


if __name__ == "__main__":
    main()
