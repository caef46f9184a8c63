{{/*
Shared helpers of the tango-device-server chart. Named templates are global in Helm,
so a parent chart (tango-examples) calls these with its own root context as "local".
Every helper takes a dict; "local" is the root context of the chart being rendered.
*/}}

{{/* TANGO_HOST as seen inside the cluster: "<service>:<port>" */}}
{{- define "tango-ds.tangoHost" -}}
{{- $g := .Values.global | default dict -}}
{{- $th := $g.tango_host | default "tango-databaseds:10000" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?:[0-9]+$" $th) -}}
{{- fail (printf "global.tango_host must be <host>:<port> with a DNS host name, got %q" $th) -}}
{{- end -}}
{{- $th -}}
{{- end -}}

{{- define "tango-ds.clusterDomain" -}}
{{- $g := .Values.global | default dict -}}
{{- $g.cluster_domain | default "cluster.local" -}}
{{- end -}}

{{/*
How device servers are reached (global.expose.mode):
  clusterIP (default): publish the Service DNS name; in-cluster clients only.
  nodePort: each port is also a nodePort with the same number and the server publishes
            global.expose.host (a node IP); in-cluster pods and an outside test runner both
            reach host:port. Needs explicit ports in 30000-32767.
  loadBalancer: Service type LoadBalancer (ska-tango-util "minikube"/"exposeAllDS"), DNS name published.
*/}}
{{- define "tango-ds.exposeMode" -}}
{{- $g := .Values.global | default dict -}}
{{- $e := $g.expose | default dict -}}
{{- $mode := $e.mode | default "" -}}
{{- if and (not $mode) (or $g.minikube $g.exposeAllDS) -}}{{- $mode = "loadBalancer" -}}{{- end -}}
{{- $mode = $mode | default "clusterIP" -}}
{{- if not (has $mode (list "clusterIP" "nodePort" "loadBalancer")) -}}
{{- fail (printf "global.expose.mode must be clusterIP, nodePort or loadBalancer, got %q" $mode) -}}
{{- end -}}
{{- if and (eq $mode "nodePort") (not $e.host) -}}
{{- fail "global.expose.mode=nodePort needs global.expose.host (an address of a node that pods and the test runner can reach)" -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{- define "tango-ds.serviceType" -}}
{{- $mode := include "tango-ds.exposeMode" . -}}
{{- if eq $mode "nodePort" -}}NodePort{{- else if eq $mode "loadBalancer" -}}LoadBalancer{{- else -}}ClusterIP{{- end -}}
{{- end -}}

{{/* retry policy for init containers: {tries, sleep} or ska-tango-util style ["--tries=10", "--sleep=5"] */}}
{{- define "tango-ds.retry" -}}
{{- $g := .Values.global | default dict -}}
{{- $r := $g.retry | default dict -}}
{{- $tries := 60 -}}{{- $sleep := 2 -}}
{{- if kindIs "slice" $r -}}
{{- range $r -}}
{{- if hasPrefix "--tries=" . -}}{{- $tries = trimPrefix "--tries=" . | int -}}{{- end -}}
{{- if hasPrefix "--sleep=" . -}}{{- $sleep = trimPrefix "--sleep=" . | int -}}{{- end -}}
{{- end -}}
{{- else -}}
{{- $tries = $r.tries | default $tries | int -}}{{- $sleep = $r.sleep | default $sleep | int -}}
{{- end -}}
{{- if or (lt $tries 1) (lt $sleep 1) -}}{{- fail "global.retry: tries and sleep must be >= 1" -}}{{- end -}}
{{- printf "%d %d" $tries $sleep -}}
{{- end -}}

{{/*
Container image. dict "image" (per-server override, may be empty) "local" root.
Accepts {registry, repository|image, tag, pullPolicy}; unset fields come from global.image.
*/}}
{{- define "tango-ds.imageRef" -}}
{{- $g := .local.Values.global | default dict -}}
{{- $img := merge (deepCopy (.image | default dict)) ($g.image | default dict) -}}
{{- $repo := $img.repository | default $img.image | default "tango-bdd/runtime" -}}
{{- $tag := $img.tag | default "local" | toString -}}
{{- if $img.registry -}}{{- printf "%s/%s:%s" $img.registry $repo $tag -}}{{- else -}}{{- printf "%s:%s" $repo $tag -}}{{- end -}}
{{- end -}}

{{- define "tango-ds.imagePullPolicy" -}}
{{- $g := .local.Values.global | default dict -}}
{{- $img := merge (deepCopy (.image | default dict)) ($g.image | default dict) -}}
{{- $p := $img.pullPolicy | default "IfNotPresent" -}}
{{- if not (has $p (list "Always" "IfNotPresent" "Never")) -}}{{- fail (printf "image.pullPolicy must be Always, IfNotPresent or Never, got %q" $p) -}}{{- end -}}
{{- $p -}}
{{- end -}}

{{- define "tango-ds.workdir" -}}
{{- $g := .Values.global | default dict -}}
{{- $img := $g.image | default dict -}}
{{- $img.workdir | default "/app" -}}
{{- end -}}

{{- define "tango-ds.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "tango-ds.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "tango-ds.labels" -}}
app.kubernetes.io/managed-by: {{ .local.Release.Service }}
app.kubernetes.io/part-of: tango-bdd
helm.sh/chart: {{ printf "%s-%s" .local.Chart.Name .local.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .local.Release.Name }}
{{- $g := .local.Values.global | default dict -}}
{{- range $k, $v := ($g.labels | default dict) }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* Environment variables with plain values must not carry secrets: use valueFrom.secretKeyRef. */}}
{{- define "tango-ds.checkEnv" -}}
{{- range . -}}
{{- if and (hasKey . "value") (regexMatch "(?i)(password|passwd|secret|token|credential|api_?key)" (.name | default "")) -}}
{{- fail (printf "env %s looks like a secret: give it with valueFrom.secretKeyRef, not a plain value" .name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
