"""One error style across kerasgan: every literal ValueError/TypeError message reads
"Expected <what>. Received: <what>." (plus the fix), so a second style cannot creep back."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "kerasgan")
CHECKED = ("ValueError", "TypeError")

# (file, start of the message, reason). Each entry must still match a message: fixing one means
# deleting its entry.
ALLOWED = (
    ("kerasgan/callbacks.py", "Checkpoint paths must end in '.keras'",
     "not yet restyled: file outside the change that restyled the others"),
    ("kerasgan/data/sources.py", "Image folder '{}' has no splits",
     "file-format / not-found message, not an argument check; not yet restyled"),
    ("kerasgan/data/sources.py", "source={} needs a dataset name",
     "not-found message, not an argument check; not yet restyled"),
    ("kerasgan/losses.py", "A discriminator loss needs real_output",
     "not yet restyled: file outside the change that restyled the others"),
    ("kerasgan/losses.py", "Unknown loss family",
     "not yet restyled: file outside the change that restyled the others"),
    ("kerasgan/networks/layers.py", "Layer '{}' must be built before tie()",
     "tied-layer code under concurrent rework; not yet restyled"),
    ("kerasgan/networks/layers.py", "tie() needs a built source layer",
     "tied-layer code under concurrent rework; not yet restyled"),
    ("kerasgan/networks/layers.py", "Cannot tie layer",
     "tied-layer code under concurrent rework; not yet restyled"),
    ("kerasgan/networks/layers.py", "TiedDense does not support",
     "tied-layer code under concurrent rework; not yet restyled"),
    ("kerasgan/zoo/registry.py", "Preset '{}' config lacks required keys",
     "not yet restyled: file outside the change that restyled the others"),
    ("kerasgan/zoo/registry.py", "Unknown preset",
     "not yet restyled: file outside the change that restyled the others"),
)


def _text(node):
    """The literal text of a message node ("{}" for each formatted value), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        left, right = _text(node.left), _text(node.right)
        if left is None and right is None:
            return None
        return (left or "{}") + (right or "{}")
    return None


def _messages(source, path):
    """(path, line, text) of each ValueError/TypeError call with a literal message."""
    for node in ast.walk(ast.parse(source, path)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in CHECKED and node.args):
            text = _text(node.args[0])
            if text is not None:
                yield path, node.lineno, text


def _package_messages():
    found = []
    for folder, _, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    found.extend(_messages(f.read(), os.path.relpath(path, ROOT).replace(os.sep, "/")))
    return found


def _off_style(messages):
    return [(p, line, text) for p, line, text in messages
            if not ("Expected" in text and "Received" in text)]


def _allowed(path, text):
    return any(path == p and text.startswith(start) for p, start, _ in ALLOWED)


def test_every_error_message_says_expected_and_received():
    messages = _package_messages()
    assert len(messages) > 100  # the scan sees the package's checks
    bad = [f"{p}:{line}: {text[:100]!r}" for p, line, text in _off_style(messages)
           if not _allowed(p, text)]
    assert not bad, ("Error messages not in the style \"Expected <what>. Received: <what>.\" "
                     "(plus the fix):\n" + "\n".join(bad))


def test_allow_list_is_current():
    off = _off_style(_package_messages())
    stale = [(p, start) for p, start, _ in ALLOWED
             if not any(path == p and text.startswith(start) for path, _, text in off)]
    assert not stale, f"Allow-list entries that match no off-style message (delete them): {stale}"


@pytest.mark.parametrize("source, flagged", [
    ('raise ValueError(f"n must be >= 1. Received: n={n}")', True),
    ('raise TypeError("Unknown thing " + repr(x))', True),
    ('raise ValueError("Bad value %s" % x)', True),
    ('raise ValueError(f"Expected n >= 1. Received: n={n}")', False),
    ('raise ValueError("Expected n >= 1. " f"Received: n={n}. Pass n=1.")', False),
    ('raise ValueError(message)', False),  # not a literal: checked where the text is built
])
def test_the_scan_flags_a_second_style(source, flagged):
    assert bool(_off_style(list(_messages(source, "x.py")))) == flagged
