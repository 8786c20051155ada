"""Structured logging: one JSON object a line, with the service name, for every service.

Every line carries the trace, span, correlation and contract ids, and never personal data
(observability.logcontext); lines from the standard library's loggers (uvicorn, aiokafka...) are JSON too."""

import logging
import sys

import structlog

from passerelle.libs.observability.logcontext import add_trace_context, redact_personal_data


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        add_trace_context,
        redact_personal_data,
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter(json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    # The request line is the telemetry middleware's (route template, no query string, trace id).
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's own handlers would print plain text
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def json_formatter(json: bool = True) -> logging.Formatter:
    """The formatter of the standard library's log records (uvicorn, FastStream, aiokafka...): the same JSON lines,
    context and redaction as structlog's. Also named by deploy/images/logging.json for uvicorn's first lines."""
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_logger_name,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            add_trace_context,
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, redact_personal_data, renderer],
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
