#!/usr/bin/env bash
# Runs what charts/tango-examples renders, without Kubernetes: every StatefulSet/Job container of
# `helm template` is started with Docker, with the exact command line and environment of the chart, the pod's
# security settings (--read-only root, uid/gid 1000, no capabilities, no-new-privileges), the ConfigMap files
# mounted read-only at /data, and the Service DNS names as network aliases. Then, from a client container, it runs
# a short Tabata workout (events between "pods" through the published addresses).
# Each long-running container's exec readiness probe is then run with `docker exec` until it passes.
# Not covered (needs a cluster): the config-Job wait (needs the API), Services/kube-proxy, nodePorts, probe timing.
# Usage: bash scripts/helm-smoke-docker.sh [image]     (default tango-bdd/runtime:local; needs helm and Docker)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:-tango-bdd/runtime:local}"
helm="${HELM:-$HOME/go/bin/helm}"
[ -x "$helm" ] || helm=helm
run="tbk8s-$$"
work="$(mktemp -d)"
sec=(--read-only --user 1000:1000 --cap-drop ALL --security-opt no-new-privileges -w /app)
cleanup() {
  docker ps -aq --filter "label=tango-bdd/k8s-smoke=$run" | xargs -r docker rm -f >/dev/null
  docker network rm "$run" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$helm" dependency build "$root/charts/tango-examples" >/dev/null
"$helm" template tango-bdd "$root/charts/tango-examples" -n tango >"$work/manifest.yaml"
# plan: one line per container: order|kind|object|container|role|configmap|aliases|env|command (JSON)|probe (JSON)
(cd "$root" && node --input-type=module -e '
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
const [work] = process.argv.slice(1);
const objs = parseAllDocuments(readFileSync(`${work}/manifest.yaml`, "utf8")).map((d) => d.toJS()).filter(Boolean);
const services = new Map(objs.filter((o) => o.kind === "Service").map((o) => [o.metadata.name, o]));
const lines = [];
for (const o of objs) {
  if (o.kind === "ConfigMap") {
    mkdirSync(`${work}/${o.metadata.name}`, { recursive: true });
    for (const [k, v] of Object.entries(o.data)) writeFileSync(`${work}/${o.metadata.name}/${k}`, v);
  }
  if (o.kind !== "StatefulSet" && o.kind !== "Job") continue;
  const pod = o.spec.template.spec;
  const cm = (pod.volumes ?? []).find((v) => v.configMap)?.configMap.name ?? "-";
  const svc = o.kind === "StatefulSet" ? services.get(o.spec.serviceName) : undefined;
  const aliases = svc ? [svc.metadata.name, `${svc.metadata.name}.tango.svc.cluster.local`] : ["-"];
  const order = o.kind === "StatefulSet" && o.metadata.name === "tango-databaseds" ? 0 : o.kind === "Job" ? 1 : 2;
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const init = (pod.initContainers ?? []).includes(c);
    const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const cmd = c.command.map((a) => a.replace(/\$\((\w+)\)/g, (_, v) => env[v] ?? ""));
    lines.push([order, o.kind, o.metadata.name, c.name, init ? "init" : "main", cm, aliases.join(","), Object.entries(env).map(([k, v]) => `${k}=${v}`).join(",") || "-", JSON.stringify(cmd), JSON.stringify(c.readinessProbe?.exec?.command ?? [])].join("|"));
  }
}
writeFileSync(`${work}/plan.tsv`, lines.sort().join("\n") + "\n");
' "$work")

docker network create --label "tango-bdd/k8s-smoke=$run" "$run" >/dev/null

while IFS='|' read -r _order kind obj container role cm aliases envs cmdjson probejson; do
  mapfile -t cmd < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$cmdjson")
  args=(--label "tango-bdd/k8s-smoke=$run" --network "$run" "${sec[@]}")
  [ "$cm" != "-" ] && args+=(-v "$work/$cm:/data:ro")
  [ "$obj" = "tango-databaseds" ] && args+=(--tmpfs /data:uid=1000,gid=1000,mode=0700)
  IFS=',' read -ra al <<<"$aliases"; for a in "${al[@]}"; do [ "$a" != "-" ] && args+=(--network-alias "$a"); done
  IFS=',' read -ra ev <<<"$envs"; for e in "${ev[@]}"; do [ "$e" != "-" ] && args+=(-e "$e"); done
  args+=(-e TANGO_HOST="${TANGO_HOST_OVERRIDE:-tango-databaseds:10000}")
  if [ "$role" = "init" ] || [ "$kind" = "Job" ]; then
    case "$container" in
      wait-for-configuration) echo "skip  $obj/$container (waits for the Job through the Kubernetes API)"; continue ;;
    esac
    echo "run   $obj/$container: ${cmd[*]}"
    docker run --rm "${args[@]}" "$image" "${cmd[@]}"
  else
    echo "start $obj/$container: ${cmd[*]}"
    docker run -d --name "$run-$obj" "${args[@]}" "$image" "${cmd[@]}" >/dev/null
    mapfile -t probe < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$probejson")
    if [ "${#probe[@]}" -gt 0 ]; then
      ok=0
      for _ in $(seq 1 30); do
        if docker exec "$run-$obj" "${probe[@]}" >"$work/probe.out" 2>&1; then ok=1; break; fi
        sleep 1
      done
      [ "$ok" = 1 ] || { cat "$work/probe.out"; docker logs "$run-$obj" 2>&1 | tail -20; echo "readiness probe of $obj never passed"; exit 1; }
      echo "ready $obj (readiness probe: ${probe[*]})"
    fi
  fi
done <"$work/plan.tsv"

echo "== client: a one-second-phase Tabata workout through the published addresses"
docker run --rm --label "tango-bdd/k8s-smoke=$run" --network "$run" "${sec[@]}" -e TANGO_HOST=tango-databaseds:10000 "$image" sh -ec '
T="node devices/tango/bin/tango.mjs"
for i in $(seq 1 30); do $T read test/tabata/1 State >/dev/null 2>&1 && break; sleep 1; done
$T ls "test/*"
for a in prepare work rest cycles tabatas; do $T write test/tabata/1 $a 1 >/dev/null; done
$T cmd test/tabata/1 ResetCounters >/dev/null
$T cmd test/tabata/1 Start >/dev/null
$T read test/tabata/1 State | grep -q ON
for i in $(seq 1 20); do sleep 1; $T read test/tabata/1 State | grep -q OFF && break; done
$T read test/tabata/1 State | grep -q OFF || { echo "workout did not end"; exit 1; }
test "$($T read test/counter/tabatas value)" = "value 0"
echo "workout done: State ON -> OFF, tabatas counter at 0"
'
echo "helm-smoke-docker: OK"
