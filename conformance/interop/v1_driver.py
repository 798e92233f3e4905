"""Runs azureml-core (the Azure ML v1 SDK) against the emulator; started by test_ml_v1.py with
.cache/venv-v1's python (azureml-core's pins conflict with the SDK venv's). Not a test module.

    v1_driver.py create NAME RESOURCE_GROUP

Everything comes from the environment `armemu env` exported: ARM_CLOUD_METADATA_URL and
AZUREML_CURRENT_CLOUD choose the cloud, MSI_ENDPOINT gives the default authentication (no
`auth=`), REQUESTS_CA_BUNDLE/SSL_CERT_FILE trust the emulator. The last line on stdout is
`RESULT {json}` with what the SDK returned; any exception is printed and exits 1.
"""

import json
import os
import sys
import time
import traceback

DETAIL_KEYS = (
    "id", "name", "location", "type", "workspaceid", "description", "friendlyName",
    "storageAccount", "keyVault", "applicationInsights", "containerRegistry", "identity",
    "hbiWorkspace", "sku", "tags", "provisioningState", "discoveryUrl", "systemDatastoresAuthMode",
)


def details(ws):
    d = ws.get_details()
    return {k: d.get(k) for k in DETAIL_KEYS}


def create(name, rg):
    from azureml.core import Workspace
    from azureml.core.authentication import ServicePrincipalAuthentication

    sub = os.environ["AZURE_SUBSCRIPTION_ID"]
    out = {}
    t0 = time.monotonic()
    # Default authentication: MSI_ENDPOINT (azureml-v1-sdk.md §2.3).
    ws = Workspace.create(
        name,
        subscription_id=sub,
        resource_group=rg,
        location="eastus",
        create_resource_group=True,
        show_output=False,
    )
    out["create_seconds"] = round(time.monotonic() - t0, 2)
    out["created_object"] = {"name": ws.name, "resource_group": ws.resource_group,
                             "subscription_id": ws.subscription_id, "location": ws.location}
    out["created"] = details(ws)

    t0 = time.monotonic()
    got = Workspace.get(name, subscription_id=sub, resource_group=rg)
    out["get_seconds"] = round(time.monotonic() - t0, 2)
    out["get"] = details(got)

    # A service principal in the `adfs` tenant form (MSAL skips instance discovery for it).
    sp = ServicePrincipalAuthentication(
        tenant_id="adfs",
        service_principal_id=os.environ["AZURE_CLIENT_ID"],
        service_principal_password=os.environ["AZURE_CLIENT_SECRET"],
    )
    out["sp_cloud"] = sp._get_cloud_type().name
    out["get_sp"] = details(Workspace.get(name, subscription_id=sub, resource_group=rg, auth=sp))
    return out


def main(argv):
    if len(argv) != 4 or argv[1] != "create":
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = create(argv[2], argv[3])
    except Exception:  # noqa: BLE001 - reported to the test as is
        traceback.print_exc()
        return 1
    sys.stdout.flush()
    print("RESULT " + json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
