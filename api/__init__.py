"""The outward faces: the Falcon app (resources, schemas, middleware, errors) and the CLI."""
