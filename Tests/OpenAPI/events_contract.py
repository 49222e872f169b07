"""The event schemas of the OpenAPI document against the server, item by item.

    python3 Tests/OpenAPI/events_contract.py Sources/API/Resources/openapi.yaml http://127.0.0.1:8080 ADMIN_KEY

(An admin key: costs and rate cards need that scope.)

Every example of every event type must pass the document's `Event` schema and be accepted by the server; every
near miss (a required field left out, a field no type has, another type's data, a value just outside what the
field takes) must fail the schema and be refused by the server. The server answers a batch item by item, so each
event's own outcome is what is compared.
"""
import copy
import json
import sys
import urllib.error
import urllib.request
import uuid

import jsonschema_rs
import yaml

document_path, base_url, key = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
with open(document_path) as file:
    document = yaml.safe_load(file)
schemas = document["components"]["schemas"]
event_schema = jsonschema_rs.validator_for(
    {"$ref": "#/components/schemas/Event", "components": document["components"]}, validate_formats=True
)
run = uuid.uuid4().hex[:8]


def post(events):
    request = urllib.request.Request(
        base_url + "/v1/events", data=json.dumps(events).encode(), method="POST",
        headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["items"]


def fresh(event, suffix):
    """The event with an id no run has sent, so the server judges it anew."""
    event = copy.deepcopy(event)
    if isinstance(event, dict) and isinstance(event.get("id"), str):
        event["id"] = "%s-%s-%s" % (event["id"], run, suffix)
    # A tracked link's token names one post.
    data = event.get("data") if isinstance(event, dict) else None
    if isinstance(data, dict) and isinstance(data.get("tracked_url"), str):
        data["tracked_url"] = data["tracked_url"].replace("utm_content=Tk9x2", "utm_content=Tk%s%s" % (run, suffix))
    return event


types = {}
for name in schemas["Event"]["discriminator"]["mapping"].values():
    schema = schemas[name.rsplit("/", 1)[1]]
    type_name = schema["properties"]["type"]["const"]
    data_name = schema["properties"]["data"]["$ref"].rsplit("/", 1)[1]
    types[type_name] = (schema["examples"], schemas[data_name])
assert len(types) == 15, "every event type has its schema: %s" % sorted(types)

good, near_misses = [], []
for type_name, (examples, data) in types.items():
    assert examples, "%s has an example" % type_name
    for example in examples:
        good.append(("%s: the document's example" % type_name, example))
        # An optional field may be null, the same as left out: unless the event then lacks what the field
        # gave (a currency beside an amount), which the document says too.
        for field in data["properties"]:
            if field not in data.get("required", []) and field in example["data"]:
                nulled = copy.deepcopy(example)
                nulled["data"][field] = None
                (good if event_schema.is_valid(nulled) else near_misses).append(("%s: data.%s null" % (type_name, field), nulled))
        for field in data.get("required", []):
            missing = copy.deepcopy(example)
            del missing["data"][field]
            near_misses.append(("%s: data.%s left out" % (type_name, field), missing))
            nulled = copy.deepcopy(example)
            nulled["data"][field] = None
            near_misses.append(("%s: data.%s null" % (type_name, field), nulled))
            wrong = copy.deepcopy(example)
            wrong["data"][field] = {"not": "a value"}
            near_misses.append(("%s: data.%s an object" % (type_name, field), wrong))
        unknown = copy.deepcopy(example)
        unknown["data"]["colour"] = "blue"
        near_misses.append(("%s: a field no event has" % type_name, unknown))
        for envelope_field in ["id", "type", "occurred_at", "data"]:
            missing = copy.deepcopy(example)
            del missing[envelope_field]
            near_misses.append(("%s: %s left out" % (type_name, envelope_field), missing))

# Every field the document lists, the optional ones given too: the server reads each of them.
sample = {
    "Identifier": "x-1", "Timestamp": "2026-03-05T10:00:00Z", "EventDate": "2026-03-01", "Text200": "text", "Text500": "text",
    "Text1000": "text", "URL": "https://example.com/x", "Counter": 1, "Pillar": 10, "Percent": 40, "TopPercent": 10,
    "Money": 10, "Rate": 1, "Currency": "EUR", "Network": "linkedin", "Channel": "employee_advocacy",
    "ApplicationChannel": "employee_advocacy", "LeadStage": "won", "ApplicationStage": "hired", "CostCategory": "time", "NetworkAudiences": {"linkedin": 5, "x": None},
}


def sample_of(schema):
    if "$ref" in schema:
        return sample[schema["$ref"].rsplit("/", 1)[1]]
    return sample_of(next(branch for branch in schema["anyOf"] if branch.get("type") != "null"))


for type_name, (examples, data) in types.items():
    complete = copy.deepcopy(examples[0])
    for field, schema in data["properties"].items():
        complete["data"].setdefault(field, sample_of(schema))
    if type_name == "ssi.snapshot":
        complete["data"]["total"] = None
    good.append(("%s: every field given" % type_name, complete))

# Another type's data under a type: each type's example data under every other type.
for type_name, (examples, _) in types.items():
    for other, (other_examples, _) in types.items():
        if other != type_name and set(other_examples[0]["data"]) != set(examples[0]["data"]):
            swapped = copy.deepcopy(examples[0])
            swapped["data"] = copy.deepcopy(other_examples[0]["data"])
            if not event_schema.is_valid(swapped):
                near_misses.append(("%s with the data of %s" % (type_name, other), swapped))


def variant(type_name, description, change, valid):
    event = copy.deepcopy(types[type_name][0][0])
    change(event["data"])
    (good if valid else near_misses).append(("%s: %s" % (type_name, description), event))


def setter(field, value):
    def change(data):
        data[field] = value
    return change


# Values just inside and just outside what a field takes.
variant("post.published", "network in capitals", setter("network", "LinkedIn"), False)
variant("post.published", "an unknown network", setter("network", "myspace"), False)
variant("post.published", "a tracked URL that is not http(s)", setter("tracked_url", "ftp://example.com/x"), False)
variant("post.published", "a relative tracked URL", setter("tracked_url", "/report"), False)
variant("post.published", "an id with a control character", setter("post_id", "li-\u0007"), False)
variant("post.published", "an id of spaces", setter("post_id", "   "), False)
variant("post.published", "an id of 201 characters", setter("post_id", "p" * 201), False)
variant("post.published", "an id of 200 characters", setter("post_id", "p" * 200), True)
variant("post.published", "a timestamp without an offset", setter("posted_at", "2026-03-05T10:00:00"), False)
variant("post.published", "a timestamp with a fraction and an offset", setter("posted_at", "2026-03-05T10:00:00.250+01:00"), True)
variant("post.published", "a date for a timestamp", setter("posted_at", "2026-03-05"), False)
variant("post.metrics_observed", "a negative counter", setter("reactions", -1), False)
variant("post.metrics_observed", "a fractional counter", setter("reactions", 1.5), False)
variant("post.metrics_observed", "a counter as a string", setter("reactions", "52"), False)
variant("post.metrics_observed", "optional counters given", lambda d: d.update(saves=3, sends=0, followers_gained=2), True)
variant("ssi.snapshot", "a pillar above 25", lambda d: d.update(brand=25.01, total=None), False)
variant("ssi.snapshot", "a pillar of 25", lambda d: d.update(brand=25, total=None), True)
variant("ssi.snapshot", "a pillar with three decimals", lambda d: d.update(brand=15.255, total=None), False)
variant("ssi.snapshot", "pillars as strings", lambda d: d.update(brand="15.20", people="12.75", total=None), True)
variant("ssi.snapshot", "a pillar as a string with three decimals", lambda d: d.update(brand="15.255", total=None), False)
variant("ssi.snapshot", "a pillar as a signed string", lambda d: d.update(brand="-1", total=None), False)
variant("ssi.snapshot", "a rank of 0", setter("industry_rank_top_pct", 0), False)
variant("ssi.snapshot", "a rank of 0.01", setter("industry_rank_top_pct", 0.01), True)
variant("ssi.snapshot", "an impossible date", setter("date", "2026-02-30"), False)
variant("lead.created", "a currency of four letters", setter("currency", "EURO"), False)
variant("lead.created", "a currency in lower case", setter("currency", "eur"), True)
variant("lead.created", "a value without a currency", lambda d: d.pop("currency"), False)
variant("lead.created", "a value with three decimals", setter("estimated_value", "12000.001"), False)
variant("lead.created", "a value in exponent form", setter("estimated_value", "1.2e4"), False)
variant("lead.created", "an unknown channel", setter("source_channel", "tiktok"), False)
variant("lead.stage_changed", "an unknown stage", setter("stage", "closed"), False)
variant("application.created", "an unknown channel", setter("source_channel", "Employee_Advocacy"), False)
variant("cost.recorded", "an unknown category", setter("category", "travel"), False)
variant("cost.recorded", "a note of 1,001 characters", setter("note", "n" * 1001), False)
variant("cost.recorded", "a note with NUL", setter("note", "a\u0000b"), False)
variant("rate_card.set", "a rate with five decimals", setter("cpm", 8.12345), False)
variant("rate_card.set", "a rate with four decimals", setter("cpm", 8.1234), True)
variant("ambassador.enrolled", "an audience of an unknown network", setter("networks", {"myspace": 3}), False)
variant("ambassador.enrolled", "a negative audience", setter("networks", {"linkedin": -3}), False)
variant("ambassador.updated", "nothing to change", lambda d: [d.pop(k) for k in list(d) if k != "ambassador_id"], False)
variant("ambassador.updated", "an empty audience change", lambda d: d.update(team=None) or d.pop("team") or d.update(networks={}), False)
variant("audience.touched", "neither post nor ambassador", lambda d: d.pop("post_id"), False)
variant("audience.touched", "an ambassador rather than a post", lambda d: d.pop("post_id") and d.update(ambassador_id="amb-042"), True)
variant("web.visit", "a landing URL without a host", setter("landing_url", "https://"), False)
variant("content.created", "a title of 500 characters", setter("title", "t" * 500), True)
variant("content.created", "a title of 501 characters", setter("title", "t" * 501), False)
near_misses.append(("an unknown type", dict(types["post.published"][0][0], type="post.deleted")))
near_misses.append(("a type in capitals", dict(types["post.published"][0][0], type="Post.Published")))
near_misses.append(("not an object", ["post.published"]))

failures = []
for description, event in good:
    if not event_schema.is_valid(event):
        failures.append("document refuses %s: %s" % (description, next(event_schema.iter_errors(event))))
for description, event in near_misses:
    if event_schema.is_valid(event):
        failures.append("document accepts the near miss %s" % description)

outcomes = post([fresh(event, index) for index, (_, event) in enumerate(good)])
for (description, _), outcome in zip(good, outcomes):
    if outcome["status"] != "accepted":
        failures.append("server refuses %s: %s %s" % (description, outcome.get("reason"), outcome.get("message")))
# One request each: a near miss the parser refuses (a NUL escape) fails its whole batch with 400.
for index, (description, event) in enumerate(near_misses):
    try:
        status = post([fresh(event, "n%d" % index)])[0]["status"]
    except urllib.error.HTTPError as error:
        status = "rejected" if error.code == 400 else "HTTP %d" % error.code
    if status != "rejected":
        failures.append("server accepts the near miss %s" % description)

for failure in failures:
    print("events contract: " + failure)
print("events contract: %d examples and variants accepted, %d near misses refused, by the document and the server; %d disagreements"
      % (len(good), len(near_misses), len(failures)))
sys.exit(1 if failures else 0)
