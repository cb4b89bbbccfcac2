"""The email outbox: nothing lost when Redis or the mail server is down, nothing sent twice."""

import threading
from datetime import timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxEmail, OutboxStatus
from tests.cases.factories import notification_fields, post_notification

LOCMEM = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def queue(key="k1", to="alice@example.org"):
    return outbox.email_queue(key=key, to=to, subject="Hello", body="A link", kind="test")


@pytest.fixture
def smtp_down(mocker):
    return mocker.patch(
        LOCMEM, side_effect=SMTPServerDisconnected("Connection unexpectedly closed")
    )


@pytest.mark.django_db
def test_an_email_is_written_with_its_change_and_sent_once_after_commit(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
        assert mailoutbox == []  # nothing leaves before the change is committed
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert mailoutbox[0].extra_headers["Message-ID"] == outbox.message_id(email)
    assert outbox.email_send(email.pk) == outbox.TAKEN
    assert outbox.sweep().sent == []
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not OutboxEmail.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_same_key_is_the_same_email(mailoutbox):
    assert queue(key="same") == queue(key="same")
    assert OutboxEmail.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_email_waits_longer_each_time_then_fails_and_can_be_retried(mailoutbox, mocker):
    email = queue()
    refused = mocker.patch(LOCMEM, side_effect=SMTPServerDisconnected("down"))
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(outbox.MAX_ATTEMPTS):
            assert outbox.email_send(email.pk) == outbox.FAILED
            email.refresh_from_db()
            waits.append(email.next_attempt_at - timezone.now())
            assert outbox.email_send(email.pk) == outbox.TAKEN  # not due yet
            clock.shift(timedelta(hours=2))
    assert [w.total_seconds() / 60 for w in waits[:4]] == [1, 2, 4, 8]
    assert email.status == OutboxStatus.FAILED
    assert "SMTPServerDisconnected: down" in email.last_error
    refused.side_effect = None
    refused.return_value = 1
    outbox.email_retry(email=email)
    assert outbox.sweep().sent == [email]


@pytest.mark.django_db
def test_run_job_sends_what_is_due_and_a_second_run_sends_nothing(mailoutbox, smtp_down, mocker):
    queue(key="a", to="one@example.org")
    queue(key="b", to="two@example.org")
    out = StringIO()
    with pytest.raises(Exception, match="2 could not be sent now"):
        call_command("run_job", "send_outbox", stdout=out)
    mocker.stopall()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        out = StringIO()
        call_command("run_job", "send_outbox", "--dry-run", stdout=out)
        assert out.getvalue().splitlines()[-1] == "2 sent, 0 already sent before"
        assert mailoutbox == []
        out = StringIO()
        call_command("run_job", "send_outbox", stdout=out)
        assert out.getvalue().splitlines() == [
            "send_outbox\t\ttest\tone@example.org",
            "send_outbox\t\ttest\ttwo@example.org",
            "2 sent, 0 already sent before",
        ]
        out = StringIO()
        call_command("run_job", "send_outbox", stdout=out)
        assert out.getvalue().splitlines() == ["0 sent, 0 already sent before"]
    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.org", "two@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_email_once(mocker):
    # As a request leaves it when the broker was down: waiting for the sweep.
    email = OutboxEmail.objects.create(key="k", to="a@example.org", subject="s", body="b", kind="t")
    sending, release = threading.Event(), threading.Event()
    sent = []

    def slow_mail_server(self, messages):
        sending.set()
        release.wait(timeout=30)  # held until the second sweep has run past this email
        sent.extend(messages)
        return len(messages)

    mocker.patch(LOCMEM, slow_mail_server)
    results = {}

    def first():
        results["first"] = outbox.sweep()
        connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert sending.wait(timeout=30)
    results["second"] = outbox.sweep()  # the row is locked by the first: skipped
    release.set()
    thread.join(timeout=30)
    assert [e.pk for e in results["first"].sent] == [email.pk]
    assert results["second"].sent == []
    assert len(sent) == 1


@pytest.mark.django_db
def test_with_redis_down_and_smtp_failing_a_public_notification_is_kept_and_later_sent_once(
    client,
    panel,
    administrator,
    redis_down,
    smtp_down,
    mailoutbox,
    mocker,
    caplog,
    django_capture_on_commit_callbacks,
):
    dates = {"date_of_birth", "date_of_death", "notified_on"}
    post = {
        **{k: getattr(v, "pk", v) for k, v in notification_fields(panel).items() if k not in dates},
        "date_of_birth_0": "1", "date_of_birth_1": "2", "date_of_birth_2": "2020",
        "date_of_death_0": "4", "date_of_death_1": "3", "date_of_death_2": "2024",
        "notified_on_0": "5", "notified_on_1": "3", "notified_on_2": "2024",
        "notifier_email": "nina@example.org", "notifier_phone": "01234 567890",
        "notifier_role": "Paediatrician",
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _, response = post_notification(client, f"/notify/{panel.code}/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    email = OutboxEmail.objects.get(kind="public_notification")
    assert email.status == OutboxStatus.WAITING
    assert "not queued" in caplog.text  # the broker was down: the sweep will send it
    assert outbox.sweep().failed == 1  # SMTP is down too
    mocker.stopall()  # both are back
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert len(outbox.sweep().sent) == 1
        assert outbox.sweep().sent == []
    assert [m.to for m in mailoutbox] == [[administrator.email]]
    assert "Example" not in mailoutbox[0].body  # a link, never the child's details


@pytest.mark.django_db
def test_administrators_see_their_panels_emails_and_retry_a_failed_one(
    client, panel, administrator, system, mailoutbox
):
    from accounts.services import user_create
    from tests.conftest import sign_in

    failed = OutboxEmail.objects.create(
        key="f", to="gp@example.org", subject="About a request", body="A link", kind="test",
        panel=panel, status=OutboxStatus.FAILED, attempts=8,
        last_error="SMTPRecipientsRefused: 550 no such user",
    )  # fmt: skip
    sign_in(client, administrator)
    page = client.get("/manage/outbox/").content.decode()
    assert "gp@example.org" in page
    assert "About a request" in page
    assert "550 no such user" in page
    client.post(f"/manage/outbox/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.WAITING
    assert outbox.sweep().sent == [failed]

    sysadmin = user_create(email="sys@example.org", full_name="Sys", is_staff=True, by=system)
    sign_in(client, sysadmin)
    page = client.get("/manage/outbox/").content.decode()
    assert "Sent" in page
    assert "gp@example.org" not in page  # counts and failures, never addresses or content
    assert "About a request" not in page
