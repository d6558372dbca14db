"""responder: drafts call offers for LinkedIn asks worth answering, files the noise, never sends."""

__version__ = "0.1.0"
