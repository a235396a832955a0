# Shared by scripts/course and scripts/test: make a virtual environment in .venv with
# tcpedu installed (editable) and the extras asked for, installing Debian packages first
# when the machine lacks them. Sourced, not run; expects $EXTRAS (e.g. "course" or "test")
# and $APT_LISTS (files in scripts/ naming Debian packages).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${TCPEDU_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

say() { printf 'tcpedu setup: %s\n' "$*" >&2; }

# Debian packages the project needs, one per line in the files named by $APT_LISTS
# (scripts/apt-packages.txt for the course; the tests add scripts/apt-packages-test.txt).
missing_apt_packages() {
    local pkg list
    for list in $APT_LISTS; do
        while read -r pkg; do
            pkg="${pkg%%#*}"; pkg="${pkg// /}"
            [ -n "$pkg" ] || continue
            dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
        done < "$ROOT/scripts/$list"
    done
}

install_apt_packages() {
    local missing
    missing="$(missing_apt_packages | tr '\n' ' ')"
    [ -n "${missing// /}" ] || return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "please install these Debian packages first: sudo apt-get install -y $missing"
        exit 1
    fi
    say "installing Debian packages: $missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

ensure_python() {
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        say "no $PYTHON found: install Python 3.10 or newer"
        exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        say "tcpedu needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1)"
        exit 1
    fi
    if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "installing python3-venv"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        else
            say "Python's venv module is missing: sudo apt-get install -y python3-venv"
            exit 1
        fi
    fi
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the project's requirements changed since the last install.
    local stamp="$VENV/.tcpedu-installed-$EXTRAS"
    local want
    want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        say "installing tcpedu[$EXTRAS] into $VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e "$ROOT[$EXTRAS]"
        printf '%s' "$want" > "$stamp"
    fi
}

install_apt_packages
ensure_python
ensure_venv
