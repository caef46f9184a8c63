{{/* Helpers of tango-stack (kept separate from tango-device-server so the chart stands alone). */}}

{{- define "tango-stack.tangoHost" -}}
{{- $g := .Values.global | default dict -}}
{{- $th := $g.tango_host | default "tango-databaseds:10000" -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:[0-9]+$" $th) -}}
{{- fail (printf "global.tango_host must be <service>:<port>, got %q" $th) -}}
{{- end -}}
{{- $th -}}
{{- end -}}

{{- define "tango-stack.name" -}}
{{- $host := splitList ":" (include "tango-stack.tangoHost" .) | first -}}
{{- $name := splitList "." $host | first -}}
{{- if gt (len $name) 52 -}}{{- fail (printf "database Service name %q is longer than 52 characters" $name) -}}{{- end -}}
{{- $name -}}
{{- end -}}

{{- define "tango-stack.port" -}}
{{- splitList ":" (include "tango-stack.tangoHost" .) | last -}}
{{- end -}}

{{- define "tango-stack.exposeMode" -}}
{{- $g := .Values.global | default dict -}}
{{- $e := $g.expose | default dict -}}
{{- $mode := $e.mode | default "" -}}
{{- if and (not $mode) (or $g.minikube $g.exposeAllDS) -}}{{- $mode = "loadBalancer" -}}{{- end -}}
{{- $mode = $mode | default "clusterIP" -}}
{{- if not (has $mode (list "clusterIP" "nodePort" "loadBalancer")) -}}
{{- fail (printf "global.expose.mode must be clusterIP, nodePort or loadBalancer, got %q" $mode) -}}
{{- end -}}
{{- if and (eq $mode "nodePort") (not $e.host) -}}
{{- fail "global.expose.mode=nodePort needs global.expose.host (a node address reachable from pods and the test runner)" -}}
{{- end -}}
{{- $mode -}}
{{- end -}}

{{- define "tango-stack.image" -}}
{{- $g := .Values.global | default dict -}}
{{- $img := $g.image | default dict -}}
{{- $repo := $img.repository | default $img.image | default "tango-bdd/runtime" -}}
{{- $tag := $img.tag | default "local" | toString -}}
{{- if $img.registry -}}{{- printf "%s/%s:%s" $img.registry $repo $tag -}}{{- else -}}{{- printf "%s:%s" $repo $tag -}}{{- end -}}
{{- end -}}

{{- define "tango-stack.pullPolicy" -}}
{{- $g := .Values.global | default dict -}}
{{- $p := ($g.image | default dict).pullPolicy | default "IfNotPresent" -}}
{{- if not (has $p (list "Always" "IfNotPresent" "Never")) -}}{{- fail (printf "image.pullPolicy must be Always, IfNotPresent or Never, got %q" $p) -}}{{- end -}}
{{- $p -}}
{{- end -}}

{{- define "tango-stack.labels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tango-bdd
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- $g := .Values.global | default dict }}
{{- range $k, $v := ($g.labels | default dict) }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
