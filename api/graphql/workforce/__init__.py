"""The workforce: workers and their records, hires, postings and transfers, training, leave, departures,
and corrections (retractions)."""
