"""Validates EMF documents (one per line on stdin) with the user guide's JSON schema.

Usage: validate_emf.py SCHEMA < documents
Prints how many documents were valid; exits 1 naming the first invalid one and why.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft7Validator(schema)
valid = 0
for number, line in enumerate(sys.stdin, 1):
    document = json.loads(line)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        print(f"document {number} invalid: {errors[0].message} at {list(errors[0].path)}")
        print(line.strip()[:2000])
        sys.exit(1)
    valid += 1
print(f"{valid} valid")
