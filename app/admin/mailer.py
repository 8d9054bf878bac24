"""The account e-mails: an invitation and a password-reset link, in Danish and English
(the invitee's language is not known yet). The e-mail carries the link only."""

from __future__ import annotations

import logging
from datetime import datetime

from app import mail
from app.config import Settings
from app.errors import N_
from app.i18n import format_moment, translate

log = logging.getLogger("arbejdsglaede")

INVITE_SUBJECT = N_("Your invitation to Arbejdsglæde")
INVITE_BODY = N_(
    "Hello %(name)s,\n\nyou have been given an account in Arbejdsglæde. Open this link to "
    "choose your password; it works once, until %(until)s:\n\n%(url)s\n"
)
RESET_SUBJECT = N_("Choose a new password for Arbejdsglæde")
RESET_BODY = N_(
    "Hello %(name)s,\n\nopen this link to choose a new password for Arbejdsglæde; it works "
    "once, until %(until)s:\n\n%(url)s\n\nIf you did not ask for it, ignore this e-mail: "
    "your password stays as it is.\n"
)


def absolute(settings: Settings, path: str) -> str:
    """A link for an e-mail or to copy: from the configured base URL, never the request's
    Host header, which anyone can set."""
    return settings.base_url.rstrip("/") + path


def send_link(
    settings: Settings, *, invite: bool, to: str, name: str, url: str, until: datetime
) -> bool:
    """E-mail the link when SMTP is configured; whether it was sent. A failure is logged by
    its kind only, never the address or the link."""
    smtp = mail.SmtpConfig.from_settings(settings)
    if smtp is None:
        return False
    subject_id, body_id = (INVITE_SUBJECT, INVITE_BODY) if invite else (RESET_SUBJECT, RESET_BODY)
    bodies = [
        translate(lang, body_id, name=name, url=url, until=format_moment(until, lang, "long"))
        for lang in ("da", "en")
    ]
    subject = " · ".join(translate(lang, subject_id) for lang in ("da", "en"))
    body = bodies[0] + "\n— English —\n\n" + bodies[1]
    message = mail.compose(sender=smtp.sender, to=to, subject=subject, body=body)
    try:
        mail.send(smtp, message)
    except mail.MailNotSent as problem:
        log.warning("account e-mail not sent: invite=%s kind=%s", invite, problem.kind)
        return False
    return True
