#!/usr/bin/env bash
# Start Redis as CI runs it (no persistence: a restart empties every queue). Port: $1.
exec redis-server --daemonize yes --bind 127.0.0.1 --port "${1:-6379}" --save "" --appendonly no
