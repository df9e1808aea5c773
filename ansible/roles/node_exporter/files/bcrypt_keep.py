"""bcrypt hash of the password on stdin, printed on stdout, with the host's libcrypt.

Run by tasks/web_config.yml as ``python3 -c`` on the managed host. The hash in
BCRYPT_CURRENT_HASH is printed unchanged when the password still matches it (so an unchanged
password leaves the web config alone); otherwise a new salt is drawn, with the cost given as
the first argument. ctypes rather than Python's crypt module, which Python 3.13 removed.
"""

import ctypes
import os
import sys

libcrypt = ctypes.CDLL("libcrypt.so.1")
libcrypt.crypt.restype = ctypes.c_char_p
libcrypt.crypt.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
libcrypt.crypt_gensalt.restype = ctypes.c_char_p
libcrypt.crypt_gensalt.argtypes = (ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int)

password = sys.stdin.buffer.read()
current = os.environ.get("BCRYPT_CURRENT_HASH", "").encode()
if current.startswith(b"$2") and libcrypt.crypt(password, current) == current:
    print(current.decode())
else:
    salt = libcrypt.crypt_gensalt(b"$2b$", int(sys.argv[1]), None, 0)
    hashed = libcrypt.crypt(password, salt)
    if not salt or not hashed or not hashed.startswith(b"$2b$"):
        sys.exit("libcrypt could not make a bcrypt hash")
    print(hashed.decode())
