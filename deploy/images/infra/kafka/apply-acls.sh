#!/bin/sh
# The registry's ACLs (acl-plan.txt, rendered by build.py from deploy/native/nativestack/kafka.py) applied as the
# stack's admin once the broker answers: what `stack.py start` does natively. Compose runs it as a one-shot job.
set -eu
: "${KAFKA_ADMIN_PASSWORD:?the stack admin's SCRAM password}"
umask 077
props=$(mktemp)
cat > "$props" <<PROPERTIES
bootstrap.servers=${KAFKA_ADVERTISED_HOST}:${KAFKA_PORT}
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="stack-admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPERTIES
for attempt in $(seq 1 60); do
  if java -Xmx128m -Dlog4j2.configurationFile=/opt/kafka/log4j2.xml -cp '/opt/kafka/libs/*:/opt/kafka/tools' \
      StackAcls "$props" /opt/kafka/acl-plan.txt; then
    exit 0
  fi
  echo "ACLs not applied yet (attempt $attempt), retrying" >&2
  sleep 2
done
exit 1
