"""marshmallow schemas: one schema validates input, shapes output and feeds the OpenAPI document."""
