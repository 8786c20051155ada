"""The native local stack, one module per component, importable with the standard library alone.

    config       where a stack lives (STACK_DIR, CACHE_DIR), its ports, the endpoints services read
    common       running commands, writing generated files, small probes, the apt installer
    postgres     PostgreSQL 15: cluster, server settings, role and databases
    kafka        Apache Kafka in KRaft mode: jars, server.properties, storage, topics
    s3           versitygw: build, command line, bucket and presigned-URL check
    clamd        ClamAV: local EICAR-only database, clamd.conf, INSTREAM
    mail         the mail catcher (SMTP sink and its web page)
    supervision  supervisord: program sections, XML-RPC control, readiness waits
    services     the platform's Python services under supervisord (from the service registry)
    cli          the commands of `deploy/native/stack.py`

The functions that render a component's configuration (`kafka.server_properties`, `postgres.server_settings`,
`clamd.clamd_conf`, ...) take plain values, so container images reuse them instead of a copy. Third-party
modules (aiokafka, minio, supervisor) are imported only inside the functions that need them.
"""
