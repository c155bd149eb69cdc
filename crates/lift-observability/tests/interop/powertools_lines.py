"""Writes the log lines Powertools for AWS Lambda (Python) writes for one invocation.

Usage: powertools_lines.py SPEC_JSON
SPEC_JSON: {"service", "function_name", "memory_mb", "function_arn", "request_id",
"trace_header", "entries": [{"level": "debug|info|warning|error", "message", "extra": {}}]}
Prints one JSON line per entry, exactly as Powertools' Logger writes them to stdout.
"""
import json
import os
import sys

spec = json.loads(sys.argv[1])
os.environ["POWERTOOLS_SERVICE_NAME"] = spec["service"]
os.environ["POWERTOOLS_LOG_LEVEL"] = "DEBUG"
os.environ["_X_AMZN_TRACE_ID"] = spec["trace_header"]

from aws_lambda_powertools import Logger  # noqa: E402

logger = Logger()


class LambdaContext:
    function_name = spec["function_name"]
    memory_limit_in_mb = spec["memory_mb"]
    invoked_function_arn = spec["function_arn"]
    aws_request_id = spec["request_id"]


@logger.inject_lambda_context
def handler(event, context):
    for entry in spec["entries"]:
        getattr(logger, entry["level"])(entry["message"], extra=entry.get("extra", {}))


handler({}, LambdaContext())
