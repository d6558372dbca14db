"""One root exception for everything responder reports to a user, and a few kinds of it."""


class ResponderError(Exception):
    """A problem responder can name in one line for the user."""


class ConfigError(ResponderError):
    """A setting, template or pattern file is wrong; the message names it."""


class MailboxError(ResponderError):
    """The mail server or Maildir refused or failed an operation."""


class TransientMailboxError(MailboxError):
    """A failure worth retrying later: dropped connection, timeout, server restart."""


class StateError(ResponderError):
    """The state store cannot be opened or written."""
