"""Human vs synthetic training data: the decision core, without any UI."""

__version__ = "0.1.0"
