"""Read-only queries the pages need beyond the API's lists, scoped by the same ``Actor.visible``."""
