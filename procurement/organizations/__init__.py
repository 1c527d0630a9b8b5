"""Organizations (purchasers, finance departments, platforms) and the API keys that act for them."""
