"""The prompts ship inside the wheel: a non-editable install finds and renders every one."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RENDER_ALL = """
import sys
import pipeline, prompts
from pipeline.prompt_files import load_prompt, prompt_names

assert pipeline.__file__.startswith(sys.prefix), pipeline.__file__
names = prompt_names()
assert {"answer.v1.jinja", "brief.v1.jinja", "extract.v1.jinja"} <= set(names), names
for name in names:
    prompt = load_prompt(name)
    rendered = prompt.render(**{v: "x" for v in prompt.variables})
    assert rendered.user.strip(), name
print(len(names))
"""


@pytest.mark.packaging
def test_wheel_install_renders_every_prompt(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("clientloop-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    target = next((venv / "lib").glob("python3*/site-packages"))
    # The fresh environment borrows the test environment's third-party packages but none of
    # its .pth files, so the editable install of this checkout is invisible there.
    (target / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", RENDER_ALL], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) >= 3
