"""The tools' rule for the files they write: an existing file is replaced only when asked.

Every tool that writes a named output checks it before any work starts (a benchmark or a
training run can take hours), so a refusal costs nothing and nothing is half done.
"""

import os


def refuse_existing(path, overwrite=False, flag="--overwrite"):
    """Raises FileExistsError when `path` exists and `overwrite` is false.

    Args:
        path: An output the command is about to write (nothing for an empty path).
        overwrite: The user asked to replace it.
        flag: The command's way to ask for the replacement, named in the message.
    """
    if path and not overwrite and os.path.lexists(path):
        raise FileExistsError(
            f"Expected a new output path. Received: '{path}', which already exists; nothing was "
            f"written. Pass {flag} to replace it, or choose another path.")
