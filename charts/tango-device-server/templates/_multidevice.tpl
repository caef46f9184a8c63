{{/*
tango-ds.multidevice: every object of one device server (one key of deviceServers), the
non-operator path of ska-tango-util (multidevice-config, -sacc-role, -job, -svc):
  ConfigMap <key>-<release>-dsconfig-json  (configuration.json, entrypoints.json, wait-for.mjs)
  ServiceAccount/Role/RoleBinding          (the pods read the config Job's status)
  Job <key>-<release>-config-<hash>        (tango.mjs db load; new name when the config changes)
  per instance: Service <key>-<instance> + StatefulSet <key>-<instance>
Context: dict "name" <key> "deviceserver" <merged server values> "local" <root context>.
*/}}
{{- define "tango-ds.multidevice" -}}
{{- $name := .name -}}
{{- $ds := .deviceserver -}}
{{- $local := .local -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) -}}
{{- fail (printf "device server key %q must be a lowercase DNS label (it names Services and pods)" $name) -}}
{{- end -}}
{{- $server := $ds.server | default dict -}}
{{- $serverName := $server.name | default $name -}}
{{- $allInstances := $server.instances | default list -}}
{{- if not $allInstances -}}
{{- fail (printf "deviceServers %s: server.instances is empty" $name) -}}
{{- end -}}
{{- $known := list -}}
{{- range $allInstances -}}{{- $known = append $known .name -}}{{- end -}}
{{- $selected := $ds.instances | default $known -}}
{{- range $selected -}}
{{- if not (has . $known) -}}
{{- fail (printf "deviceServers %s: instance %q is listed in instances but not defined in server.instances (%s)" $name . (join ", " $known)) -}}
{{- end -}}
{{- end -}}
{{- $ns := $local.Release.Namespace -}}
{{- $rel := $local.Release.Name -}}
{{- $labels := include "tango-ds.labels" (dict "local" $local) -}}
{{- $retry := splitList " " (include "tango-ds.retry" $local) -}}
{{- $tries := index $retry 0 -}}{{- $sleep := index $retry 1 -}}
{{- $tangoHost := include "tango-ds.tangoHost" $local -}}
{{- $mode := include "tango-ds.exposeMode" $local -}}
{{- $g := $local.Values.global | default dict -}}
{{- $expose := $g.expose | default dict -}}
{{- $workdir := include "tango-ds.workdir" $local -}}
{{- $image := include "tango-ds.imageRef" (dict "image" $ds.image "local" $local) -}}
{{- $pullPolicy := include "tango-ds.imagePullPolicy" (dict "image" $ds.image "local" $local) -}}
{{- $env := $ds.env | default list -}}
{{- include "tango-ds.checkEnv" $env -}}
{{- $probeMode := ($g.probes | default dict).readiness | default "ping" -}}
{{- if not (has $probeMode (list "ping" "tcp")) -}}{{- fail (printf "global.probes.readiness must be ping or tcp, got %q" $probeMode) -}}{{- end -}}
{{- $liveness := $ds.livenessProbe | default dict -}}
{{- $readiness := $ds.readinessProbe | default dict -}}
{{- $resources := $ds.resources | default dict -}}
{{- /* entrypoints [{name: Module.Class, path: <package or file>}] -> serve --module <path> (once per path) */ -}}
{{- $modules := list -}}
{{- range $ds.entrypoints | default list -}}
{{- if not .path -}}{{- fail (printf "deviceServers %s: every entrypoint needs a path (the module exporting %s)" $name (.name | default "?")) -}}{{- end -}}
{{- $modules = append $modules .path | uniq -}}
{{- end -}}

