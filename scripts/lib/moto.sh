# Shared by the scripts that need a local CloudWatch Logs emulator. Source it, then:
#   ensure_moto            installs moto[server] into .venv if it is not there
#   ensure_interop_tools   also installs the independent implementations the interop tests
#                          compare Lift with (jsonschema, aws-lambda-powertools,
#                          http-message-signatures with requests)
#   start_moto             starts moto_server on a free loopback port, waits until it
#                          listens, sets MOTO_PORT and MOTO_PID, and stops it on exit

ensure_moto() {
  if [ ! -x .venv/bin/moto_server ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
  fi
}

ensure_interop_tools() {
  ensure_moto
  if ! .venv/bin/python -c 'import jsonschema, aws_lambda_powertools, http_message_signatures, requests' 2>/dev/null; then
    .venv/bin/pip install --quiet --disable-pip-version-check \
      'jsonschema>=4,<5' 'aws-lambda-powertools>=3,<4' \
      'http-message-signatures>=1,<2' 'requests>=2,<3'
  fi
}

start_moto() {
  ensure_moto
  MOTO_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .venv/bin/moto_server -H 127.0.0.1 -p "$MOTO_PORT" >/dev/null 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $MOTO_PORT), 0.2)" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "moto_server did not start on port $MOTO_PORT" >&2
  return 1
}
