"""Models: the catalog of known models, GGUF checks, the registry of local files, and pulls.

`pull` is not imported here: it loads huggingface_hub, which only `models pull` needs.
"""

from .gguf import GGUFInfo, check_gguf, inspect_gguf
from .manifest import ModelManifest, load_catalog
from .registry import (
    ModelEntry,
    add_model,
    bundled_model_path,
    list_models,
    remove_model,
    resolve_model,
    use_model,
)

__all__ = [
    "GGUFInfo",
    "ModelEntry",
    "ModelManifest",
    "add_model",
    "bundled_model_path",
    "check_gguf",
    "inspect_gguf",
    "list_models",
    "load_catalog",
    "remove_model",
    "resolve_model",
    "use_model",
]
