import socket

from app.config import Settings
from app.mail import send_mail
from tests.support.smtp import SmtpServer, body_text


def test_send_mail_delivers_to_a_real_smtp_server(mailbox: SmtpServer, settings: Settings) -> None:
    assert send_mail(settings, "amina@example.org", "Receipt PLN-1", "Thank you.\nPLN-1")
    [message] = mailbox.wait_for(1, to="amina@example.org")
    assert message["Subject"] == "Receipt PLN-1"
    assert "PLN-1" in body_text(message)
    assert message["From"] == settings.mail_from


def test_send_mail_to_a_dead_server_retries_then_gives_up(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    assert send_mail(settings, "a@example.org", "s", "b", attempts=2, backoff_s=0) is False


def test_send_mail_without_configuration_logs_instead(settings: Settings) -> None:
    settings.smtp_url = ""
    assert send_mail(settings, "a@example.org", "s", "b") is False


def test_send_mail_rejects_unknown_scheme(settings: Settings) -> None:
    settings.smtp_url = "http://127.0.0.1:25"
    assert send_mail(settings, "a@example.org", "s", "b", attempts=3, backoff_s=5) is False
