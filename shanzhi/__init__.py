"""善治 shanzhi — community governance platform."""

__version__ = "0.1.0"
