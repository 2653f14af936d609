"""Prompt templates as versioned files in ``prompts/``.

One file per chain, e.g. ``prompts/answer.v1.jinja``::

    ---
    id: answer
    version: 1
    description: Cited answer from numbered knowledge passages.
    variables: [question, passages]
    ---
    {# system #}
    You answer questions ...
    {# user #}
    {{ question | xml("question") }}

Decisions:

- The YAML header is validated by a Pydantic model with ``extra="forbid"``, so a typo
  (``varaibles:``) fails at load time instead of silently dropping a declaration.
- The body is split on two Jinja comment markers, ``{# system #}`` and ``{# user #}``.
  Comments render as nothing, so a marker cannot leak into a prompt, and the file stays
  plain Jinja that any editor highlights.
- Rendering uses a ``SandboxedEnvironment`` with ``StrictUndefined``. Every variable the
  template reads must be declared in the header (checked at load time), every declared
  variable must be passed, and anything not declared is refused.
- Untrusted text cannot be placed raw: every ``{{ ... }}`` output is escaped by
  `pipeline.serialize.escape_text` (hidden characters stripped, XML special characters
  escaped), and the ``xml`` filter wraps structured values with `pipeline.serialize.to_xml`.
  Template literals are ours and are not escaped.
- ``version_hash`` is ``sha256:`` plus the first 16 hex digits of the SHA-256 of the
  file's bytes. It is computed, never read from the header, and stored with every output
  the prompt produced.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.serialize import escape_text, to_xml

__all__ = [
    "PROMPTS_PACKAGE",
    "PromptFile",
    "PromptFileError",
    "PromptTemplateFile",
    "RenderedPrompt",
    "load_prompt",
    "parse_prompt",
    "prompt_names",
]

PROMPTS_PACKAGE = "prompts"
"""The package holding the prompt files (installed as package data with the wheel)."""

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?P<header>.*?)\r?\n---[ \t]*\r?\n(?P<body>.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^[ \t]*\{#-?\s*(system|user)\s*-?#\}[ \t]*\r?\n?", re.MULTILINE)


class PromptFileError(ValueError):
    """A prompt file is malformed, or was rendered with the wrong variables."""


def _finalize(value: Any) -> Any:
    # Every expression output passes through here before autoescape: our own escaping
    # (which also strips hidden characters) runs once, and the Markup result is left alone.
    if isinstance(value, Markup):
        return value
    return Markup(escape_text(value if isinstance(value, str) else str(value)))


def _xml_filter(value: Any, tag: str, item_tag: str = "item", **attrs: Any) -> Markup:
    return Markup(to_xml(tag, value, attrs=attrs, item_tag=item_tag))


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["xml"] = _xml_filter
    return env


_ENV = _environment()


class _Header(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    version: int
    description: str
    variables: list[str] = []


class RenderedPrompt(BaseModel):
    """A prompt rendered for one call: the system and user message texts."""

    prompt_id: str = Field(description="`id` of the prompt file.")
    version_hash: str = Field(description="Content hash of the prompt file that rendered it.")
    system: str = Field(description="System message text.")
    user: str = Field(description="User message text.")


class PromptFile(BaseModel):
    """One parsed prompt file: header, template sources and content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable chain id, e.g. `answer`.")
    version: int = Field(description="Human version number from the header.")
    description: str = Field(description="What the prompt is for.")
    variables: list[str] = Field(description="Variables the template may read; rendering needs exactly these.")
    system_template: str = Field(description="Jinja source of the system message.")
    user_template: str = Field(description="Jinja source of the user message.")
    version_hash: str = Field(description="`sha256:` plus 16 hex digits of the file's SHA-256.")

    def render(self, **variables: Any) -> RenderedPrompt:
        """Render the system and user messages.

        Args:
            **variables: Exactly the variables declared in the header.

        Returns:
            The rendered messages, tagged with the prompt id and version hash.

        Raises:
            PromptFileError: If a variable is missing or not declared.
        """
        declared = set(self.variables)
        unknown = sorted(set(variables) - declared)
        missing = sorted(declared - set(variables))
        if unknown:
            raise PromptFileError(f"prompt {self.id!r}: undeclared variables {unknown}")
        if missing:
            raise PromptFileError(f"prompt {self.id!r}: missing variables {missing}")
        try:
            system = _ENV.from_string(self.system_template).render(**variables)
            user = _ENV.from_string(self.user_template).render(**variables)
        except TemplateError as exc:
            raise PromptFileError(f"prompt {self.id!r}: {exc}") from exc
        return RenderedPrompt(
            prompt_id=self.id, version_hash=self.version_hash, system=system.strip(), user=user.strip()
        )


