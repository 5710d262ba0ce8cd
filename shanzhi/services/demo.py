"""The services demo step (filled in below)."""


def build(*, ctx) -> None:
    return None
