"""Writes client/src/cli/az_models.json: the output shape az gives the SDK models of the commands
armctl shares with it, read from the pinned SDKs installed in the CLI venv.

az prints what the SDK's model keeps, not the wire body: `todict` of the deserialized model.
So every key the model defines is printed (null when the server sent nothing), keys the model
does not define are dropped, `properties` is flattened where the SDK flattens it, and datetimes
come back through Python's `isoformat()`. This records, per model, each printed key, the wire
path it is read from and its type, so armctl can apply the same transform (cli/az_shape.rs).

    .cache/venv-cli/bin/python tools/gen-az-models.py > client/src/cli/az_models.json

Run it again after changing the pinned azure-cli (conformance/interop/requirements-cli.txt).
"""

import datetime
import json
import sys
import typing

from azure.cli.core import get_default_cli
from azure.cli.core.profiles import ResourceType, get_sdk
from azure.core.serialization import _get_flattened_attribute

# (armctl's name for the shape, the resource type az uses, the model class)
ROOTS = [
    ("storageAccount", ResourceType.MGMT_STORAGE, "StorageAccount"),
    ("keyVault", ResourceType.MGMT_KEYVAULT, "Vault"),
    # `keyvault list` without -g: the SDK's `vaults.list()` reads `…/resources?$filter=…`
    ("keyVaultListItem", ResourceType.MGMT_KEYVAULT, "TrackedResource"),
    ("registry", ResourceType.MGMT_CONTAINERREGISTRY, "Registry"),
    ("genericResource", ResourceType.MGMT_RESOURCE_RESOURCES, "GenericResource"),
    ("genericResourceExpanded", ResourceType.MGMT_RESOURCE_RESOURCES, "GenericResourceExpanded"),
    ("roleAssignment", ResourceType.MGMT_AUTHORIZATION, "RoleAssignment"),
    ("deployment", ResourceType.MGMT_RESOURCE_DEPLOYMENTS, "DeploymentExtended"),
    ("deploymentOperation", ResourceType.MGMT_RESOURCE_DEPLOYMENTS, "DeploymentOperation"),
    ("deploymentValidateResult", ResourceType.MGMT_RESOURCE_DEPLOYMENTS, "DeploymentValidateResult"),
    ("whatIfOperationResult", ResourceType.MGMT_RESOURCE_DEPLOYMENTS, "WhatIfOperationResult"),
]

MODELS = {}


def camel(name):
    # azure.cli.core.util.to_camel_case
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) if len(parts) > 1 else name


def model_name(cls):
    package = cls.__module__.removeprefix("azure.mgmt.").split(".models")[0]
    return f"{package}.{cls.__name__}"


def is_typespec(cls):
    # azure-core's typespec models; their field table is built when the first one is made
    if getattr(cls, "_is_model", False):
        cls()
        return True
    return False


def is_msrest(cls):
    return not getattr(cls, "_is_model", False) and hasattr(cls, "_attribute_map")


def split_key(key):
    # msrest: dots split flattened paths, `\\.` is a literal dot
    out, cur, i = [], "", 0
    while i < len(key):
        if key[i] == "\\" and i + 1 < len(key) and key[i + 1] == ".":
            cur += "."
            i += 2
            continue
        if key[i] == ".":
            out.append(cur)
            cur = ""
        else:
            cur += key[i]
        i += 1
    out.append(cur)
    return out


def type_of_hint(hint):
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union:
        kinds = [type_of_hint(a) for a in args if a is not type(None)]
        models = [k for k in kinds if isinstance(k, dict)]
        if models:
            return models[0]
        return kinds[0] if kinds else "any"
    if origin in (list, typing.List):
        return {"list": type_of_hint(args[0]) if args else "any"}
    if origin in (dict, typing.Dict):
        return {"dict": type_of_hint(args[1]) if len(args) > 1 else "any"}
    if hint is datetime.datetime:
        return "datetime"
    if isinstance(hint, type) and (is_typespec(hint) or is_msrest(hint)):
        return {"model": visit(hint)}
    return "any"


def type_of_msrest(t, module):
    if t.startswith("[") and t.endswith("]"):
        return {"list": type_of_msrest(t[1:-1], module)}
    if t.startswith("{") and t.endswith("}"):
        return {"dict": type_of_msrest(t[1:-1], module)}
    if t in ("iso-8601", "rfc-1123"):
        return "datetime"
    cls = getattr(module, t, None)
    if isinstance(cls, type) and is_msrest(cls):
        return {"model": visit(cls)}
    return "any"


def hints(cls):
    mod = sys.modules[cls.__module__]
    pkg = sys.modules[cls.__module__.rsplit(".", 1)[0]]
    ns = dict(vars(mod))
    ns["_models"] = pkg
    return typing.get_type_hints(cls, globalns=ns, localns=ns)


def visit(cls):
    name = model_name(cls)
    if name in MODELS:
        return name
    MODELS[name] = None  # cycles
    fields = []
    if is_typespec(cls):
        fields = typespec_fields(cls)
    else:
        module = sys.modules[cls.__module__.rsplit(".", 1)[0]]
        amap = cls._attribute_map
        # todict walks __dict__: the base Model.__init__ sets `additional_properties` first,
        # then the class sets its attributes in _attribute_map's order.
        bare = cls.__new__(cls)
        for base in cls.__mro__:
            if base.__name__ == "Model" and "serialization" in base.__module__:
                base.__init__(bare)
                break
        if "additional_properties" in vars(bare):
            # the wire keys the model does not know, which az merges into the printed object
            # (AzCliCommandInvoker.remove_additional_prop_layer)
            fields.append({"key": "additionalProperties", "path": [], "type": "additional"})
        for attr, spec in amap.items():
            fields.append({"key": camel(attr), "path": split_key(spec["key"]), "type": type_of_msrest(spec["type"], module)})
    MODELS[name] = fields
    return name


def flattened_attribute(cls):
    """The property bag the SDK flattens: the field whose model holds every flattened item.

    azure-core's `_get_flattened_attribute` takes the first field whose model shares any item,
    which depends on which models were built first (RoleAssignment's `systemData` shares
    `created_by` with its properties); at az's run time the bag is the one that holds them all.
    """
    items = None
    for a in dir(cls):
        if "__flattened_items" in a:
            items = set(getattr(cls, a))
    if not items:
        return None
    for attr, f in cls._attr_to_rest_field.items():
        inner = getattr(f, "_class_type", None)
        if isinstance(inner, type) and items <= set(getattr(inner, "_attr_to_rest_field", {})):
            return attr
    return _get_flattened_attribute(cls())


def typespec_fields(cls, prefix=()):
    """attribute_list's order: a flattened property bag's fields take its place."""
    h = hints(cls)
    for f in cls._attr_to_rest_field.values():
        # azure-core finds the flattened bag through its class's field table, built on first use
        inner = getattr(f, "_class_type", None)
        if isinstance(inner, type):
            is_typespec(inner)
    flat = flattened_attribute(cls)
    out = []
    for attr, f in cls._attr_to_rest_field.items():
        if attr == flat:
            inner = f._class_type
            is_typespec(inner)
            out.extend(typespec_fields(inner, prefix + (f._rest_name,)))
        else:
            out.append({"key": camel(attr), "path": list(prefix) + [f._rest_name], "type": type_of_hint(h.get(attr))})
    return out


def main():
    cli = get_default_cli()
    roots = {}
    for key, rt, cls_name in ROOTS:
        cls = get_sdk(cli, rt, cls_name, mod="models")
        roots[key] = visit(cls)
    json.dump({"roots": roots, "models": MODELS}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
