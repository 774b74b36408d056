"""One error style across kerasgan, its tools and its studies: every literal message of a
ValueError, TypeError, DataFormatError or DataNotFoundError reads "Expected <what>. Received:
<what>." (plus the fix), so a second style cannot creep back."""

import ast
import os

import pytest

# The subject does not depend on the Keras backend: the TensorFlow pass runs these.
pytestmark = pytest.mark.backend_neutral

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCANNED = ("kerasgan", "tools", "studies")
CHECKED = ("ValueError", "TypeError", "DataFormatError", "DataNotFoundError")

# (file, start of the message, reason). Each entry must still match a message: fixing one means
# deleting its entry.
ALLOWED = ()  # every message is in the one style; add (file, start, reason) only with a reason


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


def _called_name(func):
    """`X` of a call `X(...)` or `module.X(...)`, else None."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _messages(source, path):
    """(path, line, text) of each call of a CHECKED exception with a literal message."""
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Call) and _called_name(node.func) in CHECKED and node.args:
            text = _text(node.args[0])
            if text is not None:
                yield path, node.lineno, text


def _package_messages():
    found = []
    for top in SCANNED:
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8") as f:
                        found.extend(_messages(
                            f.read(), os.path.relpath(path, ROOT).replace(os.sep, "/")))
    return found


def _off_style(messages):
    return [(p, line, text) for p, line, text in messages
            if not ("Expected" in text and "Received" in text)]


def _allowed(path, text):
    return any(path == p and text.startswith(start) for p, start, _ in ALLOWED)


def test_every_error_message_says_expected_and_received():
    messages = _package_messages()
    assert len(messages) > 100  # the scan sees the package's checks
    seen = {path.split("/")[0] for path, _, _ in messages}
    assert seen == set(SCANNED), seen  # ... and those of tools/ and studies/
    # ... and the data errors: a DataFormatError and a DataNotFoundError of kerasgan/data/idx.py.
    idx = [text for path, _, text in messages if path == "kerasgan/data/idx.py"]
    assert any("IDX magic number" in t for t in idx) and any("IDX directory" in t for t in idx)
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
    ('raise DataFormatError(f"File {p} is corrupt.")', True),
    ('raise kd.DataNotFoundError(f"No files in {d}.")', True),
    ('raise DataNotFoundError(f"Expected IDX files. Received: none in {d}. Point to them.")',
     False),
    ('raise OSError(f"No space left for {p}")', False),  # not a checked type
])
def test_the_scan_flags_a_second_style(source, flagged):
    assert bool(_off_style(list(_messages(source, "x.py")))) == flagged


def test_converted_messages_read_expected_received(tmp_path):
    """The messages that were in an older style, raised for real: each names what it expected,
    what it received, and the fix."""
    import keras

    import kerasgan
    from kerasgan import networks

    with pytest.raises(ValueError, match=r"Expected a checkpoint path ending in '\.keras'\. "
                                         r"Received: path='ckpt\.h5'\. Name the file"):
        kerasgan.callbacks.AtomicCheckpoint("ckpt.h5")
    with pytest.raises(ValueError, match=r"Expected a dataset name with source='tfds'\. Received: "
                                         r"the directory .*Pass source='auto'"):
        kerasgan.data.load(str(tmp_path), source="tfds")
    unbuilt = networks.TiedConv2D(4, 3, padding="same", name="unbuilt")
    source = keras.layers.Conv2D(4, 3, padding="same", name="source")
    with pytest.raises(ValueError, match=r"Expected layer 'unbuilt' to be built before tie\(\)\. "
                                         r"Received: an unbuilt layer\. Build its model first"):
        unbuilt.tie(source)
    x = keras.Input((8, 8, 4))
    keras.Model(x, unbuilt(x))
    with pytest.raises(ValueError, match=r"Expected a built source layer with a kernel for tie\(\)\. "
                                         r"Received: source=.*Build the source's model first"):
        unbuilt.tie(source)