{{- /* dsconfig JSON (the instances that are deployed only) */ -}}
{{- $instancesCfg := dict -}}
{{- range $inst := $allInstances -}}
{{- if has $inst.name $selected -}}
{{- $classesCfg := dict -}}
{{- range $cls := $inst.classes | default list -}}
{{- $devicesCfg := dict -}}
{{- range $dev := $cls.devices | default list -}}
{{- if not (regexMatch "^[A-Za-z0-9_.\\-]+/[A-Za-z0-9_.\\-]+/[A-Za-z0-9_.\\-]+$" ($dev.name | default "")) -}}
{{- fail (printf "deviceServers %s/%s: device name %q is not domain/family/member" $name $inst.name ($dev.name | default "")) -}}
{{- end -}}
{{- $devCfg := dict -}}
{{- $props := dict -}}
{{- range $dev.properties | default list -}}
{{- $_ := set $props .name (.values | default list | toStrings) -}}
{{- end -}}
{{- if $props -}}{{- $_ := set $devCfg "properties" $props -}}{{- end -}}
{{- $attrProps := dict -}}
{{- range $ap := $dev.attribute_properties | default list -}}
{{- $one := dict -}}
{{- range $ap.properties | default list -}}{{- $_ := set $one .name (.values | default list | toStrings) -}}{{- end -}}
{{- $_ := set $attrProps $ap.attribute $one -}}
{{- end -}}
{{- if $attrProps -}}{{- $_ := set $devCfg "attribute_properties" $attrProps -}}{{- end -}}
{{- $_ := set $devicesCfg $dev.name $devCfg -}}
{{- end -}}
{{- if not $devicesCfg -}}{{- fail (printf "deviceServers %s/%s: class %s has no devices" $name $inst.name $cls.name) -}}{{- end -}}
{{- $_ := set $classesCfg $cls.name $devicesCfg -}}
{{- end -}}
{{- if not $classesCfg -}}{{- fail (printf "deviceServers %s/%s: no classes" $name $inst.name) -}}{{- end -}}
{{- $_ := set $instancesCfg $inst.name $classesCfg -}}
{{- end -}}
{{- end -}}
{{- $dsconfig := dict "servers" (dict $serverName $instancesCfg) -}}
{{- $classProps := dict -}}
{{- range $cp := $ds.class_properties | default list -}}
{{- $one := dict -}}
{{- range $cp.properties | default list -}}{{- $_ := set $one .name (.values | default list | toStrings) -}}{{- end -}}
{{- $_ := set $classProps $cp.name (dict "properties" $one) -}}
{{- end -}}
{{- if $classProps -}}{{- $_ := set $dsconfig "classes" $classProps -}}{{- end -}}
{{- $configJson := toPrettyJson $dsconfig -}}
{{- $configHash := sha256sum (printf "%s|%s" $configJson $image) | trunc 8 -}}
{{- $jobName := printf "%s-%s-config-%s" $name $rel $configHash | trunc 63 | trimSuffix "-" -}}
{{- $saName := printf "%s-sa-%s" $name $rel | trunc 63 | trimSuffix "-" -}}
{{- $cmName := printf "%s-%s-dsconfig-json" $name $rel | trunc 63 | trimSuffix "-" -}}
{{- $waitFor := include "tango-ds.wait-for-script" . -}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $cmName }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
    app.kubernetes.io/component: dsconfig
data:
  configuration.json: |
    {{- $configJson | nindent 4 }}
  entrypoints.json: |
    {{- toPrettyJson ($ds.entrypoints | default list) | nindent 4 }}
  wait-for.mjs: |
    {{- $waitFor | nindent 4 }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ $saName }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ printf "%s-role-%s" $name $rel | trunc 63 | trimSuffix "-" }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
rules:
  - apiGroups: ["batch"]
    resources: ["jobs"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ printf "%s-role-bind-%s" $name $rel | trunc 63 | trimSuffix "-" }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ printf "%s-role-%s" $name $rel | trunc 63 | trimSuffix "-" }}
subjects:
  - kind: ServiceAccount
    name: {{ $saName }}
    namespace: {{ $ns }}
{{- if (hasKey $ds "enabled" | ternary $ds.enabled true) }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ $jobName }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
    app.kubernetes.io/component: dsconfig
