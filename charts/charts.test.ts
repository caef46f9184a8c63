/**
 * Helm charts: every chart is linted and rendered with its default values and every values file in its ci/
 * folder; every rendered object must pass the Kubernetes v1.32 API validation (scripts/k8s-validate: strict typed
 * decoding + the API server's create validation) and the project's rules (probes, non-root, no plain secrets,
 * addresses). Values files in testdata/ must be rejected, by the chart or by the API validation.
 *
 * Needs helm (scripts/helm-install.sh) and Go (to build scripts/k8s-validate); set TANGO_BDD_SKIP_HELM=1 to skip
 * explicitly on a machine without them. No cluster is used.
 */

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const chartsDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(chartsDir);
const CHARTS = ["tango-stack", "tango-device-server", "tango-examples"] as const;
const NS = "tango-test";
const skip = process.env.TANGO_BDD_SKIP_HELM === "1" ? "TANGO_BDD_SKIP_HELM=1" : false;

function findHelm(): string {
  const candidates = [process.env.HELM, join(homedir(), "go", "bin", "helm")].filter((c): c is string => !!c);
  for (const c of candidates) if (existsSync(c)) return c;
  return "helm"; // PATH
}
let helmBin = findHelm();
const validatorBin = join(process.env.GOBIN ?? join(homedir(), "go", "bin"), "k8s-validate");

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], input?: string, timeoutMs = 600_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { cwd: repoDir, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        reject(new Error(`${cmd} ${args.join(" ")}: ${err.message}`));
        return;
      }
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const helm = (...args: string[]) => run(helmBin, args);

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are inspected structurally
  spec?: any;
  data?: Record<string, string>;
};

function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) out.push(value);
  }
  return out;
}

async function render(
  chart: string,
  valuesFiles: readonly string[] = [],
  sets: readonly string[] = [],
): Promise<{ text: string; objects: K8sObject[] }> {
  const args = ["template", "rel", join(chartsDir, chart), "--namespace", NS];
  for (const f of valuesFiles) args.push("-f", f);
  for (const s of sets) args.push("--set", s);
  const r = await helm(...args);
  assert.equal(r.code, 0, `helm template ${chart} ${valuesFiles.map((f) => basename(f)).join(" ")} failed:\n${r.stderr}`);
  return { text: r.stdout, objects: parseManifests(r.stdout) };
}

async function k8sValidate(manifest: string): Promise<RunResult> {
  return run(validatorBin, ["-q", "-namespace", NS, "-"], manifest);
}

function valuesFilesOf(chart: string): string[] {
  const dir = join(chartsDir, chart, "ci");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
}

function byKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

function one(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `no ${kind} ${name} in [${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}]`);
  return found;
}

// biome-ignore lint/suspicious/noExplicitAny: container specs from rendered YAML
type Container = any;

function podSpecOf(o: K8sObject): Container | undefined {
  if (o.kind === "StatefulSet" || o.kind === "Deployment" || o.kind === "Job") return o.spec?.template?.spec;
  if (o.kind === "Pod") return o.spec;
  return undefined;
}

function envOf(c: Container): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of c.env ?? []) if (typeof e.value === "string") out[e.name] = e.value;
  return out;
}

