#!/bin/sh
# Same settings as deploy/native/stack.py's clamd.
set -eu
cat > /tmp/clamd/clamd.conf <<CONF
Foreground yes
LogTime yes
PidFile /tmp/clamd/clamd.pid
TemporaryDirectory /tmp/clamd
DatabaseDirectory /var/lib/clamav-local
TCPSocket $CLAMD_PORT
TCPAddr $CLAMD_LISTEN_HOST
StreamMaxLength 25M
MaxFileSize 25M
MaxScanSize 100M
Bytecode no
SelfCheck 0
ConcurrentDatabaseReload no
CONF
exec clamd --config-file=/tmp/clamd/clamd.conf
