"""Project-level evaluation checks: the reservation duty and price deduction of a procurement."""
