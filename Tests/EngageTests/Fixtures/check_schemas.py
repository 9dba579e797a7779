#!/usr/bin/env python3
"""Validates Engage bodies against the contract's JSON Schemas.

stdin: a JSON array of {"schema": FILE, "label": TEXT, "body": JSON}; argv[1]: the folder
of the schemas. Prints one line per failure and 'N passed, N failed' last; exit 1 on any.
"""
import json
import os
import sys

from jsonschema import Draft202012Validator

folder = sys.argv[1]
cases = json.load(sys.stdin)
passed = failed = 0
for case in cases:
    with open(os.path.join(folder, case["schema"])) as handle:
        schema = json.load(handle)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(case["body"]))
    if errors:
        failed += 1
        for error in errors:
            print(f"{case['label']}: {list(error.absolute_path)}: {error.message}")
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
