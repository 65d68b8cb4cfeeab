"""Alert notifications: Apprise URLs, secrets in them, and a delivery worker that retries.

A destination is an Apprise URL (`json://host/path`, `form://...`, `mailto://...`,
`slack://...`, `msteams://...`; Apprise is imported only when one is checked or sent).
A secret goes in as `secret:NAME` anywhere in the URL and is resolved (URL-encoded)
only at the moment of sending; what is stored, listed and logged is the URL as written,
with inline passwords and token-like query values masked (`display`), and a delivery
error never carries a resolved value.

`Deliveries` owns one worker thread: `submit` never blocks the caller (the alert
evaluation), a failed delivery is retried with exponential back-off (1 s, 2 s, 4 s, ...
`retries` times), and every attempt is handed to `record` (the alert history). Clocks
are injected, and `run_due(now)` runs what is due without the thread, for unit tests.
"""

from __future__ import annotations

import heapq
import itertools
import re
import threading
import time

from flext.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

SECRET_REF = re.compile(r"secret:([A-Za-z0-9][A-Za-z0-9_.\-]*)")
MASK = "••••"
SENSITIVE = ("pass", "password", "pw", "token", "key", "apikey", "api_key", "secret", "auth", "access_token",
             "signature", "sig", "webhook", "bearer", "credentials")
EVENTS = {"firing": "failure", "resolved": "success", "reminder": "warning", "test": "info"}
RETRIES = 4
BACKOFF_S = 1.0
MAX_BACKOFF_S = 300.0
TIMEOUT_S = 10.0


def references(url: str) -> list[str]:
    """The secret names a URL refers to."""
    return SECRET_REF.findall(url)


