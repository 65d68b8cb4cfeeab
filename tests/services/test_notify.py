"""Notifications (flext/services/notify.py): URLs shown masked, secrets resolved only when
sending, deliveries through Apprise to a real HTTP receiver and a real SMTP server, and the
delivery worker's retries over a clock we set."""

from __future__ import annotations

from typing import Any

import pytest

from flext.core.errors import UsageError
from flext.services.notify import Deliveries, Notification, check, display, resolve, scrub, send
from tests.services.receivers import JsonReceiver, SmtpReceiver, receiver, smtp

__all__ = ["receiver", "smtp"]  # fixtures


@pytest.mark.parametrize(("url", "shown"), [
    ("json://127.0.0.1:9000/hook", "json://127.0.0.1:9000/hook"),
    ("mailto://ops:hunter2-pw@mail.example.com?to=a@b.c", "mailto://ops:••••@mail.example.com?to=a@b.c"),
    ("mailto://ops:secret:smtp_pw@mail.example.com", "mailto://ops:secret:smtp_pw@mail.example.com"),
    ("json://h/p?token=abc123&x=1", "json://h/p?token=••••&x=1"),
    ("json://h/p?apikey=secret:hook_key", "json://h/p?apikey=secret:hook_key"),
    ("form://user@h:80/p?Password=zz", "form://user@h:80/p?Password=••••"),
    ("slack://secret:slack_token/#ops", "slack://secret:slack_token/#ops"),
])
def test_urls_are_shown_with_inline_secrets_masked(url: str, shown: str) -> None:
    assert display(url) == shown


@pytest.mark.parametrize(("url", "message"), [
    ("not a url", "not a notification URL: '••••'"),
    ("bogus://host/path", "Apprise cannot send to 'bogus://host/path' (unknown scheme 'bogus' or a malformed URL)"),
])
def test_urls_apprise_does_not_know_are_refused(url: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        check(url)
    assert caught.value.message == message and caught.value.exit_code == 2


def test_known_urls_pass_with_secret_references() -> None:
    for url in ("json://127.0.0.1:9000/hook", "mailto://ops:secret:smtp_pw@127.0.0.1:2525?from=flext@example.com&to=ops@example.com",
                "slack://secret:a/secret:b/secret:c/#ops", "discord://secret:webhook_id/secret:webhook_token"):
        check(url)


def test_secrets_are_resolved_url_encoded_and_scrubbed_from_errors() -> None:
    real, values = resolve("json://h/p?token=secret:hook&u=secret:user", {"hook": "a/b c&d", "user": "me"}.__getitem__)
    assert real == "json://h/p?token=a%2Fb%20c%26d&u=me"
    assert scrub("failed for json://h/p?token=a%2Fb%20c%26d (a/b c&d)", values) == "failed for json://h/p?token=•••• (••••)"


def _note(event: str = "firing") -> Notification:
    return Notification("core-down", event, when="service_down(core)", value="service_down(core)=true",
                        detail="connection refused", at="2026-11-27T10:00:00.000Z", correlation_id="c0ffee")


def test_a_json_notification_carries_the_rule_value_time_and_correlation_id(receiver: JsonReceiver) -> None:
    assert send(receiver.url("/alerts/secret:hook"), _note(), {"hook": "tok 1/23"}.__getitem__) is None
    [posted] = receiver.received
    assert posted["path"] == "/alerts/tok%201%2F23"  # the secret went to the receiver (URL-encoded), and only there
    body = posted["body"]
    assert (body["title"], body["type"]) == ("[flext] FIRING: core-down", "failure")
    assert body["message"].splitlines() == [
        "alert: core-down", "rule: service_down(core)", "value: service_down(core)=true",
        "detail: connection refused", "time: 2026-11-27T10:00:00.000Z", "correlation id: c0ffee"]


def test_mail_through_a_real_smtp_server(smtp: SmtpReceiver) -> None:
    assert send(smtp.url("oncall@example.com"), _note("resolved"), {}.__getitem__) is None
    [(sender, to, message)] = smtp.mails
    assert (sender, to, message["Subject"]) == ("flext@example.com", ["oncall@example.com"],
                                                "[flext] RESOLVED: core-down")
    assert "correlation id: c0ffee" in smtp.texts()[0] and "rule: service_down(core)" in smtp.texts()[0]


def test_a_failing_receiver_is_an_error_without_the_secret() -> None:
    failing = JsonReceiver(fail_first=10)
    try:
        error = send(failing.url("/hook/secret:hook"), _note(), {"hook": "tok-SECRET-99"}.__getitem__)
    finally:
        failing.close()
    assert error is not None and "500" in error and "tok-SECRET-99" not in error
    missing = send("json://127.0.0.1:1/hook?token=secret:nope", _note(), {}.__getitem__)
    assert missing == "KeyError: 'nope'"  # a secret that cannot be read fails the delivery, and says which


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_deliveries_retry_with_backoff_and_record_every_attempt() -> None:
    clock = Clock()
    answers = {"json://a/1": ["HTTP 500", "HTTP 500", None], "json://b/2": [None]}
    calls: list[tuple[float, str]] = []

    def deliver(url: str, note: Notification) -> str | None:
        calls.append((clock.now, url))
        return answers[url].pop(0)

    records: list[dict[str, Any]] = []
    worker = Deliveries(deliver, records.append, clock=clock, retries=4, backoff=1.0)
    worker.submit("json://a/1", _note())
    worker.submit("json://b/2", _note())
    assert worker.run_due() == 2  # both at once; a failure does not hold up the other
    assert worker.run_due() == 0 and worker.next_due() == 1001.0
    clock.now = 1001.0
    assert worker.run_due() == 1
    assert worker.next_due() == 1003.0  # 1 s, then 2 s
    clock.now = 1003.0
    assert worker.run_due() == 1 and worker.pending() == 0
    assert calls == [(1000.0, "json://a/1"), (1000.0, "json://b/2"), (1001.0, "json://a/1"), (1003.0, "json://a/1")]
    assert [(r["url"], r["attempt"], r["ok"], r["error"], r["retry_in_s"]) for r in records] == [
        ("json://a/1", 1, False, "HTTP 500", 1.0), ("json://b/2", 1, True, None, None),
        ("json://a/1", 2, False, "HTTP 500", 2.0), ("json://a/1", 3, True, None, None)]
    assert {(r["alert"], r["event"], r["correlation_id"], r["kind"]) for r in records} == {
        ("core-down", "firing", "c0ffee", "delivery")}


def test_deliveries_give_up_after_the_retries() -> None:
    clock = Clock()
    records: list[dict[str, Any]] = []
    worker = Deliveries(lambda url, note: "refused", records.append, clock=clock, retries=2, backoff=10.0)
    worker.submit("json://a/1", _note())
    for _ in range(5):
        worker.run_due()
        due = worker.next_due()
        if due is None:
            break
        clock.now = due
    assert [(r["attempt"], r["retry_in_s"]) for r in records] == [(1, 10.0), (2, 20.0), (3, None)]


def test_the_worker_thread_delivers_without_blocking_the_caller(receiver: JsonReceiver) -> None:
    from tests.engine.conftest import poll

    records: list[dict[str, Any]] = []
    worker = Deliveries(lambda url, note: send(url, note, {}.__getitem__), records.append)
    worker.start()
    try:
        worker.submit(receiver.url(), _note())
        poll(lambda: records, timeout=20, what="the delivery")
    finally:
        worker.stop()
    assert records[0]["ok"] is True and len(receiver.received) == 1
