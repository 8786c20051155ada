#!/bin/sh
# The broker's properties (the native stack's, from deploy/native/nativestack/kafka.py), storage formatted once.
# SASL as natively: KAFKA_ADMIN_PASSWORD (the super user stack-admin) and KAFKA_CONTROLLER_PASSWORD are required;
# KAFKA_SCRAM_USERS ("identity=<password> contracts=<password> ...") adds the services' SCRAM users at format time.
# Their ACLs are applied by apply-acls.sh (compose's `kafka-acls` job) or from the host (testcontainers).
set -eu
: "${KAFKA_ADMIN_PASSWORD:?the stack admin's SCRAM password}" "${KAFKA_CONTROLLER_PASSWORD:?the controller's password}"
conf=/var/lib/kafka/server.properties
umask 077  # the file holds passwords
. /opt/kafka/server-properties.sh  # the native stack's properties, filled in from the environment
java_opts="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/log4j2.xml"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  set -- --add-scram "SCRAM-SHA-512=[name=stack-admin,password=$KAFKA_ADMIN_PASSWORD]"
  for user in ${KAFKA_SCRAM_USERS:-}; do
    set -- "$@" --add-scram "SCRAM-SHA-512=[name=${user%%=*},password=${user#*=}]"
  done
  java -Xmx256m $java_opts -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$conf" "$@"
fi
exec java $KAFKA_HEAP_OPTS $java_opts -cp '/opt/kafka/libs/*' kafka.Kafka "$conf"
