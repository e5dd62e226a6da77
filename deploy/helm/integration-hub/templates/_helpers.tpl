{{/* Names and labels shared by every object of the chart. */}}

{{- define "hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hub.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "hub.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "hub.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select every hub pod (API, worker, migrations): the NetworkPolicies of Temporal and Postgres admit these. */}}
{{- define "hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "hub.selectorLabels" . }}
app.kubernetes.io/version: {{ include "hub.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: integration-hub
{{- end -}}

{{/* Labels of one component: call with (dict "root" $ "component" "api"). */}}
{{- define "hub.componentSelectorLabels" -}}
{{ include "hub.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "hub.componentLabels" -}}
{{ include "hub.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "hub.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{- define "hub.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "hub.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "hub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "hub.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the API and worker read: secrets.name, else the release fullname. */}}
{{- define "hub.secretName" -}}
{{- default (include "hub.fullname" .) .Values.secrets.name -}}
{{- end -}}

{{/* The Secret the migration Job reads the owner connection from. */}}
{{- define "hub.migrationSecretName" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-migrate" (include "hub.fullname" .) -}}
{{- else -}}
{{- default (include "hub.secretName" .) .Values.secrets.migrationSecretName -}}
{{- end -}}
{{- end -}}

{{/* One env entry read from the hub Secret: (dict "root" $ "name" "HUB_MASTER_KEY" "optional" false). */}}
{{- define "hub.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "hub.secretName" .root }}
      key: {{ .name }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* What every hub container shares: security context, the writable emptyDirs, the config. */}}
{{- define "hub.containerSecurityContext" -}}
{{ toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/*
npm writes its cache and logs under $HOME, and tsx its compile cache under the temp dir: both are
pointed at the /tmp emptyDir, since the root filesystem is read-only.
*/}}
{{- define "hub.runtimeEnv" -}}
- name: npm_config_cache
  value: /tmp/.npm
- name: npm_config_update_notifier
  value: "false"
- name: HOME
  value: /tmp
{{- end -}}

{{- define "hub.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: {{ .Values.config.HUB_DATA_DIR }}
{{- if .Values.files.existingClaim }}
- name: files
  mountPath: {{ include "hub.filesDir" . }}
{{- end }}
{{- if .Values.temporal.tls.secretName }}
- name: temporal-tls
  mountPath: /etc/hub/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "hub.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataSizeLimit }}
{{- if .Values.files.existingClaim }}
- name: files
  persistentVolumeClaim:
    claimName: {{ .Values.files.existingClaim }}
{{- end }}
{{- if .Values.temporal.tls.secretName }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "hub.filesDir" -}}
{{- printf "%s/files" .Values.config.HUB_DATA_DIR -}}
{{- end -}}

{{- define "hub.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{/*
Worker pools as a YAML list under `pools`: the `worker` Deployment (component "worker") first, then one
per entry of workerPools (component "worker-<name>"), each with worker's values overridden by the
entry's. Read with (include "hub.workerPools" . | fromYaml).pools.
*/}}
{{- define "hub.workerPools" -}}
{{- $pools := list (dict "component" "worker" "values" .Values.worker) }}
{{- range $name, $overrides := .Values.workerPools }}
{{- $pools = append $pools (dict "component" (printf "worker-%s" $name) "values" (mergeOverwrite (deepCopy $.Values.worker) $overrides)) }}
{{- end }}
{{- toYaml (dict "pools" $pools) }}
{{- end -}}

{{/* The Temporal task queues a pool polls (WORKER_TASK_QUEUES → names, as platform/temporal/taskQueues.ts derives them): call with (dict "root" $ "taskQueues" "sync,bulk"). */}}
{{- define "hub.workerQueueNames" -}}
{{- $base := .root.Values.config.TEMPORAL_TASK_QUEUE | default "hub" }}
{{- $kinds := ternary (list "general" "sync" "bulk" "webhooks" "billing") (splitList "," (toString .taskQueues)) (eq (toString .taskQueues) "all") }}
{{- $names := list }}
{{- range $kinds }}
{{- $kind := trim . }}
{{- $names = append $names (ternary $base (printf "%s-%s" $base $kind) (eq $kind "general")) }}
{{- end }}
{{- join "," $names }}
{{- end -}}
