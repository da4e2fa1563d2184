"""Exports: the ledger's figures and lists in other systems' formats, read through GraphQL in-process."""
