"""Validates request parameters against botocore's service models. TEST SUPPORT ONLY.

Reads a JSON list of {"index", "service", "operation", "params"} on stdin and prints a JSON list of
{"index", "error"} for the requests whose parameters break the operation's input shape:

- botocore's own ParamValidator (what boto3 checks before it sends a request): unknown and missing
  required members, types, minimum lengths, sizes and values;
- then, from the same model, what ParamValidator leaves to the service: maximum lengths, list sizes
  and values, and enum values.

One process validates every request of a test file; the test moto server (moto_server.py) answers
the same through POST /moto-api/bm-validate, without starting python and loading the models per file.
"""

import json
import sys

import botocore.session
from botocore.model import OperationNotFoundError
from botocore.validate import ParamValidator


def _limits(value, shape, path, errors):
    """Maximums and enums of the model, which botocore's ParamValidator does not check."""
    meta = shape.metadata
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _limits(value[name], member, f"{path}.{name}", errors)
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: {len(value)} items, more than the maximum {meta['max']}")
        for i, item in enumerate(value):
            _limits(item, shape.member, f"{path}[{i}]", errors)
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            _limits(v, shape.value, f"{path}.{k}", errors)
    elif shape.type_name == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            errors.append(f"{path}: {len(value)} characters, more than the maximum {meta['max']}")
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {', '.join(shape.enum)}")
    elif shape.type_name in ("integer", "long", "double", "float") and isinstance(value, (int, float)):
        if "max" in meta and value > meta["max"]:
            errors.append(f"{path}: {value} is more than the maximum {meta['max']}")


def validate(items, session=None):
    """The errors of a list of {"index", "service", "operation", "params"}, as {"index", "error"}."""
    session = session or botocore.session.get_session()
    models = {}
    validator = ParamValidator()
    errors = []
    for item in items:
        service = item["service"]
        if service not in models:
            models[service] = session.get_service_model(service)
        try:
            operation = models[service].operation_model(item["operation"])
        except OperationNotFoundError:
            error = f"botocore's {service} model has no operation {item['operation']}"
            errors.append({"index": item["index"], "error": error})
            continue
        shape = operation.input_shape
        params = item["params"] or {}
        if shape is None:
            if params:
                errors.append({"index": item["index"], "error": "the operation takes no parameters"})
            continue
        report = validator.validate(params, shape)
        if report.has_errors():
            errors.append({"index": item["index"], "error": report.generate_report()})
            continue
        limits = []
        _limits(params, shape, "params", limits)
        if limits:
            errors.append({"index": item["index"], "error": "; ".join(limits)})
    return errors


def main():
    json.dump(validate(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
