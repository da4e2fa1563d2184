"""Offline batches: a district laptop's commands, each with its own ``commandId``, sent as one request."""