def display(url: str) -> str:
    """The URL as shown anywhere (list, history, errors): an inline password and the values
    of token-like query parameters masked; `secret:NAME` references are names, kept."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return MASK if url else url
    head, qmark, query = rest.partition("?")
    authority, slash, path = head.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user, colon, password = userinfo.partition(":")
        if colon and not SECRET_REF.fullmatch(password):
            userinfo = f"{user}:{MASK}"
        authority = f"{userinfo}@{host}"
    if qmark:
        pairs = []
        for pair in query.split("&"):
            key, eq, value = pair.partition("=")
            hidden = eq and value and any(w in key.lower() for w in SENSITIVE) and not SECRET_REF.fullmatch(value)
            pairs.append(f"{key}={MASK}" if hidden else pair)
        query = "&".join(pairs)
    return f"{scheme}://{authority}{slash}{path}{qmark}{query}"


def check(url: str) -> None:
    """UsageError unless Apprise knows the URL (secret references stand in as `x`)."""
    if not isinstance(url, str) or "://" not in url:
        raise UsageError(f"not a notification URL: {display(str(url))!r}",
                         hint="Apprise URLs, e.g. json://host:port/path, mailto://user@host, slack://TOKEN/#channel")
    import apprise

    scheme = url.split("://", 1)[0]
    if apprise.Apprise.instantiate(SECRET_REF.sub("x", url)) is None:
        if references(url) and _known_scheme(scheme):
            return  # a plugin that checks its tokens' form: the real values are known only when sending
        raise UsageError(f"Apprise cannot send to {display(url)!r} (unknown scheme {scheme!r} or a malformed URL)",
                         hint="see https://github.com/caronc/apprise/wiki for the URL of each service")


def _known_scheme(scheme: str) -> bool:
    try:
        from apprise.manager_plugins import NotificationManager
    except ImportError:  # an Apprise without it: the delivery will say
        return True
    return scheme.lower() in NotificationManager()  # type: ignore[no-untyped-call]


def resolve(url: str, secret: Callable[[str], str]) -> tuple[str, list[str]]:
    """(the URL with each `secret:NAME` replaced by its URL-encoded value, the values)."""
    from urllib.parse import quote

    values: list[str] = []

    def one(match: re.Match[str]) -> str:
        value = secret(match.group(1))
        values.extend((value, quote(value, safe="")))
        return quote(value, safe="")

    return SECRET_REF.sub(one, url), values


def scrub(text: str, values: list[str]) -> str:
    for value in sorted((v for v in values if v), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


class Notification:
    """What one notification says: the rule, the value seen, the time, a correlation id."""

    __slots__ = ("alert", "at", "correlation_id", "description", "detail", "event", "value", "when")

    def __init__(self, alert: str, event: str, *, when: str, value: str | None, detail: str | None, at: str,
                 correlation_id: str, description: str | None = None) -> None:
        self.alert = alert
        self.event = event  # firing | resolved | reminder | test
        self.when = when
        self.value = value
        self.detail = detail
        self.at = at
        self.correlation_id = correlation_id
        self.description = description

    @property
    def title(self) -> str:
        word = {"firing": "FIRING", "resolved": "RESOLVED", "reminder": "STILL FIRING", "test": "TEST"}[self.event]
        return f"[flext] {word}: {self.alert}"

    @property
    def body(self) -> str:
        lines = [f"alert: {self.alert}", f"rule: {self.when}", f"value: {self.value if self.value else '-'}"]
        if self.detail:
            lines.append(f"detail: {self.detail}")
        if self.description:
            lines.append(f"about: {self.description}")
        lines += [f"time: {self.at}", f"correlation id: {self.correlation_id}"]
        if self.event == "test":
            lines.insert(0, "This is a test notification sent by `flext monitor alerts test`.")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def send(url: str, note: Notification, secret: Callable[[str], str], *, timeout: float = TIMEOUT_S) -> str | None:
    """Deliver one notification to one URL now; None when it went through, else why not
    (never with a secret value in it)."""
    values: list[str] = []
    try:
        real, values = resolve(url, secret)
    except Exception as exc:  # a missing secret, a locked keyring: the delivery fails, and says why
        return scrub(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}", values)
    import logging

    import apprise

    target = apprise.Apprise()
    if not target.add(real):
        return f"Apprise cannot send to {display(url)}"
    try:
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            ok = bool(target.notify(body=note.body, title=note.title, notify_type=EVENTS[note.event]))
        said = str(captured.getvalue())
    except Exception as exc:  # a plugin that raises instead of returning False
        return scrub(f"{type(exc).__name__}: {exc}", values)
    if ok:
        return None
    lines = [line.split(" - ", 2)[-1].strip() for line in said.splitlines() if line.strip()]
    return scrub("; ".join(dict.fromkeys(lines))[:500] or "the delivery failed", values)


class _Item:
    __slots__ = ("attempt", "note", "url")

    def __init__(self, url: str, note: Notification, attempt: int) -> None:
        self.url = url
        self.note = note
        self.attempt = attempt


class Deliveries:
    """The delivery worker: a queue ordered by when each item is due."""

    def __init__(self, deliver: Callable[[str, Notification], str | None], record: Callable[[dict[str, Any]], None],
                 *, clock: Callable[[], float] = time.time, retries: int = RETRIES, backoff: float = BACKOFF_S,
                 max_backoff: float = MAX_BACKOFF_S) -> None:
        self.deliver = deliver
        self.record = record
        self.clock = clock
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._queue: list[tuple[float, int, _Item]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def submit(self, url: str, note: Notification, *, at: float | None = None) -> None:
        with self._cond:
            heapq.heappush(self._queue, (self.clock() if at is None else at, next(self._seq), _Item(url, note, 1)))
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def next_due(self) -> float | None:
        with self._cond:
            return self._queue[0][0] if self._queue else None

    def run_due(self, now: float | None = None) -> int:
        """Deliver everything due by `now`; failures go back in the queue for later. How many ran."""
        done = 0
        while True:
            with self._cond:
                moment = self.clock() if now is None else now
                if not self._queue or self._queue[0][0] > moment:
                    return done
                _, _, item = heapq.heappop(self._queue)
            self._attempt(item)
            done += 1

    def _attempt(self, item: _Item) -> None:
        from flext.core.clock import iso

        try:
            error = self.deliver(item.url, item.note)
        except Exception as exc:  # never let one delivery kill the worker
            error = f"{type(exc).__name__}: {exc}"
        now = self.clock()
        retry_in = None
        if error is not None and item.attempt <= self.retries:
            retry_in = min(self.max_backoff, self.backoff * (2 ** (item.attempt - 1)))
            with self._cond:
                heapq.heappush(self._queue, (now + retry_in, next(self._seq),
                                             _Item(item.url, item.note, item.attempt + 1)))
                self._cond.notify()
        self.record({"ts": iso(now), "alert": item.note.alert, "kind": "delivery", "event": item.note.event,
                     "url": display(item.url), "attempt": item.attempt, "ok": error is None, "error": error,
                     "retry_in_s": retry_in, "value": item.note.value, "correlation_id": item.note.correlation_id})

    # -- the thread ----------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="flext-notify", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stop:
                    return
                due = self._queue[0][0] if self._queue else None
                wait = None if due is None else max(0.0, due - self.clock())
                if wait is None or wait > 0:
                    self._cond.wait(timeout=min(wait, 1.0) if wait is not None else 1.0)
                    continue
            self.run_due()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout)


__all__ = ["EVENTS", "MASK", "SECRET_REF", "Deliveries", "Notification", "check", "display", "references", "resolve",
           "scrub", "send"]
