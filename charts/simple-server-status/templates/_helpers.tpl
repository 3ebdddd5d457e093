{{/* The chart name, for the app.kubernetes.io/name label. */}}
{{- define "sss.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: the release name (release "sss" gives sss-dashboard, sss-agent), so the names are
short and predictable; release names are unique per namespace. 50 characters leave room for the suffixes.
*/}}
{{- define "sss.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- end }}

{{- define "sss.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; pass (dict "ctx" $ "component" "dashboard"). */}}
{{- define "sss.labels" -}}
helm.sh/chart: {{ include "sss.chart" .ctx }}
{{ include "sss.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "sss.name" .ctx }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels a selector matches; they never change across upgrades. */}}
{{- define "sss.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sss.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "sss.dashboard.fullname" -}}
{{ include "sss.fullname" . }}-dashboard
{{- end }}

{{- define "sss.agent.fullname" -}}
{{ include "sss.fullname" . }}-agent
{{- end }}

{{/* The Secret holding the shared secret: the user's existingSecret or the one this chart generates. */}}
{{- define "sss.authSecretName" -}}
{{- default (printf "%s-auth" (include "sss.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{/* The Secret holding the /metrics token: the user's existingSecret or the one this chart generates. */}}
{{- define "sss.metricsTokenSecretName" -}}
{{- default (printf "%s-metrics" (include "sss.fullname" .)) .Values.metrics.token.existingSecret }}
{{- end }}

{{/* The schema requires a name when create is false, so a pod never falls back to the "default" account. */}}
{{- define "sss.dashboard.serviceAccountName" -}}
{{- default (include "sss.dashboard.fullname" .) .Values.dashboard.serviceAccount.name }}
{{- end }}

{{- define "sss.agent.serviceAccountName" -}}
{{- default (include "sss.agent.fullname" .) .Values.agent.serviceAccount.name }}
{{- end }}

{{/* An image reference; pass (dict "image" .Values.dashboard.image "ctx" $). */}}
{{- define "sss.image" -}}
{{- $ref := printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- if .image.digest }}
{{- $ref = printf "%s@%s" $ref .image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{/* Where the shared secret is mounted in both programs. */}}
{{- define "sss.authSecretDir" -}}
/etc/sss/auth
{{- end }}

{{/* The agents' dashboard URL: the value, or this release's dashboard Service. */}}
{{- define "sss.dashboardUrl" -}}
{{- if .Values.agent.dashboardUrl }}
{{- .Values.agent.dashboardUrl }}
{{- else }}
{{- printf "ws://%s.%s.svc:%v/ws-report" (include "sss.dashboard.fullname" .) .Release.Namespace .Values.dashboard.service.port }}
{{- end }}
{{- end }}

{{/* A pod-level volume with the shared secret, readable by its owner and the pod's fsGroup only (288 = 0440). */}}
{{- define "sss.authSecretVolume" -}}
- name: auth
  secret:
    secretName: {{ include "sss.authSecretName" . }}
    defaultMode: 288
    items:
      - key: {{ .Values.auth.secretKey }}
        path: {{ .Values.auth.secretKey }}
{{- end }}

{{/*
The dashboard's SSS_CONFIG file, or nothing when no value asks for one: the server list, the alert rules (a list,
even an empty one; null keeps the dashboard's default rules), the notification receivers and the external address.
*/}}
{{- define "sss.dashboardConfig" -}}
{{- $config := dict }}
{{- with .Values.dashboard.servers }}{{ $_ := set $config "servers" . }}{{ end }}
{{- if kindIs "slice" .Values.dashboard.alerts }}{{ $_ := set $config "alerts" .Values.dashboard.alerts }}{{ end }}
{{- with .Values.dashboard.notifications }}{{ $_ := set $config "notifications" . }}{{ end }}
{{- with .Values.dashboard.externalUrl }}{{ $_ := set $config "externalUrl" . }}{{ end }}
{{- if $config }}{{ toYaml $config }}{{ end }}
{{- end }}

{{/*
"true" when the dashboard runs as a StatefulSet: several replicas (over Redis) that each keep their history on a
claim of their own (dashboard.persistence.enabled). Empty otherwise: a Deployment, with one claim or an emptyDir.
*/}}
{{- define "sss.dashboard.statefulSet" -}}
{{- if and .Values.dashboard.persistence.enabled (gt (int .Values.dashboard.replicas) 1) }}true{{ end }}
{{- end }}
