#!/usr/bin/env bash
# Installs the vayu binary for the companion Action: the release asset for
# this runner's architecture after checking its SHA-256, else `cargo install
# --locked` of the same tag from source. Puts it on GITHUB_PATH.
#
# Inputs (environment): VAYU_VERSION (a tag like v0.1.0; optional),
# VAYU_ACTION_REF and VAYU_ACTION_REPOSITORY (where the action was used from),
# GITHUB_ACTION_PATH (the action's own checkout, for its Cargo.toml).
#
# Pinned to a commit (what the docs recommend), the binary must be built from
# that commit: the release whose tag points at it when there is one (its
# version is the one in the action's Cargo.toml), else `cargo install` of
# exactly that commit.
set -euo pipefail

tag_re='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$'
repo="${VAYU_ACTION_REPOSITORY:-vayu-dev/vayu}"
server="${GITHUB_SERVER_URL:-https://github.com}"
ref="${VAYU_ACTION_REF:-}"
version="${VAYU_VERSION:-}"
rev=""
if ! [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  echo "::error title=vayu::unexpected action repository name"
  exit 1
fi
if [ -z "$version" ] && [[ "$ref" =~ $tag_re ]]; then
  version="$ref"
elif [ -z "$version" ] && [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; then
  manifest="${GITHUB_ACTION_PATH:-.}/Cargo.toml"
  package="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$manifest" 2>/dev/null | head -n 1)"
  candidate="v${package}"
  tagged=""
  if [[ "$candidate" =~ $tag_re ]]; then
    # A peeled annotated tag (`^{}`) names the commit; a lightweight tag names it directly.
    tagged="$(git ls-remote "${server}/${repo}" "refs/tags/${candidate}" "refs/tags/${candidate}^{}" 2>/dev/null |
      sort -k2 | awk 'END { print $1 }')"
  fi
  if [ "$tagged" = "$ref" ]; then
    version="$candidate"
  else
    rev="$ref"
  fi
fi
# Only a release tag or a full commit id is used: it goes into a URL and a cargo argument.
if [ -z "$rev" ] && ! [[ "$version" =~ $tag_re ]]; then
  echo "::error title=vayu::vayu-version must be a release tag such as v0.1.0 (pin the action to a tag or a commit, or set vayu-version)"
  exit 1
fi

# VAYU_INSTALL_PLAN=1 only says what would be installed (the tests use it).
if [ -n "${VAYU_INSTALL_PLAN:-}" ]; then
  echo "version=${version} rev=${rev}"
  exit 0
fi

case "$(uname -m)" in
  x86_64 | amd64) target=x86_64-unknown-linux-gnu ;;
  aarch64 | arm64) target=aarch64-unknown-linux-gnu ;;
  *) target="" ;;
esac

dest="${RUNNER_TEMP:-/tmp}/vayu-${version:-$rev}"
mkdir -p "$dest/bin"

installed=""
if [ -z "$rev" ] && [ -n "$target" ] && [ "$(uname -s)" = Linux ]; then
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

if [ -z "$installed" ] && [ -n "$rev" ]; then
  echo "::notice title=vayu::the action is pinned to ${rev}, which no release tag names; building that commit from source"
  cargo install --locked --git "${server}/${repo}" --rev "$rev" --root "$dest" vayu
elif [ -z "$installed" ]; then
  cargo install --locked --git "${server}/${repo}" --tag "$version" --root "$dest" vayu
fi

chmod +x "$dest/bin/vayu"
echo "$dest/bin" >>"$GITHUB_PATH"
"$dest/bin/vayu" --version
