"""The resources of the platform-integration routes (api/routes_platform.py), built for create_app."""

from api.resources.jobs import Jobs
from config.settings import Settings


def platform_resources(settings: Settings) -> dict[str, object]:
    return {"jobs": Jobs()}
