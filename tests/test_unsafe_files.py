"""`.keras` files that would run code on load are refused (`safe_mode=True`), with an error that
says why: a Python lambda or a callable Keras does not know is not a damaged download."""

import json
import zipfile

import keras
import pytest
from conftest import tiny_mlp_gan

import kerasgan
from kerasgan.networks import mlp_generator

NOT_CORRUPT = ("an unsafe file is reported as damaged: kerasgan.load_gan must say it was refused "
               "as unsafe (safe_mode) and what to do, not 'corrupt or truncated'")


@pytest.fixture(scope="module")
def lambda_file(tmp_path_factory):
    """A GAN checkpoint whose discriminator holds a `Lambda` layer with a Python lambda."""
    keras.utils.set_random_seed(0)
    generator = mlp_generator(8, (16,), (4, 4, 1), "sigmoid")
    x = keras.Input((4, 4, 1))
    h = keras.layers.Lambda(lambda t: t * 2.0)(keras.layers.Flatten()(x))
    discriminator = keras.Model(x, keras.layers.Dense(1)(h))
    gan = kerasgan.GAN(generator, discriminator, seed=0)
    gan.compile()
    path = tmp_path_factory.mktemp("unsafe") / "lambda.keras"
    gan.save(path)
    return path


@pytest.fixture(scope="module")
def unknown_callable_file(tmp_path_factory):
    """A GAN checkpoint edited so that a layer's activation names `os.system`."""
    gan = tiny_mlp_gan(seed=0)
    gan.compile()
    directory = tmp_path_factory.mktemp("unknown")
    clean = directory / "clean.keras"
    gan.save(clean)
    with zipfile.ZipFile(clean) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    config = entries["config.json"].decode()
    edited = config.replace(
        '"activation": "sigmoid"',
        '"activation": {"module": "os", "class_name": "function", "config": "system", '
        '"registered_name": "function"}', 1)
    assert edited != config, "the generator's sigmoid activation is not in config.json"
    json.loads(edited)
    entries["config.json"] = edited.encode()
    path = directory / "unknown_callable.keras"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def test_keras_itself_refuses_the_lambda_in_safe_mode(lambda_file):
    with pytest.raises(ValueError, match=r"(?s)Lambda.*safe_mode=False"):
        keras.saving.load_model(lambda_file)


def test_load_gan_refuses_a_lambda_and_says_why(lambda_file):
    with pytest.raises(Exception) as info:
        kerasgan.load_gan(lambda_file)
    message = str(info.value)
    assert str(lambda_file) in message
    assert "lambda" in message.lower()
    # Fails while load_gan wraps every load error as "corrupt or truncated".
    assert "corrupt or truncated" not in message, NOT_CORRUPT
    assert "safe_mode" in message, NOT_CORRUPT


def test_load_gan_refuses_an_unknown_callable_and_names_it(unknown_callable_file):
    with pytest.raises(Exception) as info:
        kerasgan.load_gan(unknown_callable_file)
    message = str(info.value)
    assert str(unknown_callable_file) in message
    assert "system" in message
    # Fails while load_gan wraps every load error as "corrupt or truncated".
    assert "corrupt or truncated" not in message, NOT_CORRUPT
