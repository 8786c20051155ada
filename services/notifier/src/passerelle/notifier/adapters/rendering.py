"""Renders a kind's one Jinja2 template (autoescape on) into a subject, a feed summary, plain text and HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
_INNER_SPACES = re.compile(r"(?<=\S) {2,}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    summary: str
    text: str
    html: str


def _plain(markup: str) -> str:
    """Blocks come out HTML-escaped (autoescape): text parts are unescaped back to what a person reads."""
    return Markup(markup).unescape()


class TemplateRenderer:
    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._env = Environment(
            loader=FileSystemLoader(str(directory)), autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
        self._cache: dict[str, Template] = {}

    def _template(self, name: str) -> Template:
        if name not in self._cache:
            self._cache[name] = self._env.get_template(f"{name}.html")
        return self._cache[name]

    def _block(self, template: Template, block: str, context: dict[str, Any]) -> str:
        return "".join(template.blocks[block](template.new_context(context)))

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        template = self._template(name)
        subject = _SPACES.sub(" ", _plain(self._block(template, "subject", context))).strip()
        summary = _SPACES.sub(" ", _plain(self._block(template, "summary", context))).strip()
        greeting = f"Bonjour {context['recipient_name']}," if context.get("recipient_name") else "Bonjour,"
        body = _plain(self._block(template, "text", context)).strip()
        footer = _plain(self._env.get_template("_footer.txt").render(context))
        text = _BLANK_LINES.sub("\n\n", f"{greeting}\n\n{body}{footer}").rstrip() + "\n"
        text = "\n".join(_INNER_SPACES.sub(" ", line) for line in text.split("\n"))
        html = template.render(context)
        return Rendered(subject=subject, summary=summary, text=text, html=html)
