"""A check schemathesis runs beside its own (`hooks` in Tests/OpenAPI/schemathesis.toml).

`POST /v1/events` answers a batch item by item: a refused event is an outcome in a 200 answer, not a 4xx. So this
check holds each item's outcome to the document's `Event` schema: an event the schema accepts is accepted (or a
duplicate), unless refused for a rule the schema cannot state; an event the schema refuses is refused.
"""
import json
import os

import jsonschema_rs
import schemathesis
import yaml

# Rules between an event and the rest of the world (the clock, other events, the key's scopes), which no
# schema of one event can state; and the token rule of a tracked link's utm_content (docs/ingestion.md).
BEYOND_THE_SCHEMA = {"future_timestamp", "before_earliest_date", "inconsistent", "id_conflict", "constraint_violation", "not_permitted"}
BEYOND_THE_SCHEMA_FIELDS = {("invalid_value", "data.tracked_url")}

_document = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources", "API", "Resources", "openapi.yaml")
with open(_document) as _file:
    _components = yaml.safe_load(_file)["components"]
EVENT = jsonschema_rs.validator_for({"$ref": "#/components/schemas/Event", "components": _components}, validate_formats=True)


@schemathesis.check
def event_outcomes(ctx, response, case):
    if case.operation.method.upper() != "POST" or case.operation.path != "/v1/events" or response.status_code != 200:
        return None
    if not isinstance(case.body, list):
        return None
    items = response.json()["items"]
    if len(items) != len(case.body):
        raise AssertionError("%d outcomes for %d events" % (len(items), len(case.body)))
    for event, outcome in zip(case.body, items):
        valid = EVENT.is_valid(event)
        status, reason = outcome["status"], outcome.get("reason")
        if valid and status == "rejected" and reason not in BEYOND_THE_SCHEMA and (reason, outcome.get("field")) not in BEYOND_THE_SCHEMA_FIELDS:
            raise AssertionError(
                "the document accepts event %d but the server refused it: %s %s (%s)"
                % (outcome["index"], reason, outcome.get("field"), outcome.get("message"))
            )
        if not valid and status == "accepted":
            error = next(EVENT.iter_errors(event))
            raise AssertionError("the document refuses event %d (%s) but the server accepted it" % (outcome["index"], error))
    return None
