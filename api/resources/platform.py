"""The resources of the platform-integration routes (api/routes_platform.py), built for create_app."""

from api.resources.jobs import Jobs
from api.resources.ocds_export import OcdsExtension, OcdsReleases
from api.resources.organizations import Organizations
from api.resources.webhooks import WebhookDeliveries, Webhooks
from config.settings import Settings


def platform_resources(settings: Settings) -> dict[str, object]:
    return {
        "jobs": Jobs(),
        "webhooks": Webhooks(allow_private=settings.webhook_allow_private),
        "webhook_deliveries": WebhookDeliveries(),
        "ocds_releases": OcdsReleases(),
        "ocds_extension": OcdsExtension(),
        "organizations": Organizations(),
    }
