"""Gates: policy, deterministic review sampling, and the verdict on one change."""
