"""How a process authenticates to Kafka: SASL (SCRAM) with one principal per service (issue #10, item 4).

Every Kafka client of the platform (FastStream's broker, the relay's producer, the consumers' dead-letter producer,
the revocation feed, health checks, CLIs, test helpers, benches) takes its options from one `KafkaAuth`:

    auth = settings.kafka_auth()                        # a service: <PREFIX>KAFKA_SASL_* then PASSERELLE_KAFKA_SASL_*
    auth = KafkaAuth.from_env()                         # a CLI or a test: PASSERELLE_KAFKA_SASL_* only
    AIOKafkaProducer(bootstrap_servers=..., **auth.client_options())
    KafkaBroker(bootstrap, security=auth.faststream_security())

The variables: PASSERELLE_KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL; by default SASL_PLAINTEXT
when a username is given, PLAINTEXT otherwise), PASSERELLE_KAFKA_SASL_MECHANISM (SCRAM-SHA-512 by default),
PASSERELLE_KAFKA_SASL_USERNAME, and the password either in PASSERELLE_KAFKA_SASL_PASSWORD or in the file named by
PASSERELLE_KAFKA_SASL_PASSWORD_FILE (a mounted Kubernetes secret; one trailing newline is dropped).
PASSERELLE_KAFKA_CREDENTIALS_DIR, set by the local stack, holds one `<principal>.password` file per principal.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faststream.security import BaseSecurity

PLATFORM_PREFIX = "PASSERELLE_"
DEFAULT_MECHANISM = "SCRAM-SHA-512"
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")


class KafkaAuthError(ValueError):
    """The Kafka security settings contradict themselves (a SASL protocol without a username, ...)."""


def read_secret_file(path: str | os.PathLike[str]) -> str:
    text = Path(path).read_text(encoding="utf-8")
    return text[:-1] if text.endswith("\n") else text


@dataclass(frozen=True, repr=False)
class KafkaAuth:
    security_protocol: str = "PLAINTEXT"
    mechanism: str = DEFAULT_MECHANISM
    username: str | None = None
    password: str | None = None

    def __post_init__(self) -> None:
        if self.security_protocol not in PROTOCOLS:
            raise KafkaAuthError(f"unknown Kafka security protocol {self.security_protocol!r} (one of {PROTOCOLS})")
        if self.sasl:
            if self.mechanism not in MECHANISMS:
                raise KafkaAuthError(f"unknown SASL mechanism {self.mechanism!r} (one of {MECHANISMS})")
            if not self.username or self.password is None:
                raise KafkaAuthError(f"{self.security_protocol} needs a SASL username and password")

    def __repr__(self) -> str:  # never the password, in a log line or a traceback
        return f"KafkaAuth({self.security_protocol}, {self.mechanism}, username={self.username!r})"

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL")

    @classmethod
    def build(
        cls,
        *,
        security_protocol: str | None = None,
        mechanism: str | None = None,
        username: str | None = None,
        password: str | None = None,
        password_file: str | None = None,
    ) -> KafkaAuth:
        if password is None and password_file:
            password = read_secret_file(password_file)
        protocol = security_protocol or ("SASL_PLAINTEXT" if username else "PLAINTEXT")
        return cls(protocol.upper(), (mechanism or DEFAULT_MECHANISM).upper(), username or None, password)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = PLATFORM_PREFIX) -> KafkaAuth:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(f"{prefix}KAFKA_{name}") or None

        return cls.build(
            security_protocol=get("SECURITY_PROTOCOL"),
            mechanism=get("SASL_MECHANISM"),
            username=get("SASL_USERNAME"),
            password=get("SASL_PASSWORD"),
            password_file=get("SASL_PASSWORD_FILE"),
        )

    @classmethod
    def for_principal(cls, principal: str, environ: Mapping[str, str] | None = None) -> KafkaAuth:
        """Another principal of the same cluster, from the local stack's credentials folder (tests, benches)."""
        env = os.environ if environ is None else environ
        folder = env.get(f"{PLATFORM_PREFIX}KAFKA_CREDENTIALS_DIR")
        if not folder:
            raise KafkaAuthError("PASSERELLE_KAFKA_CREDENTIALS_DIR is not set (`stack.py env` prints it)")
        base = cls.from_env(env)
        return cls.build(
            security_protocol=base.security_protocol if base.sasl else None,
            mechanism=base.mechanism,
            username=principal,
            password_file=str(Path(folder) / f"{principal}.password"),
        )

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producers, consumers, admin and bare clients."""
        options: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.sasl:
            options |= {
                "sasl_mechanism": self.mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        if self.security_protocol.endswith("SSL"):
            options["ssl_context"] = ssl.create_default_context()
        return options

    def faststream_security(self) -> BaseSecurity | None:
        """The `security=` of FastStream's KafkaBroker (None: PLAINTEXT)."""
        from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

        use_ssl = self.security_protocol.endswith("SSL")
        context = ssl.create_default_context() if use_ssl else None
        if not self.sasl:
            return BaseSecurity(ssl_context=context, use_ssl=True) if use_ssl else None
        assert self.username is not None and self.password is not None  # checked in __post_init__
        kind = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}[self.mechanism]
        return kind(self.username, self.password, ssl_context=context, use_ssl=use_ssl)


def kafka_options(auth: KafkaAuth | None = None) -> dict[str, Any]:
    """`auth`'s client options, or the platform environment's when none is given (CLIs, test helpers)."""
    return (auth or KafkaAuth.from_env()).client_options()
