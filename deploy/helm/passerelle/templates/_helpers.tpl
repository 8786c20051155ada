{{/* Names, labels and the pieces every workload shares. */}}
{{- define "passerelle.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "passerelle.metaLabels" -}}
app.kubernetes.io/part-of: passerelle
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "passerelle.labels" -}}
{{ include "passerelle.metaLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* ctx: dict root service part */}}
{{- define "passerelle.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/component: {{ .part }}
{{- end -}}

{{- define "passerelle.workload" -}}
{{- if eq .part "web" -}}{{ printf "%s-%s" (include "passerelle.fullname" .root) .service }}{{- else -}}{{ printf "%s-%s-%s" (include "passerelle.fullname" .root) .service .part }}{{- end -}}
{{- end -}}

{{- define "passerelle.image" -}}
{{ printf "%s/%s:%s" .root.Values.image.registry .service .root.Values.image.tag }}
{{- end -}}

{{- define "passerelle.prefix" -}}
{{ .service | replace "-" "_" | upper }}_
{{- end -}}

{{- define "passerelle.secretName" -}}
{{- if .Values.secrets.create -}}{{ include "passerelle.fullname" . }}-credentials{{- else -}}{{ required "secrets.existingSecret is required when secrets.create is false" .Values.secrets.existingSecret }}{{- end -}}
{{- end -}}

{{- define "passerelle.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "passerelle.secretName" .root }}
      key: {{ .key }}
{{- end -}}

{{/* The Kafka password is mounted from the Secret as a file (libs.kafka_auth reads PASSERELLE_KAFKA_SASL_PASSWORD_FILE),
never put in the environment, where `kubectl describe`, crash dumps and child processes would see it. */}}
{{- define "passerelle.kafkaPasswordFile" -}}/var/run/secrets/passerelle/kafka/password{{- end -}}

{{/* The volume holding one key of the Secret as that file. ctx: dict root key */}}
{{- define "passerelle.kafkaPasswordVolume" -}}
- name: kafka-password
  secret:
    secretName: {{ include "passerelle.secretName" .root }}
    defaultMode: 288  {{- /* 0440: owner root, group fsGroup (the service's user) may read it */}}
    items:
      - key: {{ .key }}
        path: password
{{- end -}}

{{- define "passerelle.kafkaPasswordMount" -}}
- name: kafka-password
  mountPath: /var/run/secrets/passerelle/kafka
  readOnly: true
{{- end -}}

{{/* Environment of one service's containers. ctx: dict root service values part */}}
{{- define "passerelle.env" -}}
{{- $p := include "passerelle.prefix" . -}}
{{- $v := .values -}}
- name: OTEL_SERVICE_NAME
  value: {{ .service }}
- name: PASSERELLE_SERVICE_PART
  value: {{ .part }}
{{- if $v.database }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" (printf "%sDATABASE_URL" $p) "key" (printf "%s-database-url" .service)) }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" "RELAY_DATABASE_URL" "key" (printf "%s-database-url" .service)) }}
{{- end }}
{{- if has "kafka" $v.uses }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" "PASSERELLE_KAFKA_SASL_USERNAME" "key" (printf "%s-kafka-username" .service)) }}
- name: PASSERELLE_KAFKA_SASL_PASSWORD_FILE
  value: {{ include "passerelle.kafkaPasswordFile" . }}
{{- end }}
{{- if has "s3" $v.uses }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" "PASSERELLE_S3_ACCESS_KEY" "key" "s3-access-key") }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" "PASSERELLE_S3_SECRET_KEY" "key" "s3-secret-key") }}
{{- end }}
{{- if has "smtp" $v.uses }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" (printf "%sSMTP_USERNAME" $p) "key" "smtp-username") }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" (printf "%sSMTP_PASSWORD" $p) "key" "smtp-password") }}
{{- end }}
{{- if eq .service "identity" }}
{{ include "passerelle.secretEnv" (dict "root" .root "name" "IDENTITY_KEY_ENCRYPTION_SECRET" "key" "identity-key-encryption-secret") }}
{{- end }}
{{- if or (eq .service "identity") (eq .service "notifier") }}
- name: {{ $p }}PORTAL_URL
  value: {{ .root.Values.platform.portalUrl | quote }}
{{- end }}
{{- if and (eq .service "documents") .root.Values.platform.s3.publicEndpoint }}
- name: DOCUMENTS_S3_PUBLIC_ENDPOINT
  value: {{ .root.Values.platform.s3.publicEndpoint | quote }}
{{- end }}
{{- if eq .part "web" }}
- name: {{ $p }}CONSUMERS_ENABLED
  value: {{ (not (and $v.consumers $v.consumers.enabled)) | quote }}
- name: {{ $p }}RELAY_IN_PROCESS
  value: {{ (not (and $v.relay $v.relay.enabled)) | quote }}
{{- else if eq .part "consumers" }}
- name: {{ $p }}CONSUMERS_ENABLED
  value: "true"
- name: {{ $p }}RELAY_IN_PROCESS
  value: "false"
{{- else if eq .part "relay" }}
- name: RELAY_NAME
  value: {{ printf "%s-relay" .service }}
{{- end }}
{{- end -}}
