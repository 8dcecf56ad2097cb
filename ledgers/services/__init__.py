"""Service functions: multi-model writes and status moves, one keyword-only function each."""
