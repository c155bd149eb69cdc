#!/usr/bin/env bash
# Runs the demo against a local CloudWatch Logs emulator and counts what landed.
# Usage: scripts/demo-cloudwatch.sh [demo flags…]   (e.g. --requests 5000 --tenants 8)
#
# Installs moto[server] into .venv if needed, starts moto_server on a free loopback port
# with dummy credentials, runs the demo with --sink cloudwatch, then reads every stream of
# the group back through the CloudWatch Logs API and prints how many events landed.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib/moto.sh
start_moto

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
endpoint="http://127.0.0.1:$MOTO_PORT"
# DEMO_PROFILE=dev reuses the test build (scripts/test.sh); the default is an optimised build.
summary=$(cargo run --locked --profile "${DEMO_PROFILE:-release}" -q -p observability-demo -- --sink cloudwatch --summary json \
  --endpoint-url "$endpoint" --log-group /lift/demo "$@" 2>&1 >/dev/null | tail -n 1)
echo "demo summary: $summary"

ENDPOINT="$endpoint" SUMMARY="$summary" .venv/bin/python - <<'PY'
import json, os, boto3
logs = boto3.client("logs", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")
total = 0
streams = logs.describe_log_streams(logGroupName="/lift/demo")["logStreams"]
for s in sorted(streams, key=lambda s: s["logStreamName"]):
    name, count, token = s["logStreamName"], 0, None
    while True:
        kw = {"logGroupName": "/lift/demo", "logStreamName": name, "startFromHead": True}
        if token:
            kw["nextToken"] = token
        page = logs.get_log_events(**kw)
        count += len(page["events"])
        if not page["events"] or page.get("nextForwardToken") == token:
            break
        token = page.get("nextForwardToken")
    print(f"  {name}: {count} events")
    total += count
summary = json.loads(os.environ["SUMMARY"])
shipped = summary["shipped"] + (summary.get("metric_documents_shipped") or 0)
print(f"landed in CloudWatch Logs: {total} events; the demo reported {shipped} shipped "
      f"({summary['shipped']} log entries, {summary.get('metric_documents_shipped')} EMF documents)")
raise SystemExit(0 if total == shipped else 1)
PY
