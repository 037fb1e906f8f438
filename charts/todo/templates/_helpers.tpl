{{/* Names ------------------------------------------------------------------------------------------- */}}

{{- define "todo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo.fullname" -}}
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

{{- define "todo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects. Usage: include "todo.componentFullname" (dict "ctx" $ "component" "backend") */}}
{{- define "todo.componentFullname" -}}
{{- printf "%s-%s" (include "todo.fullname" .ctx | trunc 50 | trimSuffix "-") .component }}
{{- end }}

{{/* Labels: the one place that defines them. Usage: include "todo.labels" (dict "ctx" $ "component" "backend") */}}
{{- define "todo.labels" -}}
helm.sh/chart: {{ include "todo.chart" .ctx }}
{{ include "todo.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "todo.name" .ctx }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end }}

{{/* Pod template labels: no chart or app version, so a chart bump alone restarts no pod. */}}
{{- define "todo.podLabels" -}}
{{ include "todo.selectorLabels" . }}
app.kubernetes.io/part-of: {{ include "todo.name" .ctx }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end }}

{{/* Selector labels: immutable on Deployments/StatefulSets, so only name + instance + component. */}}
{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every pod of the release carries these (NetworkPolicies select on them). */}}
{{- define "todo.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Components ----------------------------------------------------------------------------------------
The catalog (components.yaml) is the one source of the application's components; templates loop over it. */}}
{{- define "todo.catalog" -}}
{{- .Files.Get "components.yaml" }}
{{- end }}

{{/* The catalog's entries keyed by values key. Usage: include "todo.componentSpecs" $ | fromYaml */}}
{{- define "todo.componentSpecs" -}}
{{- $specs := dict }}
{{- range (include "todo.catalog" . | fromYaml).components }}{{ $_ := set $specs .valuesKey . }}{{ end }}
{{- toYaml $specs }}
{{- end }}

{{/* The values keys in catalog order. Usage: range $key := include "todo.componentKeys" $ | fromYamlArray */}}
{{- define "todo.componentKeys" -}}
{{- $keys := list }}
{{- range (include "todo.catalog" . | fromYaml).components }}{{ $keys = append $keys .valuesKey }}{{ end }}
{{- toYaml $keys }}
{{- end }}

{{/* The spec of one component plus its values. Usage: include "todo.component" (dict "ctx" $ "key" "mcpServer") | fromYaml */}}
{{- define "todo.component" -}}
{{- $spec := get (include "todo.componentSpecs" .ctx | fromYaml) .key }}
{{- $_ := set $spec "key" .key }}
{{- $_ := set $spec "values" (get .ctx.Values .key) }}
{{- toYaml $spec }}
{{- end }}

{{/* In-cluster base URL of a component's Service, by catalog name. Usage: include "todo.serviceUrl" (dict "ctx" $ "name" "backend") */}}
{{- define "todo.serviceUrl" -}}
{{- $port := 0 }}
{{- range (include "todo.catalog" .ctx | fromYaml).components }}{{ if eq .name $.name }}{{ $port = .port }}{{ end }}{{ end }}
{{- if not $port }}{{ fail (printf "components.yaml has no component named %s" .name) }}{{ end }}
{{- printf "http://%s:%v" (include "todo.componentFullname" (dict "ctx" .ctx "component" .name)) $port }}
{{- end }}

{{/* Images -------------------------------------------------------------------------------------------- */}}

{{/* Usage: include "todo.image" (dict "ctx" $ "image" .Values.backend.image) */}}
{{- define "todo.image" -}}
{{- $registry := .image.registry | default .ctx.Values.global.image.registry | trimSuffix "/" }}
{{- $tag := .image.tag | default .ctx.Values.global.image.tag | default .ctx.Chart.AppVersion }}
{{- $ref := printf "%s:%s" .image.repository (toString $tag) }}
{{- with .image.digest }}{{ $ref = printf "%s@%s" $ref . }}{{ end }}
{{- if $registry }}{{ printf "%s/%s" $registry $ref }}{{ else }}{{ $ref }}{{ end }}
{{- end }}

{{- define "todo.pullPolicy" -}}
{{- .image.pullPolicy | default .ctx.Values.global.image.pullPolicy }}
{{- end }}

{{/* Pod-level settings every pod of the chart shares. Usage:
include "todo.podDefaults" (dict "ctx" $ "serviceAccount" "name" "override" $v.podSecurityContext)
("apiToken" true: the pod gets its service account's token, for the one pod that talks to the API server) */}}
{{- define "todo.podDefaults" -}}
serviceAccountName: {{ .serviceAccount }}
automountServiceAccountToken: {{ .apiToken | default false }}
enableServiceLinks: false
{{- with .ctx.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- include "todo.podSecurityContext" . | nindent 2 }}
{{- end }}

{{/* Security contexts: global restricted defaults, merged with a component's overrides. */}}
{{- define "todo.podSecurityContext" -}}
{{- toYaml (mergeOverwrite (deepCopy .ctx.Values.global.podSecurityContext) (.override | default dict)) }}
{{- end }}

{{- define "todo.containerSecurityContext" -}}
{{- toYaml (mergeOverwrite (deepCopy .ctx.Values.global.containerSecurityContext) (.override | default dict)) }}
{{- end }}

{{/* Resources: cpu and memory requests and limits are required (schema); ephemeral-storage defaults to
a 64Mi request and a 1Gi limit (the writable emptyDirs, 256Mi each, plus logs) unless set. */}}
{{- define "todo.resources" -}}
requests:
  {{- toYaml (merge (deepCopy .requests) (dict "ephemeral-storage" "64Mi")) | nindent 2 }}
limits:
  {{- toYaml (merge (deepCopy .limits) (dict "ephemeral-storage" "1Gi")) | nindent 2 }}
{{- end }}

{{/* A Kubernetes quantity (500m, 1, 1.5, 256Mi, 1G) as a plain number, for comparisons. */}}
{{- define "todo.quantity" -}}
{{- $q := toString . }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q }}
{{- $units := dict "m" 0.001 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 }}
{{- mulf (float64 $number) (get $units (trimPrefix $number $q) | default 1.0) }}
{{- end }}

{{/* Fail when a request exceeds its limit. Usage: include "todo.checkResources" (dict "path" "backend.resources" "resources" $r) */}}
{{- define "todo.checkResources" -}}
{{- $path := .path }}
{{- $rendered := include "todo.resources" .resources | fromYaml }}
{{- range $name, $request := $rendered.requests }}
{{- $limit := get $rendered.limits $name }}
{{- if and $limit (gt (float64 (include "todo.quantity" $request)) (float64 (include "todo.quantity" $limit))) }}
{{- fail (printf "%s.requests.%s (%v) exceeds %s.limits.%s (%v): Kubernetes rejects a request above its limit" $path $name $request $path $name $limit) }}
{{- end }}
{{- end }}
{{- end }}

{{/* emptyDir volumes + mounts for writable directories under a read-only root filesystem. */}}
{{- define "todo.writableVolumeName" -}}
{{- printf "writable-%s" (. | trimPrefix "/" | replace "/" "-" | replace "." "" | replace "_" "-" | lower) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo.writableVolumes" -}}
{{- range . }}
- name: {{ include "todo.writableVolumeName" . }}
  emptyDir:
    sizeLimit: 256Mi
{{- end }}
{{- end }}

{{- define "todo.writableMounts" -}}
{{- range . }}
- name: {{ include "todo.writableVolumeName" . }}
  mountPath: {{ . }}
{{- end }}
{{- end }}

{{/* Rollout timing: the grace period must cover the preStop pause plus the drain. */}}
{{- define "todo.terminationGracePeriod" -}}
{{- $r := .rollout }}
{{- $minimum := add $r.preStopSeconds $r.shutdownTimeoutSeconds }}
{{- if $r.terminationGracePeriodSeconds }}
{{- if le (int $r.terminationGracePeriodSeconds) (int $minimum) }}
{{- fail (printf "%s.rollout.terminationGracePeriodSeconds (%v) must exceed preStopSeconds + shutdownTimeoutSeconds (%v)" .key $r.terminationGracePeriodSeconds $minimum) }}
{{- end }}
{{- $r.terminationGracePeriodSeconds }}
{{- else }}
{{- add $minimum 10 }}
{{- end }}
{{- end }}

{{/* A pause before SIGTERM with what the image has (no shell needed): valid on 1.30, where the native
sleep action is not GA yet. */}}
{{- define "todo.preStopCommand" -}}
{{- if eq .runtime "node" }}
{{- toJson (list "node" "-e" (printf "setTimeout(function () {}, %d)" (mul .seconds 1000))) }}
{{- else }}
{{- toJson (list "python" "-c" (printf "import time; time.sleep(%d)" (int .seconds))) }}
{{- end }}
{{- end }}

{{/* Scheduling ---------------------------------------------------------------------------------------- */}}

{{/* A component's tolerations: its own, plus NoExecute tolerations of a lost node (not-ready, unreachable) for
nodeFailureTolerationSeconds, so a replacement starts elsewhere long before Kubernetes' default 300 s.
Usage: include "todo.tolerations" $componentValues | fromYamlArray */}}
{{- define "todo.tolerations" -}}
{{- $tolerations := .tolerations | default list }}
{{- if not (kindIs "invalid" .nodeFailureTolerationSeconds) }}
{{- $own := list }}
{{- range $tolerations }}{{ $own = append $own (.key | default "") }}{{ end }}
{{- range $key := list "node.kubernetes.io/not-ready" "node.kubernetes.io/unreachable" }}
{{- if not (has $key $own) }}
{{- $tolerations = append $tolerations (dict "key" $key "operator" "Exists" "effect" "NoExecute" "tolerationSeconds" (int $.nodeFailureTolerationSeconds)) }}
{{- end }}
{{- end }}
{{- end }}
{{- toYaml $tolerations }}
{{- end }}

{{/* A component's spread constraints (entries without labelSelector get the component's selector); by default,
with more than one pod, a preference for different nodes (new ReplicaSets spread on their own during rollouts).
Usage: include "todo.topologySpreadConstraints" (dict "values" $v "selector" $selectorLabels) | fromYamlArray */}}
{{- define "todo.topologySpreadConstraints" -}}
{{- $v := .values }}
{{- $constraints := $v.topologySpreadConstraints }}
{{- $pods := ternary $v.autoscaling.maxReplicas $v.replicas $v.autoscaling.enabled }}
{{- if and (not $constraints) $v.spreadAcrossNodes (gt (int $pods) 1) }}
{{- $constraints = list (dict "maxSkew" 1 "topologyKey" "kubernetes.io/hostname" "whenUnsatisfiable" "ScheduleAnyway" "matchLabelKeys" (list "pod-template-hash")) }}
{{- end }}
{{- $result := list }}
{{- range $constraints }}
{{- $result = append $result (merge (deepCopy .) (dict "labelSelector" (dict "matchLabels" $.selector))) }}
{{- end }}
{{- toYaml $result }}
{{- end }}

{{/* Secrets ------------------------------------------------------------------------------------------- */}}

{{- define "todo.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "todo.fullname" .)) }}
{{- end }}

{{/* Name of the StatefulSet and its Services: at most 52 characters, so the pods' controller-revision-hash
label (<name>-<10-character hash>) and the "<name>-headless" Service stay within 63. */}}
{{- define "todo.postgresqlHost" -}}
{{- printf "%s-postgresql" (include "todo.fullname" . | trunc 41 | trimSuffix "-") }}
{{- end }}

{{/* What a pod annotation hashes to roll pods when the Secret changes: the content of an existingSecret
when Helm can read it (helm install/upgrade), else its name (helm template, GitOps: restart pods after a
rotation). The generated Secret never changes, so its name is enough. */}}
{{- define "todo.secretChecksum" -}}
{{- $name := include "todo.secretName" . }}
{{- $live := dict }}
{{- if .Values.secrets.existingSecret }}
{{- $live = (lookup "v1" "Secret" .Release.Namespace $name) | default dict }}
{{- end }}
{{- with get $live "data" }}
{{- toJson . | sha256sum }}
{{- else }}
{{- $name | sha256sum }}
{{- end }}
{{- end }}

{{/* Configuration --------------------------------------------------------------------------------------- */}}

{{/* A component's ConfigMap data: the chart's defaults from the contract, overridden by <component>.env.
Usage: include "todo.configData" (dict "ctx" $ "key" "backend") */}}
{{- define "todo.configData" -}}
{{- $c := include "todo.component" . | fromYaml }}
{{- $ctx := .ctx }}
{{- $config := dict "LOG_LEVEL" "INFO" "LOG_FORMAT" "json" "PORT" (toString $c.port) }}
{{- if eq $c.runtime "python" }}
{{- $_ := set $config "HOST" "0.0.0.0" }}
{{- $_ := set $config "SHUTDOWN_TIMEOUT_SECONDS" (toString $c.values.rollout.shutdownTimeoutSeconds) }}
{{- end }}
{{- range $c.calls }}
{{- $_ := set $config .env (printf "%s%s" (include "todo.serviceUrl" (dict "ctx" $ctx "name" .component)) .path) }}
{{- end }}
{{- if eq .key "backend" }}
{{- $_ := set $config "JWT_EXPIRE_MINUTES" "1440" }}
{{- else if eq .key "mcpServer" }}
{{- $svc := include "todo.componentFullname" (dict "ctx" $ctx "component" $c.name) }}
{{- $ns := $ctx.Release.Namespace }}
{{- $hosts := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns $ctx.Values.global.clusterDomain) }}
{{- $allowed := list }}
{{- range $hosts }}{{ $allowed = append $allowed (printf "%s:*" .) }}{{ end }}
{{- $allowed = concat $allowed (list "localhost:*" "127.0.0.1:*" "[::1]:*") }}
{{- $_ := set $config "MCP_ALLOWED_HOSTS" (join "," $allowed) }}
{{- else if eq .key "agent" }}
{{- $_ := set $config "LLM_MODEL" "builtin" }}
{{- $_ := set $config "LLM_BASE_URL" "https://api.openai.com/v1" }}
{{- end }}
{{- range $k, $v := $c.values.env }}
{{- $_ := set $config $k (toString $v) }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* Fail early with a clear message on combinations the schema cannot express. */}}
{{- define "todo.validate" -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.secrets.existingSecret) }}
{{- fail "postgresql.enabled=false (external database) needs secrets.existingSecret: a Secret with DATABASE_URL, JWT_SECRET and INTERNAL_TOKEN" }}
{{- end }}
{{- if .Values.postgresql.enabled }}
{{- $needed := add (include "todo.databaseConnections" .) 5 }}
{{- if lt (int .Values.postgresql.maxConnections) (int $needed) }}
{{- fail (printf "postgresql.maxConnections=%v is below what backend and mcp-server may open (%v: 15 per pod at their replicas or HPA maxReplicas, plus 5 for migrations and administration): raise it or lower the replicas" .Values.postgresql.maxConnections $needed) }}
{{- end }}
{{- end }}
{{- range $key := include "todo.componentKeys" . | fromYamlArray }}
{{- $v := get $.Values $key }}
{{- include "todo.checkResources" (dict "path" (printf "%s.resources" $key) "resources" $v.resources) }}
{{- $a := $v.autoscaling }}
{{- if $a.enabled }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "%s.autoscaling.minReplicas (%v) exceeds %s.autoscaling.maxReplicas (%v)" $key $a.minReplicas $key $a.maxReplicas) }}
{{- end }}
{{- if not (or $a.targetCPUUtilizationPercentage $a.targetMemoryUtilizationPercentage) }}
{{- fail (printf "%s.autoscaling needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage (or both)" $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $key := list "postgresql" "migrations" "tests" }}
{{- include "todo.checkResources" (dict "path" (printf "%s.resources" $key) "resources" (get $.Values $key).resources) }}
{{- end }}
{{- $model := include "todo.llmModel" . }}
{{- if and (ne $model "builtin") (not .Values.secrets.existingSecret) }}
{{- fail (printf "agent.env.LLM_MODEL=%s needs an API key: put LLM_API_KEY in the Secret named by secrets.existingSecret" $model) }}
{{- end }}
{{- end }}


{{- define "todo.llmModel" -}}
{{- (get .Values.agent.env "LLM_MODEL") | default "builtin" | toString }}
{{- end }}

{{/* The most connections the pods of components with `database: true` may hold at once: 15 per pod
(todo_common.database: pool_size 10 + max_overflow 5) times the most pods each may run (HPA maxReplicas). */}}
{{- define "todo.databaseConnections" -}}
{{- $pods := 0 }}
{{- range (include "todo.catalog" . | fromYaml).components }}
{{- if .database }}
{{- $c := get $.Values .valuesKey }}
{{- $pods = add $pods (ternary $c.autoscaling.maxReplicas $c.replicas $c.autoscaling.enabled) }}
{{- end }}
{{- end }}
{{- mul $pods 15 }}
{{- end }}
