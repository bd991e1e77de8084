#!/usr/bin/env bash
# cfn-lint on template.yaml, the linter SAM users run; `mvn verify` runs this (the root pom). Any error or warning
# fails the build (a rule the template ignores is named, with its reason, in the template's Metadata). Where cfn-lint
# is not installed, one line says the lint was skipped and the build goes on.
set -uo pipefail
cd "$(dirname "$0")/.."

# a fresh non-interactive shell may not have pyenv on its PATH: look where pip and pyenv put the command too
for candidate in "$(command -v cfn-lint 2>/dev/null)" "${HOME:-}/.pyenv/shims/cfn-lint" "${HOME:-}/.local/bin/cfn-lint"; do
  # a pyenv shim exists even when the selected Python lacks the command: it must run, not just be there
  if [ -n "$candidate" ] && [ -x "$candidate" ] && version=$("$candidate" --version 2>/dev/null); then
    echo "[jobline] $version: template.yaml"
    exec "$candidate" template.yaml
  fi
done
echo "[jobline] cfn-lint not found (PATH, ~/.pyenv/shims, ~/.local/bin): template.yaml not linted, skipped"
