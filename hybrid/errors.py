"""The one exception type for bad user input.

Everything a user supplies (a scenario, a policy, a dataset, a link) that cannot be used raises
``InputError`` with a message that names the file or field and what is wrong. The CLI turns it into
exit code 2 and one line on stderr; pages show it in an error box.
"""


class InputError(ValueError):
    """User-supplied input that cannot be used; the message is meant for the user."""
