def build(*, ctx) -> None:
    pass
