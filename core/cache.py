"""Redis as a cache that fails open: an outage degrades the service, never stops it.

When Redis cannot be reached every read misses and every write is dropped, with one log line
per call, instead of failing the request. Nothing the service must not lose lives in the cache:
sessions are in the database, rate limits count again from zero, emails wait in the outbox.
The connection gives up fast (settings: short socket timeouts, no retries).
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What each operation answers while Redis is away: a read misses, a write is "done". `add`
# answers True (as if the key were new), so that allauth's rate-limit lock and its one-use
# check of two-factor codes let people sign in: for the outage, a code could be used twice
# within its 30 seconds (logged above); the password and the code are still both needed.
_FALLBACKS = {
    "add": True,
    "get": None,  # the caller's default, below
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "incr": None,  # below: the delta, as if counting from zero
    "set_many": [],
    "delete_many": None,
    "clear": False,
}


def _fail_open(name: str, method):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("cache unavailable, %s skipped: %s", name, error.__class__.__name__)
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            if name == "incr":
                return kwargs.get("delta", args[1] if len(args) > 1 else 1)
            return _FALLBACKS[name]

    return wrapper


class FailOpenRedisCache(RedisCache):
    pass


for _name in _FALLBACKS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name, getattr(RedisCache, _name)))
