#!/usr/bin/env bash
# Installs the vayu binary for the companion Action: the release asset for
# this runner's architecture after checking its SHA-256, else `cargo install
# --locked` of the same tag from source. Puts it on GITHUB_PATH.
#
# Inputs (environment): VAYU_VERSION (a tag like v0.1.0; optional),
# VAYU_ACTION_REF and VAYU_ACTION_REPOSITORY (where the action was used from).
set -euo pipefail

repo="${VAYU_ACTION_REPOSITORY:-vayu-dev/vayu}"
server="${GITHUB_SERVER_URL:-https://github.com}"
version="${VAYU_VERSION:-}"
if [ -z "$version" ]; then
  version="${VAYU_ACTION_REF:-}"
fi
# Only a release tag is accepted: it goes into a URL and a cargo argument.
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  echo "::error title=vayu::vayu-version must be a release tag such as v0.1.0 (pin the action to a tag, or set vayu-version)"
  exit 1
fi
if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "::error title=vayu::unexpected action repository name"
  exit 1
fi

case "$(uname -m)" in
  x86_64 | amd64) target=x86_64-unknown-linux-gnu ;;
  aarch64 | arm64) target=aarch64-unknown-linux-gnu ;;
  *) target="" ;;
esac

dest="${RUNNER_TEMP:-/tmp}/vayu-${version}"
mkdir -p "$dest/bin"

installed=""
if [ -n "$target" ] && [ "$(uname -s)" = Linux ]; then
  asset="vayu-${version}-${target}.tar.gz"
  url="${server}/${repo}/releases/download/${version}/${asset}"
  if curl -fsSL --retry 3 -o "$dest/$asset" "$url" &&
    curl -fsSL --retry 3 -o "$dest/$asset.sha256" "$url.sha256"; then
    expected="$(cut -d' ' -f1 <"$dest/$asset.sha256")"
    actual="$(sha256sum "$dest/$asset" | cut -d' ' -f1)"
    if [ -n "$expected" ] && [ "$expected" = "$actual" ]; then
      tar -xzf "$dest/$asset" -C "$dest/bin" vayu
      installed=asset
    else
      echo "::error title=vayu::SHA-256 mismatch for $asset: expected $expected, got $actual"
      exit 1
    fi
  else
    echo "::notice title=vayu::no release asset for $version/$target; building from source"
  fi
fi

if [ -z "$installed" ]; then
  cargo install --locked --git "${server}/${repo}" --tag "$version" --root "$dest" vayu
fi

chmod +x "$dest/bin/vayu"
echo "$dest/bin" >>"$GITHUB_PATH"
"$dest/bin/vayu" --version
