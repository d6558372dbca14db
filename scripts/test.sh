#!/bin/sh
# Install what the tests need, then run them: the README's second command and CI's test step.
# Dovecot (the real IMAP server the tests start on loopback, and its FTS plugin) and
# systemd-analyze (which checks the units' hardening) come from Debian's packages when
# missing; the Python package and its test extras go into ./.venv. Arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."

need=""
command -v dovecot >/dev/null 2>&1 || need="$need dovecot-imapd"
command -v systemd-analyze >/dev/null 2>&1 || need="$need systemd"
# Debian's full-text search plugin: the candidate search is also tested through its index.
[ -e /usr/lib/dovecot/modules/lib21_fts_xapian_plugin.so ] || need="$need dovecot-fts-xapian"
if [ -n "$need" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing from Debian's packages:$need"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
exec .venv/bin/python -m pytest "$@"
