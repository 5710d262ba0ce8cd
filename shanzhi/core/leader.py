"""One leader among several processes (the scheduler on every host, one of them runs the jobs).

A Redis key `shanzhi:<name>:leader` set with NX and a TTL: the holder renews it on every tick; when it dies
the key expires and another process takes it at its next tick. Without REDIS_URL (one machine) every process
leads — the scheduler's per-period claims in the database still run each job once.
"""

from __future__ import annotations

import os
import socket

import redis

RENEW = """if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"""


class Leadership:
    def __init__(self, name: str, ttl: float = 30.0, url: str | None = None):
        self.key = f"shanzhi:{name}:leader"
        self.ttl_ms = int(ttl * 1000)
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        url = url if url is not None else os.environ.get("REDIS_URL", "")
        self.redis = redis.Redis.from_url(url) if url else None
        self.leading = False

    def hold(self) -> bool:
        """Renew the lead if we hold it, else try to take it; True while we lead."""
        if self.redis is None:
            return True
        try:
            if self.redis.eval(RENEW, 1, self.key, self.me, self.ttl_ms):
                self.leading = True
            else:
                self.leading = bool(self.redis.set(self.key, self.me, nx=True, px=self.ttl_ms))
        except redis.RedisError:
            self.leading = False  # cannot tell who leads: do not run (the next tick tries again)
        return self.leading

    def release(self) -> None:
        if self.redis is not None and self.leading:
            self.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                            "else return 0 end", 1, self.key, self.me)
            self.leading = False
