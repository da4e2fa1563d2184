"""The load-and-fault harness: clerks and planners against a live ``hrh serve`` while its
processes and its PostgreSQL are killed and restarted, then a check of the ledger.

    .venv/bin/python -m tests.load --clerks 8 --planners 4 --seconds 90 --faults worker,runner,server,postgres

See docs/reliability.md for what it checks and for recorded runs.
"""
