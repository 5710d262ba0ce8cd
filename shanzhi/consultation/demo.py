def build(*, ctx):
    pass
