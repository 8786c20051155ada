"""The one error of the event contracts: a record that is not a valid Passerelle CloudEvent."""


class MalformedMessage(ValueError):
    """A record that is not a valid Passerelle CloudEvent (missing header, bad JSON, unknown type...)."""
