"""The pages, one module per user task."""
