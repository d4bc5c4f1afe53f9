{{/* Names, labels and derived settings shared by the templates. */}}

{{- define "article-worker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "article-worker.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "article-worker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable for the life of the release (a Deployment selector is immutable). */}}
{{- define "article-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "article-worker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The recommended labels (kubernetes.io/docs/concepts/overview/working-with-objects/common-labels). */}}
{{- define "article-worker.labels" -}}
helm.sh/chart: {{ include "article-worker.chart" . }}
{{ include "article-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: worker
app.kubernetes.io/part-of: article-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "article-worker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "article-worker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "article-worker.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Paths inside the container. */}}
{{- define "article-worker.configDir" -}}/etc/article-worker/config{{- end }}
{{- define "article-worker.secretsDir" -}}/etc/article-worker/secrets{{- end }}

{{/* Name of the Secret the chart creates for kafkaSecrets.*.value. */}}
{{- define "article-worker.secretName" -}}
{{- printf "%s-kafka" (include "article-worker.fullname" .) }}
{{- end }}

{{/*
The kafkaSecrets items that are file-mounted, with the file name each gets and the config key
that points at it. The key password is not a file (the worker has no *_file option for it).
*/}}
{{- define "article-worker.secretFiles" -}}
saslPassword: {file: sasl-password, configKey: sasl_password_file}
caCert: {file: ca.crt, configKey: ssl_cafile}
clientCert: {file: tls.crt, configKey: ssl_certfile}
clientKey: {file: tls.key, configKey: ssl_keyfile}
{{- end }}

{{/* True (non-empty) when the chart must create its own Secret. */}}
{{- define "article-worker.createSecret" -}}
{{- range $item, $spec := .Values.kafkaSecrets }}
{{- if and $spec.value (not $spec.existingSecret) }}true{{ end }}
{{- end }}
{{- end }}

{{/*
The worker.yaml that goes into the ConfigMap: .Values.config plus the paths of the mounted
secret files. Validated here so that a broken combination fails at `helm install`, not in a
crash-looping pod.
*/}}
{{- define "article-worker.workerConfig" -}}
{{- $config := deepCopy .Values.config }}
{{- $kafka := get $config "kafka" | default dict }}
{{- $files := include "article-worker.secretFiles" . | fromYaml }}
{{- range $item, $spec := $files }}
{{- $source := get $.Values.kafkaSecrets $item }}
{{- if and $source.value $source.existingSecret }}
{{- fail (printf "kafkaSecrets.%s: set either value or existingSecret, not both" $item) }}
{{- end }}
{{- if or $source.value $source.existingSecret }}
{{- $_ := set $kafka $spec.configKey (printf "%s/%s" (include "article-worker.secretsDir" $) $spec.file) }}
{{- end }}
{{- end }}
{{- $protocol := $kafka.security_protocol | default "PLAINTEXT" }}
{{- if and (hasPrefix "SASL_" $protocol) (not $kafka.sasl_password_file) }}
{{- fail (printf "config.kafka.security_protocol is %s: set kafkaSecrets.saslPassword (value or existingSecret)" $protocol) }}
{{- end }}
{{- if and (hasPrefix "SASL_" $protocol) (not $kafka.sasl_username) }}
{{- fail (printf "config.kafka.security_protocol is %s: set config.kafka.sasl_username" $protocol) }}
{{- end }}
{{- if and (hasPrefix "SASL_" $protocol) (not $kafka.sasl_mechanism) }}
{{- fail (printf "config.kafka.security_protocol is %s: set config.kafka.sasl_mechanism" $protocol) }}
{{- end }}
{{- $_ := set $config "kafka" $kafka }}
{{- toYaml $config }}
{{- end }}

{{/* The drain timeout the worker uses (its default when not configured). */}}
{{- define "article-worker.drainTimeout" -}}
{{- $shutdown := get .Values.config "shutdown" | default dict }}
{{- $shutdown.drain_timeout_s | default 30 }}
{{- end }}

{{- define "article-worker.terminationGracePeriodSeconds" -}}
{{- $drain := include "article-worker.drainTimeout" . | float64 }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add (ceil $drain | int) 30 }}
{{- else if le (float64 .Values.terminationGracePeriodSeconds) $drain }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be above config.shutdown.drain_timeout_s (%v): the pod would be killed while draining" .Values.terminationGracePeriodSeconds $drain) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{- define "article-worker.metricsPort" -}}
{{- $metrics := get .Values.config "metrics" | default dict }}
{{- $metrics.port | default 9100 }}
{{- end }}

{{/* True (non-empty) when at least one kafkaSecrets file item is set. */}}
{{- define "article-worker.hasSecretFiles" -}}
{{- $files := include "article-worker.secretFiles" . | fromYaml }}
{{- range $item, $_ := $files }}
{{- $source := get $.Values.kafkaSecrets $item }}
{{- if or $source.value $source.existingSecret }}true{{ end }}
{{- end }}
{{- end }}

{{/* Environment variables of the worker container (a YAML list, or empty). */}}
{{- define "article-worker.env" -}}
{{- $kafka := (include "article-worker.workerConfig" . | fromYaml).kafka }}
{{- if .Values.staticMembership.enabled }}
# Static membership: the pod name is this member's group.instance.id.
- name: ARTICLE_WORKER__CONSUMER__GROUP_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end }}
{{- with .Values.kafkaSecrets.clientKeyPassword }}
{{- if or .value .existingSecret }}
- name: ARTICLE_WORKER__KAFKA__SSL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | default (include "article-worker.secretName" $) }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.keda.enabled $kafka.sasl_username }}
# Same value as in worker.yaml; KEDA's TriggerAuthentication reads it from here.
- name: ARTICLE_WORKER__KAFKA__SASL_USERNAME
  value: {{ $kafka.sasl_username | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
