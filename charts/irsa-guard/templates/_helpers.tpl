{{/* The chart's name, overridable for forks. */}}
{{- define "irsa-guard.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every object name. A release named irsa-guard (the documented install) gives the same names as
deploy/ (kustomize): irsa-guard, irsa-guard-webhook, irsa-guard-webhook-tls, irsa-guard-serving-cert.
*/}}
{{- define "irsa-guard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "irsa-guard.webhookName" -}}
{{- printf "%s-webhook" (include "irsa-guard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "irsa-guard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "irsa-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: irsa-guard
{{- end -}}

{{- define "irsa-guard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "irsa-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{/* The Secret holding the serving certificate: written by cert-manager, or brought by the user. */}}
{{- define "irsa-guard.tlsSecretName" -}}
{{- if .Values.tls.certManager.enabled -}}
{{- printf "%s-webhook-tls" (include "irsa-guard.fullname" .) -}}
{{- else -}}
{{- required "tls.existingSecret is required when tls.certManager.enabled is false" .Values.tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "irsa-guard.certificateName" -}}
{{- printf "%s-serving-cert" (include "irsa-guard.fullname" .) -}}
{{- end -}}

{{- define "irsa-guard.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
