/**
 * The k8s target's code paths that need no cluster: kubeconfig loading and its errors (real files), values generated
 * from the dsconfig and rendered by the real chart with helm (the round trip gives back the same dsconfig, and the
 * objects pass the Kubernetes API validation), address planning, helm/image-load command lines, and readiness
 * verdicts over @kubernetes/client-node model objects. No API server, real or fake, is involved: what talks to a
 * cluster (K8sProvider.start, the Watch, logs, exec) is not exercised here.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { before, describe, test } from "node:test";
import { V1ContainerStatus, V1Job, V1JobCondition, V1Node, V1Pod, V1PodCondition, V1Service } from "@kubernetes/client-node";
import { parseAllDocuments, stringify } from "yaml";
import { InfrastructureFailure } from "../../errors.ts";
import type { DsConfig } from "../../harness.ts";
import { exampleStackSpec } from "../../stack-spec.ts";
import { formatEvents, namespaceFor, nodeAddressOf, usedNodePorts } from "./cluster.ts";
import { helmBinary, helmUninstall, helmUpgradeInstall, imageLoadCommand, pullPolicyFor } from "./helm.ts";
import { EXAMPLES_CHART_DIR, expectedPods, imageValues, K8sProvider, optionsFromEnv } from "./k8s-provider.ts";
import { ClusterKind, classifyCluster, loadClusterTarget } from "./kubeconfig.ts";
import { CRASH_LOOP_RESTARTS, podVerdict, releaseVerdict } from "./readiness.ts";
import { allocateNodePorts, dependenciesOf, deviceServersFromDsConfig, planAddresses, releaseValues, serverKey } from "./values.ts";

const dir = mkdtempSync(join(tmpdir(), "k8s-provider-test-"));

function kubeconfig(file: string, contexts: { name: string; server: string }[], current?: string): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server, "insecure-skip-tls-verify": true } })),
    users: contexts.map((c) => ({ name: c.name, user: { token: "not-a-real-token" } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name } })),
    ...(current ? { "current-context": current } : {}),
  };
  const path = join(dir, file);
  writeFileSync(path, stringify(doc));
  return path;
}

function rejectsWith(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InfrastructureFailure, `not an InfrastructureFailure: ${String(err)}`);
    assert.equal(err.errors[0]?.reason, "BDD_InfraProviderUnavailable");
    assert.match(err.message, pattern);
    return true;
  });
}

describe("kubeconfig loading (real files, no cluster contacted)", () => {
  const kind = kubeconfig(
    "kind.yaml",
    [
      { name: "kind-tango", server: "https://127.0.0.1:40123" },
      { name: "minikube", server: "https://192.168.49.2:8443" },
    ],
    "kind-tango",
  );

  test("picks the current context and recognises kind", () => {
    const t = loadClusterTarget({ env: { KUBECONFIG: kind } });
    assert.equal(t.context, "kind-tango");
    assert.equal(t.kind, ClusterKind.Kind);
    assert.equal(t.clusterName, "tango");
    assert.equal(t.server, "https://127.0.0.1:40123");
    assert.equal(t.source, kind);
  });

  test("TANGO_BDD_K8S_CONTEXT selects another context", () => {
    const t = loadClusterTarget({ env: { KUBECONFIG: kind, TANGO_BDD_K8S_CONTEXT: "minikube" } });
    assert.equal(t.kind, ClusterKind.Minikube);
    assert.equal(t.server, "https://192.168.49.2:8443");
  });

  test("an unknown context is refused with the list of contexts", () => {
    rejectsWith(
      () => loadClusterTarget({ env: { KUBECONFIG: kind }, context: "prod" }),
      /context "prod" is not in .*kind\.yaml; it has: kind-tango, minikube/,
    );
  });

  test("a missing file names the file, the variable and what to do", () => {
    const missing = join(dir, "nope.yaml");
    rejectsWith(
      () => loadClusterTarget({ env: { KUBECONFIG: missing } }),
      /no kubeconfig: .*nope\.yaml \(from KUBECONFIG\) does not exist.*kind create cluster/,
    );
    rejectsWith(() => loadClusterTarget({ env: { HOME: dir } }), /\.kube\/config \(from the default location\)/);
  });

  test("a file that is not a kubeconfig is refused", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "clusters: [ {name: x\n");
    rejectsWith(() => loadClusterTarget({ env: { KUBECONFIG: bad } }), /kubeconfig .*bad\.yaml is not valid/);
  });

  test("no current context: asks for TANGO_BDD_K8S_CONTEXT", () => {
    const none = kubeconfig("none.yaml", [{ name: "a", server: "https://10.0.0.1:6443" }]);
    rejectsWith(() => loadClusterTarget({ env: { KUBECONFIG: none } }), /has no current context; set TANGO_BDD_K8S_CONTEXT to one of: a/);
  });

  test("KUBECONFIG with several files is merged, first definition wins", () => {
    const second = kubeconfig("second.yaml", [{ name: "k3d-dev", server: "https://0.0.0.0:6550" }], "k3d-dev");
    const t = loadClusterTarget({ env: { KUBECONFIG: [second, kind].join(delimiter) } });
    assert.equal(t.context, "k3d-dev");
    assert.equal(t.kind, ClusterKind.K3d);
    assert.deepEqual(
      t.kubeConfig
        .getContexts()
        .map((c) => c.name)
        .sort(),
      ["k3d-dev", "kind-tango", "minikube"],
    );
  });

  test("inline kubeconfig (the K3s container's)", () => {
    const yaml = stringify({
      apiVersion: "v1",
      clusters: [{ name: "default", cluster: { server: "https://localhost:6443" } }],
      users: [{ name: "default", user: { token: "t" } }],
      contexts: [{ name: "default", context: { cluster: "default", user: "default" } }],
      "current-context": "default",
    });
    assert.equal(loadClusterTarget({ kubeconfigYaml: yaml, env: {} }).kind, ClusterKind.K3s);
  });

  test("cluster kinds", () => {
    assert.deepEqual(classifyCluster("kind-kind", "https://127.0.0.1:1"), { kind: "kind", clusterName: "kind" });
    assert.equal(classifyCluster("gke_proj_zone_c", "https://34.1.2.3").kind, ClusterKind.Other);
  });

  test("the provider reports itself unavailable, with the reason, when there is no kubeconfig", async () => {
    const helm = helmBinary();
    if (helm === "helm") return; // no helm here: available() stops at helm (covered by the chart tests' setup)
    const p = new K8sProvider({ env: { HOME: dir, PATH: process.env.PATH } });
    const a = await p.available();
    assert.equal(a.ok, false);
    assert.match(a.ok ? "" : a.why, /no kubeconfig/);
  });
});

const config: DsConfig = {
  servers: {
    tabata: {
      counters: {
        Counter: {
          "test/counter/prepare": { properties: { polled_attr: ["polled_value", "1000"] } },
          "test/counter/work": { attribute_properties: { polled_value: { abs_change: ["1"] } } },
        },
      },
      tabata: {
        Tabata: { "test/tabata/1": { properties: { prepCounter: ["test/counter/prepare"], workCounter: ["test/counter/work"] } } },
      },
    },
    LoopServer: {
      a: { Loop: { "loop/a/1": { properties: { peer: ["loop/b/1"] } } } },
      b: { Loop: { "loop/b/1": { properties: { peer: ["LOOP/A/1"] } } } },
    },
  },
  classes: { Tabata: { properties: { description: ["x"] } } },
};

describe("values from the dsconfig", () => {
  test("server definitions in the ska-tango-util layout", () => {
    const s = deviceServersFromDsConfig(config, { defaultModule: "@tango-bdd/tabata" });
    assert.deepEqual(Object.keys(s), ["tabata", "loopserver"]);
    const tabata = s.tabata;
    assert.ok(tabata);
    assert.equal(tabata.file, null, "the chart's data file must be dropped");
    assert.deepEqual(tabata.instances, ["counters", "tabata"]);
    assert.deepEqual(tabata.entrypoints, [
      { name: "Counter.Counter", path: "@tango-bdd/tabata" },
      { name: "Tabata.Tabata", path: "@tango-bdd/tabata" },
    ]);
    assert.deepEqual(tabata.server.instances[0]?.classes[0]?.devices[1], {
      name: "test/counter/work",
      attribute_properties: [{ attribute: "polled_value", properties: [{ name: "abs_change", values: ["1"] }] }],
    });
    assert.deepEqual(tabata.class_properties, [{ name: "Tabata", properties: [{ name: "description", values: ["x"] }] }]);
    assert.equal(s.loopserver?.server.name, "LoopServer", "the Tango server name is kept, the key is DNS-safe");
  });

  test("dependencies come from properties naming other instances' devices; cycles are broken", () => {
    const deps = dependenciesOf(config);
    assert.deepEqual(deps.get("tabata/tabata"), ["test/counter/prepare"]);
    assert.deepEqual(deps.get("tabata/counters"), []);
    const a = deps.get("LoopServer/a") ?? [];
    const b = deps.get("LoopServer/b") ?? [];
    assert.equal(a.length + b.length, 1, `exactly one edge of the a<->b cycle survives: ${JSON.stringify({ a, b })}`);
  });

  test("names that cannot become Kubernetes names are refused", () => {
    assert.equal(serverKey("TabataServer"), "tabataserver");
    assert.throws(() => serverKey("_1"), /no usable Kubernetes name/);
    assert.throws(() => deviceServersFromDsConfig({ servers: { s: { My_Inst: { C: { "a/b/c": {} } } } } }), /not a lowercase DNS label/);
    assert.throws(
      () => deviceServersFromDsConfig({ servers: { Ab: { i: { C: { "a/b/c": {} } } }, ab: { j: { C: { "a/b/d": {} } } } } }),
      /same Kubernetes name/,
    );
  });

  test("nodePort allocation skips used ports, is deterministic, and runs out loudly", () => {
    const used = new Set([30000, 30002]);
    const a = allocateNodePorts(["s/a", "s/b"], { used });
    assert.equal(a.database, 30001);
    assert.deepEqual(a.ports.get("s/a"), { server: 30003, heartbeat: 30004, event: 30005 });
    assert.deepEqual(a.ports.get("s/b"), { server: 30006, heartbeat: 30007, event: 30008 });
    assert.deepEqual(allocateNodePorts(["s/a", "s/b"], { used }), a);
    assert.throws(() => allocateNodePorts(["x"], { base: 32765 }), /not enough free nodePorts/);
    assert.throws(() => allocateNodePorts(["x"], { base: 8080 }), /outside 30000-32767/);
  });

  test("address plans: DNS names in the cluster, node address + nodePorts outside", async () => {
    const spec = await exampleStackSpec({ runId: "bdd-test-1" });
    const inside = planAddresses(spec.servers, "in-cluster");
    assert.equal(inside.runnerTangoHost, "tango-databaseds:10000");
    assert.equal(inside.mode, "clusterIP");
    assert.throws(() => planAddresses(spec.servers, "outside"), /needs a node address/);
    const outside = planAddresses(spec.servers, "outside", { nodeAddress: "172.18.0.2", base: 31000 });
    assert.equal(outside.runnerTangoHost, "172.18.0.2:31000");
    assert.equal(outside.clusterTangoHost, "tango-databaseds:31000");
    assert.equal(outside.ports.size, spec.servers.length);
  });

  test("environment options: context, node address, disjoint nodePort ranges per cucumber worker", () => {
    const o = optionsFromEnv({
      TANGO_BDD_K8S_CONTEXT: "kind-x",
      TANGO_BDD_K8S_NODE_ADDRESS: "10.1.1.1",
      CUCUMBER_WORKER_ID: "2",
      TANGO_BDD_K8S_KEEP: "1",
    });
    assert.equal(o.context, "kind-x");
    assert.equal(o.nodeAddress, "10.1.1.1");
    assert.equal(o.nodePortBase, 30200);
    assert.equal(o.keep, true);
    assert.equal(optionsFromEnv({ TANGO_BDD_K8S_NODEPORT_BASE: "31500" }).nodePortBase, 31500);
  });
});

describe("helm and image-load command lines", () => {
  test("helm upgrade --install / uninstall", () => {
    const cmd = helmUpgradeInstall("/h/helm", {
      release: "tango-bdd",
      chartDir: "/repo/charts/tango-examples",
      namespace: "tango-bdd-run1",
      valuesFiles: ["/tmp/v.yaml"],
      kubeconfig: "/k/config",
      context: "kind-x",
    });
    assert.deepEqual(
      [cmd.file, ...cmd.args],
      [
        "/h/helm",
        "upgrade",
        "--install",
        "tango-bdd",
        "/repo/charts/tango-examples",
        "--namespace",
        "tango-bdd-run1",
        "--values",
        "/tmp/v.yaml",
        "--timeout",
        "300s",
        "--kubeconfig",
        "/k/config",
        "--kube-context",
        "kind-x",
      ],
    );
    assert.throws(() => helmUpgradeInstall("helm", { release: "Tango_BDD", chartDir: ".", namespace: "n", valuesFiles: [] }), /DNS label/);
    assert.deepEqual(helmUninstall("helm", { release: "r", namespace: "n" }).args, [
      "uninstall",
      "r",
      "--namespace",
      "n",
      "--wait",
      "--timeout",
      "120s",
      "--ignore-not-found",
    ]);
  });

  test("images reach the cluster the way its kind allows", () => {
    assert.deepEqual(imageLoadCommand(ClusterKind.Kind, "tango-bdd/runtime:local", "tango"), {
      file: "kind",
      args: ["load", "docker-image", "tango-bdd/runtime:local", "--name", "tango"],
    });
    assert.deepEqual(imageLoadCommand(ClusterKind.Minikube, "i:t", "minikube")?.args, ["image", "load", "i:t", "--profile", "minikube"]);
    assert.deepEqual(imageLoadCommand(ClusterKind.K3d, "i:t", "dev")?.args, ["image", "import", "i:t", "--cluster", "dev"]);
    assert.equal(imageLoadCommand(ClusterKind.Other, "i:t", "gke"), undefined);
    assert.equal(pullPolicyFor(ClusterKind.Kind, true), "Never");
    assert.equal(pullPolicyFor(ClusterKind.Other, false), "IfNotPresent");
    assert.deepEqual(imageValues("tango-bdd/runtime:local"), { registry: "", repository: "tango-bdd/runtime", tag: "local" });
    assert.deepEqual(imageValues("registry.example.org:5000/tango/runtime:1.2"), {
      registry: "registry.example.org:5000",
      repository: "tango/runtime",
      tag: "1.2",
    });
    assert.deepEqual(imageValues("localhost/runtime"), { registry: "localhost", repository: "runtime", tag: "latest" });
  });
});

function pod(name: string, build: (p: V1Pod) => void): V1Pod {
  const p = new V1Pod();
  p.metadata = { name };
  p.spec = {
    containers: [{ name: "device-server" }],
    initContainers: [{ name: "wait-for-configuration" }, { name: "check-dependencies-0" }],
  };
  p.status = { phase: "Pending", conditions: [], initContainerStatuses: [], containerStatuses: [] };
  build(p);
  return p;
}

function status(name: string, state: V1ContainerStatus["state"], extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus {
  const s = new V1ContainerStatus();
  Object.assign(s, { name, image: "tango-bdd/runtime:local", imageID: "", ready: false, restartCount: 0, state, ...extra });
  return s;
}

function condition(type: string, value: "True" | "False", reason?: string): V1PodCondition {
  const c = new V1PodCondition();
  c.type = type;
  c.status = value;
  if (reason) c.reason = reason;
  return c;
}

describe("readiness verdicts over V1Pod / V1Job objects", () => {
  const ready = pod("tabata-counters-0", (p) => {
    p.status = {
      phase: "Running",
      conditions: [condition("PodScheduled", "True"), condition("Ready", "True")],
      initContainerStatuses: [
        status("wait-for-configuration", { terminated: { exitCode: 0 } }),
        status("check-dependencies-0", { terminated: { exitCode: 0 } }),
      ],
      containerStatuses: [status("device-server", { running: {} }, { ready: true })],
    };
  });

  test("Ready pod", () => {
    assert.deepEqual(podVerdict(ready), { state: "ready", pod: "tabata-counters-0" });
  });

  test("init containers in progress name the step", () => {
    const p = pod("tabata-tabata-0", (x) => {
      x.status = {
        phase: "Pending",
        conditions: [condition("PodScheduled", "True"), condition("Ready", "False")],
        initContainerStatuses: [
          status("wait-for-configuration", { terminated: { exitCode: 0 } }),
          status("check-dependencies-0", { running: {} }),
        ],
      };
    });
    assert.deepEqual(podVerdict(p), { state: "waiting", pod: "tabata-tabata-0", step: "Init:1/2 check-dependencies-0" });
  });

  test("running but not ready: the readiness probe", () => {
    const p = pod("x-0", (x) => {
      x.status = {
        phase: "Running",
        conditions: [condition("Ready", "False")],
        initContainerStatuses: [
          status("wait-for-configuration", { terminated: { exitCode: 0 } }),
          status("check-dependencies-0", { terminated: { exitCode: 0 } }),
        ],
        containerStatuses: [status("device-server", { running: {} })],
      };
    });
    const v = podVerdict(p);
    assert.equal(v.state, "waiting");
    assert.match(v.state === "waiting" ? v.step : "", /device-server: running, not ready \(readiness probe\)/);
  });

  test("an image missing from the cluster fails at once, with the fix", () => {
    const p = pod("x-0", (x) => {
      x.status = {
        phase: "Pending",
        initContainerStatuses: [
          status("wait-for-configuration", { waiting: { reason: "ErrImageNeverPull", message: "image not present" } }),
        ],
      };
    });
    const v = podVerdict(p);
    assert.equal(v.state, "failed");
    assert.match(v.state === "failed" ? `${v.reason} ${v.hint}` : "", /ErrImageNeverPull.*kind load docker-image/);
  });

  test("a crash loop fails after a few restarts, not before", () => {
    const crashing = (restarts: number) =>
      pod("x-0", (x) => {
        x.spec = { containers: [{ name: "device-server" }] };
        x.status = {
          phase: "Running",
          containerStatuses: [
            status(
              "device-server",
              { waiting: { reason: "CrashLoopBackOff" } },
              { restartCount: restarts, lastState: { terminated: { exitCode: 1, reason: "Error" } } },
            ),
          ],
        };
      });
    assert.equal(podVerdict(crashing(1)).state, "waiting");
    const v = podVerdict(crashing(CRASH_LOOP_RESTARTS));
    assert.equal(v.state, "failed");
    assert.match(v.state === "failed" ? v.reason : "", /CrashLoopBackOff after 3 restarts \(last exit 1 Error\)/);
  });

  test("unschedulable pods keep waiting with the scheduler's reason", () => {
    const p = pod("x-0", (x) => {
      x.status = { phase: "Pending", conditions: [condition("PodScheduled", "False", "Unschedulable")] };
    });
    assert.match(JSON.stringify(podVerdict(p)), /unschedulable: Unschedulable/);
  });

  test("release: all expected pods Ready; a missing pod waits; a failed config Job fails", () => {
    assert.deepEqual(releaseVerdict(["tabata-counters-0"], [ready]), { state: "ready" });
    assert.deepEqual(releaseVerdict(["tabata-counters-0", "tango-databaseds-0"], [ready]), {
      state: "waiting",
      summary: "tango-databaseds-0: not created yet",
    });
    const job = new V1Job();
    job.metadata = { name: "tabata-tango-bdd-config-1234abcd" };
    const failed = new V1JobCondition();
    Object.assign(failed, { type: "Failed", status: "True", reason: "BackoffLimitExceeded" });
    job.status = { conditions: [failed], failed: 7 };
    const v = releaseVerdict(["tabata-counters-0"], [ready], [job]);
    assert.equal(v.state, "failed");
    assert.match(v.state === "failed" ? v.reason : "", /tabata-tango-bdd-config-1234abcd failed: BackoffLimitExceeded/);
  });
});

describe("cluster facts", () => {
  const node = (name: string, ready: boolean, addresses: [string, string][], unschedulable = false): V1Node => {
    const n = new V1Node();
    n.metadata = { name };
    n.spec = { unschedulable };
    n.status = {
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      addresses: addresses.map(([type, address]) => ({ type, address })),
    };
    return n;
  };

  test("node address: a Ready, schedulable node's InternalIP", () => {
    const nodes = [
      node("down", false, [["InternalIP", "10.0.0.9"]]),
      node("cordoned", true, [["InternalIP", "10.0.0.8"]], true),
      node("kind-control-plane", true, [
        ["InternalIP", "172.18.0.2"],
        ["Hostname", "kind-control-plane"],
      ]),
    ];
    assert.equal(nodeAddressOf(nodes), "172.18.0.2");
    assert.equal(nodeAddressOf([node("n", true, [["Hostname", "n1"]])]), "n1");
    assert.equal(nodeAddressOf([node("n", false, [["InternalIP", "1.1.1.1"]])]), undefined);
  });

  test("used nodePorts, namespace names, event table", () => {
    const svc = new V1Service();
    svc.spec = { ports: [{ port: 10000, nodePort: 30000 }, { port: 80 }] };
    assert.deepEqual([...usedNodePorts([svc])], [30000]);
    const ns = namespaceFor(`bdd-w0-${"x".repeat(80)}`);
    assert.ok(ns.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns), ns);
    assert.equal(namespaceFor("BDD_w1.abc"), "tango-bdd-bdd-w1-abc");
    const text = formatEvents([
      {
        metadata: {},
        involvedObject: { kind: "Pod", name: "b" },
        reason: "Started",
        message: "later",
        type: "Normal",
        lastTimestamp: new Date("2026-01-01T00:00:02Z"),
      },
      {
        metadata: {},
        involvedObject: { kind: "Pod", name: "a" },
        reason: "Pulled",
        message: "first",
        type: "Normal",
        lastTimestamp: new Date("2026-01-01T00:00:01Z"),
        count: 3,
      },
    ]);
    assert.match(text, /^2026-01-01T00:00:01\.000Z Normal {2}Pod\/a +Pulled: first \(x3\)\n.*Pod\/b +Started: later$/);
  });
});

// The values the provider generates, rendered by the real chart: what the cluster would receive.
const repoDir = new URL("../../../../", import.meta.url).pathname;
let helm = helmBinary();
const validator = join(process.env.GOBIN ?? join(homedir(), "go", "bin"), "k8s-validate");
const noHelm = process.env.TANGO_BDD_SKIP_HELM === "1" ? "TANGO_BDD_SKIP_HELM=1" : false;

function exec(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr: stderr || (err?.message ?? "") });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe("generated values rendered by charts/tango-examples (helm, no cluster)", { skip: noHelm }, () => {
  before(async () => {
    if (helm === "helm" && (await exec("helm", ["version"])).code !== 0) {
      const r = await exec("sh", [join(repoDir, "scripts", "helm-install.sh")]);
      assert.equal(r.code, 0, `no helm, and scripts/helm-install.sh failed (TANGO_BDD_SKIP_HELM=1 skips):\n${r.stderr}`);
      helm = helmBinary();
    }
    const v = await exec("sh", [join(repoDir, "scripts", "helm-k8s-validate.sh")]);
    assert.equal(v.code, 0, `building k8s-validate failed:\n${v.stderr}`);
  });

  test("round trip: the chart's ConfigMaps carry exactly the StackSpec's dsconfig; objects pass the API validation", async () => {
    const spec = await exampleStackSpec({ runId: "bdd-w0-roundtrip", tabataTick: 0.05 });
    const plan = planAddresses(spec.servers, "outside", { nodeAddress: "172.18.0.2", base: 30100 });
    const values = releaseValues(spec, plan, { image: { repository: "tango-bdd/runtime", tag: "local", pullPolicy: "Never" } });
    const file = join(dir, "values.yaml");
    writeFileSync(file, stringify(values));
    const deps = await exec(helm, ["dependency", "build", EXAMPLES_CHART_DIR]);
    assert.equal(deps.code, 0, deps.stderr);
    const r = await exec(helm, ["template", "tango-bdd", EXAMPLES_CHART_DIR, "--namespace", "tango-bdd-bdd-w0-roundtrip", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
    const objects = parseAllDocuments(r.stdout)
      .map(
        (d) =>
          d.toJS() as {
            kind: string;
            metadata: { name: string; labels?: Record<string, string> };
            data?: Record<string, string>;
            spec?: unknown;
          },
      )
      .filter((o) => o);

    // the dsconfig, server by server
    const rendered: Record<string, unknown> = {};
    for (const cm of objects.filter((o) => o.kind === "ConfigMap"))
      Object.assign(rendered, JSON.parse(cm.data?.["configuration.json"] ?? "{}").servers);
    assert.deepEqual(rendered, spec.config.servers);
    assert.deepEqual(
      (rendered.tabata as Record<string, Record<string, Record<string, { properties: Record<string, string[]> }>>>).tabata?.Tabata?.[
        "test/tabata/1"
      ]?.properties.sleep_time,
      ["0.05"],
    );

    // the pods the provider waits for are exactly the StatefulSets the chart makes
    const sts = objects.filter((o) => o.kind === "StatefulSet").map((o) => `${o.metadata.name}-0`);
    assert.deepEqual(sts.sort(), expectedPods(spec).sort());
    for (const o of objects)
      assert.equal(o.metadata.labels?.["tango-bdd/run-id"], "bdd-w0-roundtrip", `${o.kind}/${o.metadata.name} lacks the run id`);

    // published addresses: node address + the planned nodePorts
    const tabataTabata = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "tabata-tabata") as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = Object.fromEntries((tabataTabata.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.TANGO_SERVER_PUBLISH_HOSTNAME, "172.18.0.2");
    assert.equal(env.TANGO_SERVER_PORT, String(plan.ports.get("tabata/tabata")?.server));
    assert.equal(env.TANGO_HOST, plan.clusterTangoHost);

    const v = await exec(validator, ["-q", "-namespace", "tango-bdd-bdd-w0-roundtrip", "-"], r.stdout);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  test("servers of the chart's defaults that the spec does not have are removed", async () => {
    const spec = await exampleStackSpec({ runId: "bdd-w0-only", onlyServers: ["tabata"] });
    const values = releaseValues(spec, planAddresses(spec.servers, "in-cluster"));
    const file = join(dir, "only.yaml");
    writeFileSync(file, stringify(values));
    const r = await exec(helm, ["template", "tango-bdd", EXAMPLES_CHART_DIR, "-f", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /asynctabata/);
    assert.match(r.stdout, /name: tabata-counters/);
  });
});
