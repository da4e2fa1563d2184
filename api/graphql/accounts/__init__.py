"""API accounts: users, their roles and scopes, and their tokens."""
