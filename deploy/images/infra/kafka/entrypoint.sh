#!/bin/sh
# The broker's properties from the environment (same values as deploy/native/stack.py), storage formatted once.
set -eu
conf=/var/lib/kafka/server.properties
cat > "$conf" <<PROPS
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://$KAFKA_LISTEN_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_LISTEN_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_ADVERTISED_HOST:$KAFKA_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
controller.quorum.voters=1@$KAFKA_ADVERTISED_HOST:$KAFKA_CONTROLLER_PORT
log.dirs=/var/lib/kafka/data
num.partitions=$KAFKA_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
log.segment.bytes=67108864
PROPS
java_opts="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/log4j2.xml"
if [ ! -f /var/lib/kafka/data/meta.properties ]; then
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  java -Xmx256m $java_opts -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$conf"
fi
exec java $KAFKA_HEAP_OPTS $java_opts -cp '/opt/kafka/libs/*' kafka.Kafka "$conf"
