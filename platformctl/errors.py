"""Errors a user can act on: printed as one line, never as a traceback."""


class PlatformError(Exception):
    """Something the user must fix; the message says what is wrong and what to do."""


class TerraformError(PlatformError):
    """A Terraform step or its inputs went wrong in a way the user can act on."""