/** The project's rules for every rendered object set, whatever the values. */
function assertHouseRules(objects: readonly K8sObject[], label: string): void {
  assert.equal(byKind(objects, "Secret").length, 0, `${label}: charts must not render Secrets from values`);
  for (const o of objects) {
    assert.equal(o.metadata.namespace, NS, `${label}: ${o.kind}/${o.metadata.name} has no explicit namespace`);
    assert.equal(
      o.metadata.labels?.["app.kubernetes.io/part-of"],
      "tango-bdd",
      `${label}: ${o.kind}/${o.metadata.name} lacks the part-of label`,
    );
    const pod = podSpecOf(o);
    if (!pod) continue;
    const where = `${label}: ${o.kind}/${o.metadata.name}`;
    assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: pod runAsNonRoot`);
    assert.equal(pod.securityContext?.runAsUser, 1000, `${where}: pod uid 1000`);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const sc = c.securityContext ?? {};
      assert.equal(sc.runAsNonRoot, true, `${where}/${c.name}: runAsNonRoot`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name}: readOnlyRootFilesystem`);
      assert.deepEqual(sc.capabilities?.drop, ["ALL"], `${where}/${c.name}: capabilities`);
      for (const e of c.env ?? []) {
        if (/(password|passwd|secret|token|credential|api_?key)/i.test(e.name)) {
          assert.equal(e.value, undefined, `${where}/${c.name}: env ${e.name} must come from a Secret reference`);
        }
      }
    }
    if (o.kind === "StatefulSet") {
      const main = pod.containers[0];
      assert.ok(main.livenessProbe, `${where}: liveness probe`);
      assert.ok(main.readinessProbe, `${where}: readiness probe`);
      const svc = objects.find((s) => s.kind === "Service" && s.metadata.name === o.spec.serviceName);
      assert.ok(svc, `${where}: no Service ${o.spec.serviceName}`);
      for (const [k, v] of Object.entries(svc.spec.selector as Record<string, string>)) {
        assert.equal(o.spec.template.metadata.labels[k], v, `${where}: Service selector ${k} does not match the pod`);
      }
      assert.equal(svc.spec.publishNotReadyAddresses, true, `${where}: the Service must route before readiness (probe goes through it)`);
      // every port the container listens on is a Service port with the same number (published addresses)
      const svcPorts = new Set((svc.spec.ports as { port: number }[]).map((p) => p.port));
      for (const p of main.ports ?? [])
        assert.ok(svcPorts.has(p.containerPort), `${where}: port ${p.containerPort} is not exposed by the Service`);
    }
  }
}

