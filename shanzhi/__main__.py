"""The `shanzhi` console script: the project's manage.py."""

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    execute_from_command_line(["shanzhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
