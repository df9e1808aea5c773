"""A bytecode cache for the Python code Ansible sends to this host with every task.

Ansible ships each task's module with its module_utils as a zip (AnsiballZ) and imports them
from it. zipimport never caches bytecode (and Python 3.11's compiles each module twice: once
for its spec's file name, once to run it), so every task compiled ansible.module_utils.basic
and its imports again: about 0.15 s of a no-op task's 0.35 s of CPU on the host.

This path hook serves imports from Ansible's payloads with code compiled once per host and
kept under CACHE_DIR, keyed by a hash of the source, its path inside the payload and the
bytecode version. Only root writes the cache, only root-owned entries that nobody else can
write are read, and anything else falls back to compiling, as zipimport does. It changes
when code is compiled, never what runs.

Installed into the local host image only (images/host/build.sh); cloud machines run Ansible
without it.
"""

import contextlib
import os
import sys
import zipimport

CACHE_DIR = "/var/cache/ansiballz-bytecode"
# Ansible writes each task's payload to <tmp>/ansible_<module>_payload.zip.
PAYLOAD_SUFFIX = "_payload.zip"


class CachingZipImporter(zipimport.zipimporter):
    """zipimport with compiled code kept in CACHE_DIR, for source-only archives."""

    def _source_name(self, fullname):
        """The module's source path inside the archive, or None to leave it to zipimport."""
        base = self.prefix + fullname.rpartition(".")[2]
        if base + "/__init__.pyc" in self._files or base + ".pyc" in self._files:
            return None
        for name in (base + "/__init__.py", base + ".py"):
            if name in self._files:
                return name
        return None

    def get_filename(self, fullname):
        name = self._source_name(fullname)
        if name is None:
            return super().get_filename(fullname)
        return self._files[name][0]

    def get_code(self, fullname):
        name = self._source_name(fullname)
        if name is None:
            return super().get_code(fullname)
        import hashlib
        import importlib.util

        filename = self._files[name][0]
        source = self.get_data(name)
        key = hashlib.sha256(importlib.util.MAGIC_NUMBER + name.encode() + b"\0" + source)
        entry = os.path.join(CACHE_DIR, key.hexdigest())
        code = _load(entry)
        if code is not None:
            # Tracebacks name this task's payload, not the one the code was compiled from.
            return _with_filename(code, filename)
        source = source.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        code = compile(source, filename, "exec", dont_inherit=True)
        _store(entry, code)
        return code

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # Running the module's code is what a loader is for.
        exec(self.get_code(module.__name__), module.__dict__)  # noqa: S102


def _with_filename(code, filename):
    consts = tuple(
        _with_filename(c, filename) if isinstance(c, type(code)) else c for c in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def _load(entry):
    import marshal

    try:
        with open(entry, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_uid != 0 or st.st_mode & 0o022:
                return None
            # Only root wrote this (checked above), from source it compiled itself.
            return marshal.load(f)  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _store(entry, code):
    import marshal

    if os.geteuid() != 0:
        return
    tmp = f"{entry}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as f:
            marshal.dump(code, f)
        os.replace(tmp, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def path_hook(path):
    """Claims Ansible's payloads and the package directories inside them."""
    in_payload = path.endswith(PAYLOAD_SUFFIX) or PAYLOAD_SUFFIX + os.sep in path
    if not in_payload or not _trusted_directory(CACHE_DIR):
        raise ImportError("not an Ansible payload, or no cache to use", path=path)
    return CachingZipImporter(path)


def _trusted_directory(path):
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_uid == 0 and not st.st_mode & 0o022


def install():
    if path_hook not in sys.path_hooks:
        sys.path_hooks.insert(0, path_hook)
