"""Demo step (filled below)."""


def build(*, ctx) -> None:
    return None
