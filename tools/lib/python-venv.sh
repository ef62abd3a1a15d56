# shellcheck shell=bash
# python_venv NAME REQUIREMENTS: a virtualenv under ~/.cache/lapse/NAME/<hash> with the pinned
# REQUIREMENTS installed (no dependency resolution: the file pins every package), built once per
# requirements file and Python version and reused after (idempotent). Needs Python >= 3.11
# (Debian's python3 and python3-venv are installed when missing). Prints the venv's path; logs go
# to stderr as "[NAME] …". Sourced by each tool's install.sh (tools/scim-tester, tools/openapi-fuzz).
python_venv() {
  local name=$1 requirements=$2
  local cache="${LAPSE_CACHE:-$HOME/.cache/lapse}"
  local python="${LAPSE_PYTHON:-}" candidate hash venv
  if [ -z "$python" ]; then
    for candidate in python3.13 python3.12 python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        python="$(command -v "$candidate")"
        break
      fi
    done
  fi
  if [ -z "$python" ]; then
    printf '[%s] %s\n' "$name" "needs Python >= 3.11: installing Debian's python3" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends python3 python3-venv >&2
    python="$(command -v python3)"
  fi

  hash="$( (cat "$requirements"; "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
  venv="$cache/$name/$hash"
  if [ -f "$venv/.installed" ]; then
    echo "$venv"
    return 0
  fi
  printf '[%s] creating %s (%s)\n' "$name" "$venv" "$("$python" --version)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! "$python" -m venv "$venv" >&2; then
    printf '[%s] %s\n' "$name" "python venv module missing: installing Debian's python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends python3-venv >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "$requirements" >&2
  echo "$venv"
}

# python_venv_done NAME VENV PACKAGE: marks VENV complete (after the caller's smoke check) and logs
# the installed PACKAGE version.
python_venv_done() {
  local name=$1 venv=$2 package=$3
  touch "$venv/.installed"
  printf '[%s] installed %s %s\n' "$name" "$package" \
    "$("$venv/bin/python" -c "from importlib.metadata import version; print(version('$package'))")" >&2
}
