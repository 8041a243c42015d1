#!/bin/sh
# tests/openapi/run.sh: checks docs/openapi.json with two third-party validators, then checks the
# real server against it (contract.mjs). Runs from any directory; ARTICLED_BIN names the binary
# (default ./articled; a relative path is taken from the repository root). Installs the npm
# packages of package-lock.json when they are missing. Exits non-zero when any step fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
spec="$root/docs/openapi.json"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is not installed: the OpenAPI checks need Node.js 20.19+ and npm (the machine image ships Node.js 20 with npm; Debian bookworm's nodejs 18 is too old for @redocly/cli)" >&2
        exit 2
    fi
done

# npm ci when a package is missing or package-lock.json changed since the last install.
need_install=0
for f in node_modules/.bin/redocly node_modules/.bin/validate-api node_modules/ajv/package.json \
    node_modules/ajv-formats/package.json node_modules/.package-lock.json; do
    [ -e "$here/$f" ] || need_install=1
done
[ "$need_install" -eq 0 ] && [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ] && need_install=1
if [ "$need_install" -eq 1 ]; then
    echo "== npm ci (tests/openapi)"
    (cd "$here" && npm ci --no-audit --no-fund) || { echo "run.sh: npm ci failed" >&2; exit 1; }
fi

status=0
echo "== @seriousme/openapi-schema-validator: docs/openapi.json against the official OpenAPI 3.1 schema"
"$here/node_modules/.bin/validate-api" "$spec" || status=1

echo "== @redocly/cli lint, recommended-strict rules (info-license skipped: the project declares none)"
# Its Node.js deprecation banner (box-drawing lines) is left out.
lint=$(REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1 \
    "$here/node_modules/.bin/redocly" lint --extends=recommended-strict --skip-rule=info-license \
    --format=stylish "$spec" 2>&1) || { lint_failed=1; status=1; }
printf '%s\n' "$lint" | grep -v -e '║' -e '╔' -e '╚' -e '^$'
[ "${lint_failed:-0}" -eq 1 ] && echo "run.sh: redocly lint failed" >&2

echo "== contract test: the real server against docs/openapi.json"
(cd "$root" && node tests/openapi/contract.mjs) || status=1

[ "$status" -eq 0 ] && echo "run.sh: OpenAPI checks passed" || echo "run.sh: OpenAPI checks FAILED" >&2
exit "$status"
