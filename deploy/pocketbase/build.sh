#!/bin/sh
# Builds the appliance's PocketBase into the file given (npm start, npm test
# and deploy/Dockerfile all build it here, the same way):
#
#   sh deploy/pocketbase/build.sh build/pocketbase
#
# cgo and a C compiler are needed: SQLite is compiled from C (sqlite.go says
# why); no_default_driver leaves PocketBase's own modernc driver out;
# sqlite_fts5 is message search, sqlite_math_functions matches what modernc
# offered.
set -eu
out=$(realpath -m "$1")
cd "$(dirname "$0")"
CGO_ENABLED=1 exec go build -trimpath -ldflags '-s -w' \
  -tags 'no_default_driver sqlite_fts5 sqlite_math_functions' -o "$out" .
