"""The hash-chained audit log: every state change appends one entry; an edit breaks the chain."""
