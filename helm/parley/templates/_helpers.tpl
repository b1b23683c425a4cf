{{/* Name prefix of every object: "<release>-parley", at most 63 characters. */}}
{{- define "parley.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "parley.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels; a component label is added per service. */}}
{{- define "parley.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The Secret holding credentials: the chart's own or an existing one. */}}
{{- define "parley.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secrets" (include "parley.fullname" .)) -}}
{{- end -}}

{{/* host:port of a service's gRPC Service; called with (list $ "history"). */}}
{{- define "parley.grpcAddress" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- printf "%s-%s:%v" (include "parley.fullname" $root) $name (index $root.Values.services $name).grpcPort -}}
{{- end -}}

{{/*
FANOUT_PARTITIONS of one svc-delivery instance: the log partitions p with
p mod instances = instance. Called with (list $ instance).
*/}}
{{- define "parley.fanoutPartitions" -}}
{{- $root := index . 0 -}}
{{- $instance := index . 1 -}}
{{- $instances := int $root.Values.services.delivery.fanoutInstances -}}
{{- $mine := list -}}
{{- range $p := until (int $root.Values.nats.partitions) -}}
{{- if eq (mod $p $instances) $instance -}}
{{- $mine = append $mine $p -}}
{{- end -}}
{{- end -}}
{{- join "," $mine -}}
{{- end -}}
