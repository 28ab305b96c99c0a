"""Model names that settings and the launcher compare against, without importing torch or
transformers (``shared.modeling`` does both)."""

# The base model "built from scratch": a small T5 (``shared.modeling.build_tiny_t5``), the offline
# default and the tests' model.
TINY_BASE = "tiny-t5"
