#!/bin/sh
# The native stack's clamd settings (rendered from deploy/native/nativestack/clamd.py by build.py).
set -eu
. /usr/local/share/passerelle/clamd-conf.sh  # nativestack.clamd.clamd_conf, filled in from the environment
exec clamd --config-file=/tmp/clamd/clamd.conf
