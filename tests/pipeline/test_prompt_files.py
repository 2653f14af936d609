from __future__ import annotations

import hashlib

import pytest

from pipeline.prompt_files import PromptFileError, load_prompt, parse_prompt, prompt_names

GOOD = b"""---
id: demo
version: 2
description: A demo prompt.
variables: [name, items]
---
{# system #}
You greet people.
{# user #}
Hello {{ name }}.
{{ items | xml("items", item_tag="thing") }}
"""


def test_parse_prompt_reads_header_sections_and_hash():
    prompt = parse_prompt(GOOD)

    assert (prompt.id, prompt.version, prompt.variables) == ("demo", 2, ["name", "items"])
    assert prompt.version_hash == "sha256:" + hashlib.sha256(GOOD).hexdigest()[:16]
    assert prompt.system_template.strip() == "You greet people."


def test_render_escapes_plain_variables_and_serializes_xml_filter():
    rendered = parse_prompt(GOOD).render(name="<b>Ann</b>\u200b", items=["x & y"])

    assert rendered.system == "You greet people."
    assert rendered.user == ("Hello &lt;b&gt;Ann&lt;/b&gt;.\n<items>\n  <thing>x &amp; y</thing>\n</items>")
    assert rendered.prompt_id == "demo"


def test_render_refuses_undeclared_variable():
    with pytest.raises(PromptFileError, match="undeclared variables \\['extra'\\]"):
        parse_prompt(GOOD).render(name="a", items=[], extra="x")


def test_render_refuses_missing_variable():
    with pytest.raises(PromptFileError, match="missing variables \\['items'\\]"):
        parse_prompt(GOOD).render(name="a")


def test_parse_prompt_refuses_template_reading_undeclared_variable():
    data = GOOD.replace(b"Hello {{ name }}", b"Hello {{ secret }}")

    with pytest.raises(PromptFileError, match="undeclared variables \\['secret'\\]"):
        parse_prompt(data)


def test_parse_prompt_refuses_unknown_header_key():
    data = GOOD.replace(b"version: 2", b"version: 2\nversion_hash: sha256:forged")

    with pytest.raises(PromptFileError, match="invalid header"):
        parse_prompt(data)


@pytest.mark.parametrize(
    "body",
    [b"no markers at all\n", b"{# user #}\nu\n{# system #}\ns\n", b"text first\n{# system #}\ns\n{# user #}\nu\n"],
)
def test_parse_prompt_refuses_bad_sections(body):
    header = GOOD.split(b"---\n{# system #}")[0] + b"---\n"

    with pytest.raises(PromptFileError, match="body must be"):
        parse_prompt(header + body)


def test_parse_prompt_refuses_missing_front_matter():
    with pytest.raises(PromptFileError, match="YAML header"):
        parse_prompt(b"{# system #}\ns\n{# user #}\nu\n")


def test_render_sandbox_blocks_attribute_escape():
    data = GOOD.replace(b"Hello {{ name }}", b"Hello {{ name.__class__.__mro__ }}")

    with pytest.raises(PromptFileError):
        parse_prompt(data).render(name="a", items=[])


def test_load_prompt_finds_repository_prompts():
    prompt = load_prompt("answer.v1")

    assert prompt.id == "answer"
    assert set(prompt.variables) == {"question", "passages"}
    assert "answer.v1.jinja" in prompt_names()


def test_load_prompt_reads_from_directory_and_refuses_paths(tmp_path):
    (tmp_path / "demo.v2.jinja").write_bytes(GOOD)

    assert load_prompt("demo.v2", directory=tmp_path).id == "demo"
    with pytest.raises(PromptFileError, match="plain file name"):
        load_prompt("../secrets", directory=tmp_path)
    with pytest.raises(PromptFileError, match="no prompt file"):
        load_prompt("absent", directory=tmp_path)