spec:
  backoffLimit: 6
  {{- with ($g.dsconfig | default dict).ttlSecondsAfterFinished }}
  ttlSecondsAfterFinished: {{ . }}
  {{- end }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
        app.kubernetes.io/name: {{ $name }}
        app.kubernetes.io/component: dsconfig
    spec:
      restartPolicy: OnFailure
      automountServiceAccountToken: false
      securityContext:
        {{- include "tango-ds.podSecurityContext" . | nindent 8 }}
      initContainers:
        - name: check-databaseds-ready
          image: {{ $image }}
          imagePullPolicy: {{ $pullPolicy }}
          workingDir: {{ $workdir }}
          command: ["node", "/data/wait-for.mjs", {{ $tries | quote }}, {{ $sleep | quote }}, "device", "sys/database/2"]
          env:
            - name: TANGO_HOST
              value: {{ $tangoHost | quote }}
          securityContext:
            {{- include "tango-ds.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /data, readOnly: true }
      containers:
        - name: dsconfig
          image: {{ $image }}
          imagePullPolicy: {{ $pullPolicy }}
          workingDir: {{ $workdir }}
          command: ["node", "devices/tango/bin/tango.mjs", "db", "load", "/data/configuration.json"]
          env:
            - name: TANGO_HOST
              value: {{ $tangoHost | quote }}
          securityContext:
            {{- include "tango-ds.containerSecurityContext" . | nindent 12 }}
          resources:
            requests: { cpu: 50m, memory: 96Mi }
            limits: { memory: 256Mi }
          volumeMounts:
            - { name: config, mountPath: /data, readOnly: true }
      volumes:
        - name: config
          configMap:
            name: {{ $cmName }}
{{- range $inst := $allInstances }}
{{- if has $inst.name $selected }}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $inst.name) }}
{{- fail (printf "deviceServers %s: instance name %q must be a lowercase DNS label (it names the Service)" $name $inst.name) }}
{{- end }}
{{- $svcName := printf "%s-%s" $name $inst.name }}
{{- if gt (len $svcName) 52 }}
{{- fail (printf "deviceServers %s: %q is too long for a StatefulSet/Service name (max 52)" $name $svcName) }}
{{- end }}
{{- $ports := dict "server" 45450 "heartbeat" 45460 "event" 45470 }}
{{- $publishHost := printf "%s.%s.svc.%s" $svcName $ns (include "tango-ds.clusterDomain" $local) }}
{{- if eq $mode "nodePort" }}
{{- $np := index ($ds.nodePorts | default dict) $inst.name | default dict }}
{{- range $k := list "server" "heartbeat" "event" }}
{{- $p := index $np $k | default 0 | int }}
{{- if or (lt $p 30000) (gt $p 32767) }}
{{- fail (printf "deviceServers %s: global.expose.mode=nodePort needs nodePorts.%s.%s in 30000-32767" $name $inst.name $k) }}
{{- end }}
{{- $_ := set $ports $k $p }}
{{- end }}
{{- $publishHost = $expose.host }}
{{- end }}
{{- $firstDevice := "" }}
{{- range $cls := $inst.classes }}{{- range $dev := $cls.devices }}{{- if not $firstDevice }}{{- $firstDevice = $dev.name }}{{- end }}{{- end }}{{- end }}
{{- $deps := concat ($ds.depends_on | default list) ($inst.depends_on | default list) }}
{{- $podLabels := dict "app.kubernetes.io/name" $name "app.kubernetes.io/instance" $rel "app.kubernetes.io/component" "device-server" "tango-bdd/server-instance" (printf "%s-%s" $name $inst.name) }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $svcName }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
    app.kubernetes.io/component: device-server
  annotations:
    tango-bdd/server: {{ printf "%s/%s" $serverName $inst.name | quote }}
    tango-bdd/publish-host: {{ $publishHost | quote }}
spec:
  type: {{ include "tango-ds.serviceType" $local }}
  # the readiness probe pings the device through its published address, which must route
  # before the pod is ready (otherwise readiness could never be reached)
  publishNotReadyAddresses: true
  selector:
    {{- toYaml $podLabels | nindent 4 }}
  ports:
    - name: tango-server
      port: {{ $ports.server }}
      targetPort: {{ $ports.server }}
      {{- if eq $mode "nodePort" }}
      nodePort: {{ $ports.server }}
      {{- end }}
    - name: tango-heartbeat
      port: {{ $ports.heartbeat }}
      targetPort: {{ $ports.heartbeat }}
      {{- if eq $mode "nodePort" }}
      nodePort: {{ $ports.heartbeat }}
      {{- end }}
    - name: tango-event
      port: {{ $ports.event }}
      targetPort: {{ $ports.event }}
      {{- if eq $mode "nodePort" }}
      nodePort: {{ $ports.event }}
      {{- end }}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ $svcName }}
  namespace: {{ $ns }}
  labels:
    {{- $labels | nindent 4 }}
    app.kubernetes.io/name: {{ $name }}
    app.kubernetes.io/component: device-server
  annotations:
    tango-bdd/server: {{ printf "%s/%s" $serverName $inst.name | quote }}
