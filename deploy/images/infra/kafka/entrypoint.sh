#!/bin/sh
# The broker's properties (the native stack's, from deploy/native/nativestack/kafka.py), storage formatted once.
set -eu
conf=/var/lib/kafka/server.properties
. /opt/kafka/server-properties.sh  # the native stack's properties, filled in from the environment
java_opts="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/log4j2.xml"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  java -Xmx256m $java_opts -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$conf"
fi
exec java $KAFKA_HEAP_OPTS $java_opts -cp '/opt/kafka/libs/*' kafka.Kafka "$conf"