PromptTemplateFile = PromptFile
"""Alias: the name the design notes use for `PromptFile`."""


def parse_prompt(data: bytes, *, name: str = "<prompt>") -> PromptFile:
    """Parse a prompt file's bytes.

    Args:
        data: The file's bytes (UTF-8).
        name: File name, for error messages.

    Returns:
        The validated prompt file.

    Raises:
        PromptFileError: If the header, the section markers or the template are invalid,
            or the template reads a variable the header does not declare.
    """
    match = _FRONT_MATTER.match(data.decode("utf-8"))
    if not match:
        raise PromptFileError(f"{name}: expected a '---' YAML header, then '---', then the template")
    try:
        header = _Header.model_validate(yaml.safe_load(match["header"]) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise PromptFileError(f"{name}: invalid header: {exc}") from exc

    parts = _SECTION.split(match["body"])
    # split() with one group gives [before, name1, text1, name2, text2, ...]
    if parts[0].strip() or len(parts) != 5 or parts[1::2] != ["system", "user"]:
        raise PromptFileError(f"{name}: the body must be '{{# system #}}' ... then '{{# user #}}' ...")
    system_src, user_src = parts[2], parts[4]

    used: set[str] = set()
    for src in (system_src, user_src):
        try:
            used |= meta.find_undeclared_variables(_ENV.parse(src))
        except TemplateError as exc:
            raise PromptFileError(f"{name}: template error: {exc}") from exc
    undeclared = sorted(used - set(header.variables))
    if undeclared:
        raise PromptFileError(f"{name}: template reads undeclared variables {undeclared}")

    return PromptFile(
        **header.model_dump(),
        system_template=system_src,
        user_template=user_src,
        version_hash="sha256:" + hashlib.sha256(data).hexdigest()[:16],
    )


@lru_cache(maxsize=32)
def load_prompt(name: str, *, directory: Path | None = None) -> PromptFile:
    """Load a prompt from ``prompts/`` by file stem, e.g. ``load_prompt("answer.v1")``.

    Args:
        name: File name with or without the ``.jinja`` suffix.
        directory: Folder to look in (tests pass a temporary one); by default the
            ``prompts`` package's files, found with ``importlib.resources``.

    Returns:
        The parsed prompt file (cached per name).

    Raises:
        PromptFileError: If the name is not a plain file name, the file does not exist,
            or it is malformed.
    """
    filename = name if name.endswith(".jinja") else f"{name}.jinja"
    if Path(filename).name != filename:
        raise PromptFileError(f"prompt name must be a plain file name: {name!r}")
    path: Traversable = directory / filename if directory is not None else files(PROMPTS_PACKAGE) / filename
    if not path.is_file():
        raise PromptFileError(f"no prompt file {filename!r} in {directory or PROMPTS_PACKAGE}")
    return parse_prompt(path.read_bytes(), name=filename)


def prompt_names() -> list[str]:
    """The file names of every shipped prompt, sorted."""
    return sorted(f.name for f in files(PROMPTS_PACKAGE).iterdir() if f.name.endswith(".jinja"))
