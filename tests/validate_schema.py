#!/usr/bin/python3
"""Validate ttytop/1 documents against docs/ttytop-1.schema.json.
Usage: validate_schema.py FILE...   (a file may hold one document or NDJSON)
Runs under Debian's python3 with python3-jsonschema (installed by make deps-test)."""
import json
import os
import sys

import jsonschema

schema_path = os.path.join(os.path.dirname(__file__), "..", "docs", "ttytop-1.schema.json")
schema = json.load(open(schema_path))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
docs = 0
for path in sys.argv[1:]:
    text = open(path).read()
    try:
        items = [json.loads(text)]
    except json.JSONDecodeError:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    for i, doc in enumerate(items):
        docs += 1
        for err in validator.iter_errors(doc):
            bad += 1
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{path}[{i}] {where}: {err.message[:200]}")
print(f"{docs} documents, {bad} schema errors")
sys.exit(1 if bad or not docs else 0)
