"""The theme's templates, compiled, kept in the cache folder (``templates/``) for the next process.

Compiling the default theme's templates takes about 0.12 s, paid again by every process that
renders: each one-edit ``timeline build`` (2.7 s in all at 10,000 events), each start of
``timeline serve``. Jinja can keep each template's code (``jinja2.BytecodeCache``) and load it
back in about 3 ms. A kept template is used only if its source is byte for byte the one it
was compiled from and the compiler is the same (the Jinja version, Python's through Jinja's
own magic number, this package's templating and theme modules, and the environment's class,
code generator and lexer settings, which shape the code Jinja makes): each is part of the
checksum Jinja compares, so anything else compiles anew and replaces the file.

Best effort, and never a danger: a file that cannot be read or written only means compiling
(a read-only cache folder, a full disk); a kept file is read only if it is a regular file,
never through a link, and never a FIFO that would block (``files.read_regular``), and
written under a temporary name, then renamed into place (``files.replace``).
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from timeline import files
from timeline.site.theme_folders import KEPT_TEMPLATES

_HERE = Path(__file__).resolve().parent
_COMPILER_MODULES = ("templating.py", "theme.py", "compiled.py")


def _compiler() -> bytes:
    """What else shapes a template's code: Jinja's version and this package's modules that
    set its options and its code generator."""
    digest = hashlib.blake2b(jinja2.__version__.encode(), digest_size=16)
    for name in _COMPILER_MODULES:
        with suppress(OSError):
            digest.update(files.read_regular(_HERE / name))
    return digest.digest()


def _settings(env: jinja2.Environment) -> str:
    """What of an environment shapes the code it compiles: its class and code generator, the
    lexer's settings, the extensions, escaping and finalizing."""
    generator = env.code_generator_class
    settings = (
        f"{type(env).__module__}.{type(env).__qualname__}",
        f"{generator.__module__}.{generator.__qualname__}",
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
        env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.autoescape if isinstance(env.autoescape, bool) else "callable",
        env.finalize is not None, sorted(env.extensions),
    )  # fmt: skip
    return repr(settings)


class KeptTemplates(jinja2.BytecodeCache):
    """Compiled templates in ``cache_folder/templates``, one file per template (its name's
    key), replaced when its source or the compiler changes."""

    def __init__(self, cache_folder: Path) -> None:
        self.cache_folder = cache_folder
        self.folder = cache_folder / KEPT_TEMPLATES
        self.compiler = _compiler().hex()

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:  # fmt: skip
        """Jinja's bucket, its checksum (which Jinja compares with the kept file's) that of
        the source and of everything else the code depends on."""
        return super().get_bucket(environment, name, filename,
                                  f"{self.compiler} {_settings(environment)}\n{source}")

    def _file(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            data = files.read_regular(self._file(bucket), follow=False)
        except OSError:
            return
        try:  # a wrong magic or checksum leaves the bucket empty: Jinja compiles
            bucket.bytecode_from_string(data)
        except Exception:  # whatever damaged bytes make the unpickler of its checksum raise
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not files.real_folder(self.cache_folder):
            return  # none yet: the first build makes it after compiling its macros
        with suppress(OSError):
            files.make_one_folder(self.folder)
            files.replace(self._file(bucket), bucket.bytecode_to_string())
