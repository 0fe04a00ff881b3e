"""dialdeck: a keyboard-first terminal power dialer for sales follow-up cadences."""

__version__ = "0.1.0"