spec:
  replicas: 1
  serviceName: {{ $svcName }}
  podManagementPolicy: Parallel
  selector:
    matchLabels:
      {{- toYaml $podLabels | nindent 6 }}
  template:
    metadata:
      labels:
        {{- toYaml (merge (deepCopy $podLabels) (fromYaml $labels)) | nindent 8 }}
      annotations:
        checksum/config: {{ sha256sum $configJson }}
        tango-bdd/server: {{ printf "%s/%s" $serverName $inst.name | quote }}
        tango-bdd/devices: {{ $firstDevice | quote }}
    spec:
      serviceAccountName: {{ $saName }}
      automountServiceAccountToken: true
      enableServiceLinks: false
      terminationGracePeriodSeconds: 10
      securityContext:
        {{- include "tango-ds.podSecurityContext" . | nindent 8 }}
      initContainers:
        {{- if (hasKey $ds "enabled" | ternary $ds.enabled true) }}
        - name: wait-for-configuration
          image: {{ $image }}
          imagePullPolicy: {{ $pullPolicy }}
          workingDir: {{ $workdir }}
          command: ["node", "/data/wait-for.mjs", {{ $tries | quote }}, {{ $sleep | quote }}, "job", {{ $jobName | quote }}]
          securityContext:
            {{- include "tango-ds.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /data, readOnly: true }
        {{- end }}
        {{- range $i, $dep := $deps }}
        - name: {{ printf "check-dependencies-%d" $i }}
          image: {{ $image }}
          imagePullPolicy: {{ $pullPolicy }}
          workingDir: {{ $workdir }}
          {{- if $dep.device }}
          command: ["node", "/data/wait-for.mjs", {{ $tries | quote }}, {{ $sleep | quote }}, "device", {{ $dep.device | quote }}]
          {{- else if $dep.host }}
          command: ["node", "/data/wait-for.mjs", {{ $tries | quote }}, {{ $sleep | quote }}, "host", {{ $dep.host | quote }}]
          {{- else }}
          {{- fail (printf "deviceServers %s/%s: each depends_on entry needs device or host, got %v" $name $inst.name $dep) }}
          {{- end }}
          env:
            - name: TANGO_HOST
              value: {{ $tangoHost | quote }}
          securityContext:
            {{- include "tango-ds.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - { name: config, mountPath: /data, readOnly: true }
        {{- end }}
      containers:
        - name: device-server
          image: {{ $image }}
          imagePullPolicy: {{ $pullPolicy }}
          workingDir: {{ $workdir }}
          command:
            - node
            - devices/tango/bin/tango.mjs
            - serve
            - {{ printf "%s/%s" $serverName $inst.name | quote }}
            {{- range $module := $modules }}
            - --module
            - {{ $module | quote }}
            {{- end }}
            - --port
            - $(TANGO_SERVER_PORT)
            - --publish-host
            - $(TANGO_SERVER_PUBLISH_HOSTNAME)
            - --heartbeat-port
            - $(TANGO_ZMQ_HEARTBEAT_PORT)
            - --event-port
            - $(TANGO_ZMQ_EVENT_PORT)
          env:
            - name: TANGO_HOST
              value: {{ $tangoHost | quote }}
            - name: TANGO_SERVER_PORT
              value: {{ $ports.server | quote }}
            - name: TANGO_ZMQ_HEARTBEAT_PORT
              value: {{ $ports.heartbeat | quote }}
            - name: TANGO_ZMQ_EVENT_PORT
              value: {{ $ports.event | quote }}
            - name: TANGO_SERVER_PUBLISH_HOSTNAME
              value: {{ $publishHost | quote }}
            {{- with $env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - { name: tango-server, containerPort: {{ $ports.server }} }
            - { name: tango-heartbeat, containerPort: {{ $ports.heartbeat }} }
            - { name: tango-event, containerPort: {{ $ports.event }} }
          livenessProbe:
            tcpSocket:
              port: tango-server
            initialDelaySeconds: {{ $liveness.initialDelaySeconds | default 5 }}
            periodSeconds: {{ $liveness.periodSeconds | default 10 }}
            timeoutSeconds: {{ $liveness.timeoutSeconds | default 3 }}
            successThreshold: 1
            failureThreshold: {{ $liveness.failureThreshold | default 3 }}
          readinessProbe:
            {{- if eq $probeMode "ping" }}
            exec:
              command: ["node", "/data/wait-for.mjs", "1", "1", "device", {{ $firstDevice | quote }}]
            {{- else }}
            tcpSocket:
              port: tango-server
            {{- end }}
            initialDelaySeconds: {{ $readiness.initialDelaySeconds | default 2 }}
            periodSeconds: {{ $readiness.periodSeconds | default 10 }}
            timeoutSeconds: {{ $readiness.timeoutSeconds | default 10 }}
            successThreshold: {{ $readiness.successThreshold | default 1 }}
            failureThreshold: {{ $readiness.failureThreshold | default 3 }}
          resources:
            {{- toYaml (merge (deepCopy $resources) (dict "requests" (dict "cpu" "50m" "memory" "128Mi") "limits" (dict "memory" "512Mi"))) | nindent 12 }}
          securityContext:
            {{- include "tango-ds.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            # read-only root filesystem: the image's pre-warmed tsx cache in /tmp is read, never written
            - { name: config, mountPath: /data, readOnly: true }
            {{- with $ds.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: config
          configMap:
            name: {{ $cmName }}
        {{- with $ds.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
tango-ds.render-servers: the ska-tango-util entry point for a chart that keeps server
definitions in its values. servers: map key -> definition; defaults: merged under each.
dict "servers" ... "defaults" ... "local" $
*/}}
{{- define "tango-ds.render-servers" -}}
{{- $local := .local -}}
{{- $defaults := .defaults | default dict -}}
{{- range $key, $server := .servers -}}
{{- if $server -}}
{{- $merged := mergeOverwrite (deepCopy $defaults) (deepCopy $server) -}}
{{- include "tango-ds.multidevice" (dict "name" $key "deviceserver" $merged "local" $local) }}
{{ end -}}
{{- end -}}
{{- end -}}
