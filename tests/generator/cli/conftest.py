"""The model commands' tests use the models' tiny dataset, HuBERT and configs."""

from tests.generator.models.conftest import (  # noqa: F401
    _one_thread,
    tiny_dataset,
    tiny_defaults,
    tiny_hubert,
)