describe("helm charts", { skip }, () => {
  before(async () => {
    let version = await run(helmBin, ["version", "--short"]).catch((e: Error) => ({ code: -1, stdout: "", stderr: e.message }));
    if (version.code !== 0) {
      // a fresh machine: build helm like CI does (needs Go and the Go module proxy)
      const install = await run("sh", [join(repoDir, "scripts", "helm-install.sh")]);
      assert.equal(
        install.code,
        0,
        `helm not found and scripts/helm-install.sh failed (set TANGO_BDD_SKIP_HELM=1 to skip):\n${install.stderr}`,
      );
      helmBin = findHelm();
      version = await run(helmBin, ["version", "--short"]);
    }
    assert.equal(version.code, 0, `helm not usable (${helmBin}): ${version.stderr}`);
    const build = await run("sh", [join(repoDir, "scripts", "helm-k8s-validate.sh")]);
    assert.equal(build.code, 0, `building scripts/k8s-validate failed:\n${build.stderr}`);
    const deps = await helm("dependency", "build", join(chartsDir, "tango-examples"));
    assert.equal(deps.code, 0, `helm dependency build tango-examples:\n${deps.stderr}`);
  });

  for (const chart of CHARTS) {
    for (const valuesFile of [undefined, ...valuesFilesOf(chart)]) {
      const label = `${chart} with ${valuesFile ? `ci/${basename(valuesFile)}` : "default values"}`;
      test(`${label}: lints, renders, passes the Kubernetes API validation and the house rules`, async () => {
        const files = valuesFile ? [valuesFile] : [];
        const lint = await helm("lint", "--strict", join(chartsDir, chart), "--namespace", NS, ...files.flatMap((f) => ["-f", f]));
        assert.equal(lint.code, 0, `helm lint --strict:\n${lint.stdout}\n${lint.stderr}`);
        assert.equal(lint.stderr.includes("warning"), false, `helm printed warnings:\n${lint.stderr}`);
        const { text, objects } = await render(chart, files);
        if (chart === "tango-device-server" && !valuesFile) {
          assert.equal(objects.length, 0, "no servers defined: nothing to render");
          return;
        }
        assert.ok(objects.length > 0, "rendered nothing");
        const v = await k8sValidate(text);
        assert.equal(v.code, 0, `Kubernetes API validation failed:\n${v.stdout}${v.stderr}`);
        assert.match(v.stdout, new RegExp(`^${objects.length} objects, 0 invalid$`, "m"));
        assertHouseRules(objects, label);
      });
    }
  }

  describe("values files that must be rejected", () => {
    const dir = join(chartsDir, "testdata");
    for (const sub of ["bad", "invalid-objects"] as const) {
      for (const file of readdirSync(join(dir, sub)).filter((f) => f.endsWith(".yaml"))) {
        const path = join(dir, sub, file);
        const chart = file.split("--")[0] ?? "";
        const expect = /^# expect: (.+)$/m.exec(readFileSync(path, "utf8"))?.[1];
        test(`${sub}/${file} is rejected${sub === "bad" ? " by the chart" : " by the API validation"}`, async () => {
          assert.ok(CHARTS.includes(chart as (typeof CHARTS)[number]), `unknown chart in file name ${file}`);
          assert.ok(expect, `${file} has no "# expect:" line`);
          const r = await helm("template", "rel", join(chartsDir, chart), "--namespace", NS, "-f", path);
          if (sub === "bad") {
            assert.notEqual(r.code, 0, `helm template accepted ${file}`);
            assert.match(r.stderr, new RegExp(expect));
          } else {
            assert.equal(r.code, 0, `helm template should render ${file}:\n${r.stderr}`);
            const v = await k8sValidate(r.stdout);
            assert.equal(v.code, 1, `k8s-validate accepted ${file}:\n${v.stdout}`);
            assert.match(v.stdout, new RegExp(expect));
          }
        });
      }
    }
  });

  describe("tango-examples (the ska-tango-examples devices)", () => {
    test("deploys the database and the four server instances as StatefulSets with Services", async () => {
      const { objects } = await render("tango-examples");
      const sts = byKind(objects, "StatefulSet").map((o) => o.metadata.name);
      assert.deepEqual(sts.sort(), [
        "asynctabata-asyncounters",
        "asynctabata-tabata",
        "tabata-counters",
        "tabata-tabata",
        "tango-databaseds",
      ]);
      const jobs = byKind(objects, "Job").map((o) => o.metadata.name);
      assert.equal(jobs.length, 2);
      for (const j of jobs) assert.match(j, /^(tabata|asynctabata)-rel-config-[0-9a-f]{8}$/);
    });

    test("dsconfig JSON follows devices-spec §4/§6 (devices, classes, polled_attr, AsyncTabata counter properties)", async () => {
      const { objects } = await render("tango-examples");
      const tabata = JSON.parse(one(objects, "ConfigMap", "tabata-rel-dsconfig-json").data?.["configuration.json"] ?? "");
      const counters = tabata.servers.tabata.counters.Counter;
      assert.deepEqual(Object.keys(counters).sort(), [
        "test/counter/cycles",
        "test/counter/prepare",
        "test/counter/rest",
        "test/counter/tabatas",
        "test/counter/work",
      ]);
      for (const dev of Object.values(counters) as { properties: Record<string, string[]> }[]) {
        assert.deepEqual(dev.properties.polled_attr, ["polled_value", "1000"]);
      }
      assert.deepEqual(Object.keys(tabata.servers.tabata.tabata), ["Tabata"]);
      assert.deepEqual(tabata.servers.tabata.tabata.Tabata["test/tabata/1"].properties.LOGGING_LEVEL, ["DEBUG"]);

      const asyncCfg = JSON.parse(one(objects, "ConfigMap", "asynctabata-rel-dsconfig-json").data?.["configuration.json"] ?? "");
      assert.deepEqual(Object.keys(asyncCfg.servers.asynctabata.asyncounters.AsyncCounter).length, 5);
      const at = asyncCfg.servers.asynctabata.tabata.AsyncTabata["test/asynctabata/1"].properties;
      assert.deepEqual(
        [at.prepCounter, at.workCounter, at.restCounter, at.cycleCounter, at.tabatasCounter],
        [["test/acounter/prepare"], ["test/acounter/work"], ["test/acounter/rest"], ["test/acounter/cycles"], ["test/acounter/tabatas"]],
      );
      const entry = JSON.parse(one(objects, "ConfigMap", "asynctabata-rel-dsconfig-json").data?.["entrypoints.json"] ?? "");
      assert.deepEqual(
        entry.map((e: { name: string }) => e.name),
        ["AsyncTabata.AsyncTabata", "AsyncCounter.AsyncCounter"],
      );
    });

    test("polling comes from the values (templated data files), instances from global.instances", async () => {
      const { objects } = await render("tango-examples", [], ["deviceServers.servers.tabata.polling=250", "global.instances={counters}"]);
      const cfg = JSON.parse(one(objects, "ConfigMap", "tabata-rel-dsconfig-json").data?.["configuration.json"] ?? "");
      assert.deepEqual(cfg.servers.tabata.counters.Counter["test/counter/work"].properties.polled_attr, ["polled_value", "250"]);
      assert.deepEqual(Object.keys(cfg.servers.tabata), ["counters"]);
      assert.deepEqual(
        byKind(objects, "StatefulSet")
          .map((o) => o.metadata.name)
          .sort(),
        ["tabata-counters", "tango-databaseds"],
      );
    });

    test("device server pod: contract command line, env, published address, probes, dependency waits", async () => {
      const { objects } = await render("tango-examples");
      const sts = one(objects, "StatefulSet", "tabata-tabata");
      const pod = sts.spec.template.spec;
      const main = pod.containers[0];
      assert.deepEqual(main.command, [
        "node",
        "devices/tango/bin/tango.mjs",
        "serve",
        "tabata/tabata",
        "--module",
        "@tango-bdd/tabata",
        "--port",
        "$(TANGO_SERVER_PORT)",
        "--publish-host",
        "$(TANGO_SERVER_PUBLISH_HOSTNAME)",
        "--heartbeat-port",
        "$(TANGO_ZMQ_HEARTBEAT_PORT)",
        "--event-port",
        "$(TANGO_ZMQ_EVENT_PORT)",
      ]);
      assert.equal(main.workingDir, "/app");
      assert.equal(main.image, "tango-bdd/runtime:local");
      assert.deepEqual(envOf(main), {
        TANGO_HOST: "tango-databaseds:10000",
        TANGO_SERVER_PORT: "45450",
        TANGO_ZMQ_HEARTBEAT_PORT: "45460",
        TANGO_ZMQ_EVENT_PORT: "45470",
        TANGO_SERVER_PUBLISH_HOSTNAME: `tabata-tabata.${NS}.svc.cluster.local`,
      });
      assert.deepEqual(main.livenessProbe.tcpSocket, { port: "tango-server" });
      assert.deepEqual(main.readinessProbe.exec.command, ["node", "/data/wait-for.mjs", "1", "1", "device", "test/tabata/1"]);
      const job = byKind(objects, "Job").find((j) => j.metadata.name.startsWith("tabata-rel-config-"));
      assert.ok(job);
      const inits = pod.initContainers.map((c: Container) => [c.name, c.command.slice(4).join(" ")]);
      assert.deepEqual(inits, [
        ["wait-for-configuration", `job ${job.metadata.name}`],
        ["check-dependencies-0", "device sys/database/2"],
        ["check-dependencies-1", "device test/counter/prepare"],
      ]);
      assert.deepEqual(job.spec.template.spec.containers[0].command, [
        "node",
        "devices/tango/bin/tango.mjs",
        "db",
        "load",
        "/data/configuration.json",
      ]);
      // the pods may read the Job status, nothing else
      const role = one(objects, "Role", "tabata-role-rel");
      assert.deepEqual(role.spec ?? (role as unknown as { rules: unknown }).rules, [
        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] },
      ]);
    });

    test("a configuration change renames the config Job and rolls the pods", async () => {
      const a = await render("tango-examples");
      const b = await render("tango-examples", [], ["deviceServers.servers.tabata.polling=500"]);
      const jobName = (r: { objects: K8sObject[] }) =>
        byKind(r.objects, "Job").find((j) => j.metadata.name.startsWith("tabata-"))?.metadata.name;
      assert.notEqual(jobName(a), jobName(b));
      const checksum = (r: { objects: K8sObject[] }) =>
        one(r.objects, "StatefulSet", "tabata-counters").spec.template.metadata.annotations["checksum/config"];
      assert.notEqual(checksum(a), checksum(b));
      // the other server is untouched
      const other = (r: { objects: K8sObject[] }) =>
        byKind(r.objects, "Job").find((j) => j.metadata.name.startsWith("asynctabata-"))?.metadata.name;
      assert.equal(other(a), other(b));
    });

    test("nodePort mode: every port is its own nodePort and the servers publish the node address", async () => {
      const { objects } = await render("tango-examples", [join(chartsDir, "tango-examples", "ci", "nodeport-values.yaml")]);
      const seen = new Set<number>();
      for (const svc of byKind(objects, "Service")) {
        assert.equal(svc.spec.type, "NodePort");
        for (const p of svc.spec.ports as { port: number; nodePort: number; targetPort: number | string }[]) {
          assert.equal(p.nodePort, p.port, `${svc.metadata.name}: nodePort must equal the port`);
          assert.ok(!seen.has(p.port), `port ${p.port} used twice`);
          seen.add(p.port);
        }
      }
      const main = one(objects, "StatefulSet", "asynctabata-tabata").spec.template.spec.containers[0];
      assert.equal(envOf(main).TANGO_SERVER_PUBLISH_HOSTNAME, "172.18.0.2");
      assert.equal(envOf(main).TANGO_SERVER_PORT, "30459");
      const db = one(objects, "StatefulSet", "tango-databaseds").spec.template.spec.containers[0];
      assert.deepEqual(db.command.slice(3), ["--port", "30000", "--file", "/data/tango.sqlite", "--publish-host", "172.18.0.2"]);
    });

    test("in-cluster test runner Job and database persistence", async () => {
      const { objects } = await render("tango-examples", [join(chartsDir, "tango-examples", "ci", "in-cluster-runner-values.yaml")]);
      const runner = one(objects, "Job", "rel-acceptance").spec.template.spec.containers[0];
      assert.equal(envOf(runner).TANGO_HOST, "tango-databaseds:10000");
      assert.deepEqual(runner.args, ["npm", "run", "acceptance", "--", "--profile", "k8s-in-cluster"]);
      assert.equal(runner.image, "tango-bdd/runner:local");
      assert.equal(runner.imagePullPolicy, "Never");
      const db = one(objects, "StatefulSet", "tango-databaseds");
      assert.equal(db.spec.volumeClaimTemplates[0].metadata.name, "data");
      assert.equal(
        (db.spec.template.spec.volumes ?? []).some((v: { name: string }) => v.name === "data"),
        false,
        "data must come from the claim, not an emptyDir",
      );
    });
  });

  describe("wait-for.mjs (rendered init-container script, run with node)", () => {
    let script = "";
    before(async () => {
      const { objects } = await render("tango-device-server", [join(chartsDir, "tango-device-server", "ci", "counter-values.yaml")]);
      const dir = mkdtempSync(join(tmpdir(), "wait-for-"));
      script = join(dir, "wait-for.mjs");
      writeFileSync(script, one(objects, "ConfigMap", "counter-rel-dsconfig-json").data?.["wait-for.mjs"] ?? "");
    });

    const node = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunResult> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH, ...env }, ...(cwd ? { cwd } : {}) });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += d;
        });
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });

    test("host: succeeds once the port accepts connections", async () => {
      const server = createServer((s) => s.end());
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const address = server.address();
      assert.ok(address && typeof address === "object");
      try {
        const r = await node(["3", "1", "host", `127.0.0.1:${address.port}`]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /is ready \(try 1\/3\)/);
      } finally {
        server.close();
      }
    });

    test("host: gives up after the tries on a closed port", async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const address = server.address();
      assert.ok(address && typeof address === "object");
      await new Promise<void>((r) => server.close(() => r()));
      const r = await node(["2", "1", "host", `127.0.0.1:${address.port}`]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /ECONNREFUSED/);
      assert.match(r.stderr, /gave up on host .* after 2 tries/);
    });

    test("job: fails at once outside a pod, with the reason", async () => {
      const started = Date.now();
      const r = await node(["30", "5", "job", "x-config"]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /fatal: no in-cluster service account/);
      assert.ok(Date.now() - started < 5000, "a fatal condition must not be retried");
    });

    test("device: with the repository's tango.mjs, an unreachable database is retried, then given up", async () => {
      const r = await node(["2", "1", "device", "sys/database/2"], { TANGO_HOST: "127.0.0.1:1" }, repoDir);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /device sys\/database\/2 not ready \(try 2\/2\): (ping|info) exited with/);
    });

    test("device: a CLI without ping falls back to info", async () => {
      const cwd = mkdtempSync(join(tmpdir(), "fake-cli-"));
      mkdirSync(join(cwd, "devices", "tango", "bin"), { recursive: true });
      // stands in for an older tango.mjs: no ping command; info succeeds for test/ok/1 only
      writeFileSync(
        join(cwd, "devices", "tango", "bin", "tango.mjs"),
        'const [cmd, dev] = process.argv.slice(2);\nif (cmd === "ping") { console.error(`tango: unknown command "ping" (try --help)`); process.exit(2); }\nprocess.exit(cmd === "info" && dev === "test/ok/1" ? 0 : 1);\n',
      );
      const ok = await node(["2", "1", "device", "test/ok/1"], {}, cwd);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /no ping command; using tango\.mjs info\n.*is ready \(try 1\/2\)/);
      const bad = await node(["1", "1", "device", "test/bad/1"], {}, cwd);
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /info exited with 1/);
    });

    test("bad usage exits 2", async () => {
      assert.equal((await node(["0", "1", "host", "a:1"])).code, 2);
      assert.equal((await node(["1", "1", "pod", "x"])).code, 2);
    });
  });
});
