#!/usr/bin/env python3
"""Validates the golden fixtures against the AsyncAPI document of the contract.

Every fixture must validate against the schema of a message of the channel whose address is
the fixture's routing key (`<type>.v<version>`), the file must be named after that routing
key, and every channel must have a fixture. Prints `N fixtures valid`, or the failures and
exits 1.

`--document public-facts` does the same for the public facts' document and fixtures.

With `--describe`, prints instead a JSON summary of the document for the Swift tests to
compare with the catalog: per routing key the services that send and receive it, and the
values of every enum schema.

Needs PyYAML and jsonschema (`python3 -m pip install pyyaml jsonschema`).
"""
import argparse
import json
import re
import sys
from pathlib import Path

try:
    import jsonschema
    import yaml
except ImportError as error:
    sys.exit(f"missing Python package {error.name}: python3 -m pip install pyyaml jsonschema")

HERE = Path(__file__).resolve().parent
CONTRACT = HERE.parent.parent / "Shared" / "Contract"
# Each document and the folder of its fixtures: Houshi's own messages, and the public facts
# for subscribers outside (a contract of its own).
DOCUMENTS = {
    "houshi": (CONTRACT / "asyncapi.yaml", HERE / "Fixtures"),
    "public-facts": (CONTRACT / "public-facts.asyncapi.yaml", HERE / "Fixtures" / "PublicFacts"),
}
DOCUMENT, FIXTURES = DOCUMENTS["houshi"]


def resolve(node, document, trail=()):
    """Returns node with every local `$ref` replaced by its target, recursively."""
    if isinstance(node, list):
        return [resolve(value, document, trail) for value in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {key: resolve(value, document, trail) for key, value in node.items()}
    ref = node["$ref"]
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    if ref in trail:
        raise ValueError(f"cyclic reference: {' -> '.join(trail + (ref,))}")
    target = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or part not in target:
            raise ValueError(f"unresolvable reference: {ref}")
        target = target[part]
    return resolve(target, document, trail + (ref,))


def channels_by_address(document):
    """Maps each channel's address (a routing key) to its resolved message schemas by name."""
    key_pattern = re.compile(document["components"]["schemas"]["RoutingKey"]["pattern"])
    channels = {}
    for channel_id, channel in document["channels"].items():
        channel = resolve(channel, document)
        address = channel.get("address")
        if not address or not key_pattern.match(address):
            raise ValueError(f"channel {channel_id}: address {address!r} is not a routing key")
        if address in channels:
            raise ValueError(f"channel {channel_id}: address {address} is used twice")
        messages = {name: message["payload"] for name, message in channel.get("messages", {}).items()}
        if not messages:
            raise ValueError(f"channel {channel_id} ({address}) has no message")
        channels[address] = messages
    return channels


def validate_fixture(path, channels):
    """Returns the failures of one fixture, as text lines (none when it is valid)."""
    fixture = json.loads(path.read_text(encoding="utf-8"))
    routing_key = f"{fixture.get('type')}.v{fixture.get('version')}"
    if path.stem != routing_key:
        return [f"{path.name}: named after {path.stem} but its type is {routing_key}"]
    if routing_key not in channels:
        return [f"{path.name}: no channel or message for {routing_key} in {DOCUMENT.name}"]
    failures = []
    for name, schema in channels[routing_key].items():
        validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(fixture), key=lambda e: list(e.absolute_path))
        if not errors:
            return []
        failures += [f"{path.name}: message {name}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                     for e in errors]
    return failures


def validate(document):
    """Validates every fixture; returns the failure lines and the number of fixtures."""
    channels = channels_by_address(document)
    failures = []
    for messages in channels.values():
        for name, schema in messages.items():
            try:
                jsonschema.Draft7Validator.check_schema(schema)
            except jsonschema.SchemaError as error:
                failures.append(f"message {name}: invalid schema: {error.message}")
    fixtures = sorted(FIXTURES.glob("*.json"))
    for path in fixtures:
        failures += validate_fixture(path, channels)
    covered = {path.stem for path in fixtures}
    failures += [f"channel {address}: no fixture {address}.json" for address in sorted(channels.keys() - covered)]
    return failures, len(fixtures)


def describe(document):
    """The senders and receivers of every routing key, and the values of every enum schema."""
    routes = {}
    for operation_id, operation in document["operations"].items():
        service = operation.get("x-service")
        if not service:
            raise ValueError(f"operation {operation_id} has no x-service")
        address = resolve(operation["channel"], document)["address"]
        route = routes.setdefault(address, {"send": [], "receive": []})
        route[operation["action"]].append(service)
    enums = {name: schema["enum"] for name, schema in document["components"]["schemas"].items() if "enum" in schema}
    return {"routes": routes, "enums": enums}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--describe", action="store_true", help="print the JSON summary of the document")
    parser.add_argument("--document", choices=sorted(DOCUMENTS), default="houshi",
                        help="which contract: Houshi's own messages (default) or the public facts")
    arguments = parser.parse_args()
    global DOCUMENT, FIXTURES
    DOCUMENT, FIXTURES = DOCUMENTS[arguments.document]
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    try:
        if arguments.describe:
            print(json.dumps(describe(document), ensure_ascii=False, sort_keys=True))
            return 0
        failures, count = validate(document)
    except (KeyError, ValueError) as error:
        print(f"{DOCUMENT.name}: {error}")
        return 1
    if failures:
        print("\n".join(failures))
        print(f"{len(failures)} failures in {count} fixtures")
        return 1
    print(f"{count} fixtures valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
