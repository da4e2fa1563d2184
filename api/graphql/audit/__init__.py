"""The record itself: the ledger's audit trail, how complete the workers' records are, whether the read
tables have caught up with a position, and the chain head that makes the ledger tamper-evident."""
