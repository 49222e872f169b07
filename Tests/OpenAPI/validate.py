"""Validates the served OpenAPI document against the OpenAPI 3.1 schema (openapi-spec-validator).

    python3 Tests/OpenAPI/validate.py Sources/API/Resources/openapi.yaml
"""
import sys

import yaml
from openapi_spec_validator import validate

with open(sys.argv[1]) as document:
    spec = yaml.safe_load(document)
validate(spec)
print("openapi: %s is a valid OpenAPI %s document (%d paths)" % (sys.argv[1], spec["openapi"], len(spec["paths"])))
