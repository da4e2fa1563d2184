"""Exports: the ledger's figures and lists in other people's formats, read through the GraphQL schema as a user."""
