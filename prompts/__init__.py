"""The prompt templates, one file per chain (`<name>.v<N>.jinja`), shipped as package data.

`pipeline.prompt_files.load_prompt` reads them with `importlib.resources`, so an
installed wheel carries and finds them exactly as a source checkout does.
"""
