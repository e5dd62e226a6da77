"""Runs the scim2-tester checks against a SCIM service and prints every result as one JSON line.

Driven by test/scim/scimCompliance.test.ts: SCIM_BASE_URL is the service (…/scim/v2), SCIM_TOKEN
its bearer token. The checker discovers the service from its ServiceProviderConfig, ResourceTypes
and Schemas endpoints, then creates, reads, searches, replaces, patches and deletes each resource
type. The exit code is 0 whatever the results: the test reads them.
"""

import json
import os

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import check_server


def main() -> None:
    http = Client(
        base_url=os.environ["SCIM_BASE_URL"],
        headers={"Authorization": f"Bearer {os.environ['SCIM_TOKEN']}"},
        timeout=30,
    )
    client = SyncSCIMClient(http)
    for result in check_server(client):
        print(
            json.dumps(
                {
                    "status": result.status.name,
                    "title": result.title,
                    "reason": result.reason,
                    "resourceType": result.resource_type,
                    "tags": sorted(result.tags),
                },
                default=str,
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
