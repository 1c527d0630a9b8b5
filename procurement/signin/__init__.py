"""Browser sign-in for the pages: one-time desk links a platform issues, and cookie sessions."""
