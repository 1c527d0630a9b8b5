"""Finance audits: payment, bond and retention obligations derived per contract, audit runs, reports."""
