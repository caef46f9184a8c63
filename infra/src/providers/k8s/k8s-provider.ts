/**
 * The k8s target: the Tango stack deployed with charts/tango-examples into a namespace of its own
 * (`tango-bdd-<run id>`, labelled with the run id) on any cluster reachable through a kubeconfig (kind, minikube,
 * k3d, a real cluster) or on a K3s container started with @testcontainers/k3s (TANGO_BDD_K8S_K3S=1, where the
 * rancher/k3s image can be pulled).
 *
 * start(): kubeconfig/context → namespace → local image loaded into the cluster (kind load / minikube image load /
 * k3d image import / ctr import in K3s) → values from the StackSpec (values.ts) → `helm upgrade --install` →
 * readiness watched through the API (a Watch on the release's pods plus the config Jobs, judged by readiness.ts;
 * hopeless states such as an image missing from the cluster fail at once) → for a runner outside the cluster,
 * every readiness device pinged from here through the published node address. collectLogs() returns every
 * container's log and the namespace's events; stop() uninstalls the release and deletes the namespace.
 *
 * runSuiteInCluster() is the other placement: the suite itself runs as the chart's test-runner Job, and its
 * results are copied out of the pod (tar over exec) before the release is removed.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import type { KubeConfig, V1Job, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "@tango-bdd/tango";
import { silentLogger } from "@tango-bdd/tango";
import { stringify } from "yaml";
import { InfraReason, InfrastructureFailure, tail } from "../../errors.ts";
import type { ServerHandle, StackSpec, StartedStack, TargetName, TargetProvider } from "../../harness.ts";
import { waitForDevices } from "../../probes/readiness.ts";
import type { TangoClient, TangoClientFactory } from "../../tango-client.ts";
import { formatEvents, namespaceFor, nodeAddressOf, usedNodePorts } from "./cluster.ts";
import {
  type Command,
  helmBinary,
  helmDependencyBuild,
  helmUninstall,
  helmUpgradeInstall,
  imageLoadCommand,
  pullPolicyFor,
  run,
} from "./helm.ts";
import { ClusterKind, type ClusterTarget, loadClusterTarget } from "./kubeconfig.ts";
import { releaseVerdict } from "./readiness.ts";
import { type AddressPlan, DATABASE_SERVICE, planAddresses, type RunnerPlacement, releaseValues, serverKey } from "./values.ts";

type ClientNode = typeof import("@kubernetes/client-node");

export const DEFAULT_RUNTIME_IMAGE = "tango-bdd/runtime:local";
export const RELEASE = "tango-bdd";
/** charts/tango-examples of this repository. */
export const EXAMPLES_CHART_DIR = new URL("../../../../charts/tango-examples", import.meta.url).pathname;

export interface K8sProviderOptions {
  /** Tango client used to ping the readiness devices from the runner (outside placement). */
  readonly clientFactory?: TangoClientFactory;
  /** Process environment (KUBECONFIG, TANGO_BDD_K8S_*); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly chartDir?: string;
  readonly image?: string;
  /** "auto" (default): load the image when the cluster kind has a loader; "never": the cluster pulls it. */
  readonly loadImage?: "auto" | "never";
  /** Node address published to the runner (default TANGO_BDD_K8S_NODE_ADDRESS, else a Ready node's InternalIP). */
  readonly nodeAddress?: string;
  readonly nodePortBase?: number;
  /** Leave the namespace in place after stop() (TANGO_BDD_K8S_KEEP=1), for debugging. */
  readonly keep?: boolean;
  /** Start a K3s container with @testcontainers/k3s instead of using a kubeconfig (TANGO_BDD_K8S_K3S=1). */
  readonly k3s?: boolean;
  readonly startTimeoutMs?: number;
  readonly persistence?: boolean;
  readonly logger?: Logger;
}

/** Options of the provider as read from the environment (documented in docs/kubernetes.md). */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<K8sProviderOptions> {
  const base = env.TANGO_BDD_K8S_NODEPORT_BASE;
  const worker = Number(env.CUCUMBER_WORKER_ID ?? "0");
  return {
    ...(env.TANGO_BDD_K8S_CONTEXT ? { context: env.TANGO_BDD_K8S_CONTEXT } : {}),
    ...(env.TANGO_BDD_K8S_NODE_ADDRESS ? { nodeAddress: env.TANGO_BDD_K8S_NODE_ADDRESS } : {}),
    ...(env.TANGO_BDD_K8S_IMAGE ? { image: env.TANGO_BDD_K8S_IMAGE } : {}),
    ...(env.TANGO_BDD_K8S_LOAD_IMAGE === "never" ? { loadImage: "never" as const } : {}),
    // parallel workers get disjoint nodePort ranges (100 ports each)
    nodePortBase: base ? Number(base) : 30000 + (Number.isInteger(worker) && worker >= 0 ? (worker % 27) * 100 : 0),
    keep: env.TANGO_BDD_K8S_KEEP === "1",
    k3s: env.TANGO_BDD_K8S_K3S === "1",
    ...(env.TANGO_BDD_K8S_TIMEOUT_S ? { startTimeoutMs: Number(env.TANGO_BDD_K8S_TIMEOUT_S) * 1000 } : {}),
  };
}

/** `repo:tag` → helm image values. */
export function imageValues(image: string): { registry: string; repository: string; tag: string } {
  const at = image.lastIndexOf(":");
  const slash = image.lastIndexOf("/");
  const [name, tag] = at > slash ? [image.slice(0, at), image.slice(at + 1)] : [image, "latest"];
  const first = name.split("/")[0] ?? "";
  const hasRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return hasRegistry ? { registry: first, repository: name.slice(first.length + 1), tag } : { registry: "", repository: name, tag };
}

/** Pods the release must have Ready: the database and one per server instance (`<sts>-0`). */
export function expectedPods(spec: StackSpec): string[] {
  return [`${DATABASE_SERVICE}-0`, ...spec.servers.map((s) => `${serverKey(s.server)}-${s.instance}-0`)];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Apis {
  readonly k8s: ClientNode;
  readonly kc: KubeConfig;
  readonly core: InstanceType<ClientNode["CoreV1Api"]>;
  readonly apps: InstanceType<ClientNode["AppsV1Api"]>;
  readonly batch: InstanceType<ClientNode["BatchV1Api"]>;
}

async function apisFor(target: ClusterTarget): Promise<Apis> {
  const k8s = await import("@kubernetes/client-node");
  const kc = target.kubeConfig;
  return { k8s, kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), batch: kc.makeApiClient(k8s.BatchV1Api) };
}

/** A K3s cluster in a container (only where rancher/k3s can be pulled). */
interface K3sCluster {
  readonly kubeconfigYaml: string;
  loadImage(image: string): Promise<void>;
  stop(): Promise<void>;
}

async function startK3s(logger: Logger): Promise<K3sCluster> {
  const moduleName = "@testcontainers/k3s";
  let mod: { K3sContainer: new (image: string) => { start(): Promise<unknown> } };
  try {
    mod = (await import(moduleName)) as typeof mod;
  } catch (err) {
    throw new InfrastructureFailure(
      InfraReason.ProviderUnavailable,
      `TANGO_BDD_K8S_K3S=1 needs @testcontainers/k3s (npm install -D @testcontainers/k3s@11.14.0): ${errorText(err)}`,
      "k8s.startK3s",
      { cause: err },
    );
  }
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const container = (await new mod.K3sContainer("rancher/k3s:v1.32.4-k3s1").start()) as {
    getKubeConfig(): string;
    copyFilesToContainer(files: { source: string; target: string }[]): Promise<void>;
    exec(cmd: string[]): Promise<{ exitCode: number; output: string }>;
    stop(): Promise<unknown>;
  };
  logger.info("started a K3s container");
  return {
    kubeconfigYaml: container.getKubeConfig(),
    async loadImage(image) {
      const dir = await mkdtemp(join(tmpdir(), "tango-bdd-k3s-"));
      try {
        await run({ file: "docker", args: ["save", "-o", join(dir, "image.tar"), image] });
        await container.copyFilesToContainer([{ source: join(dir, "image.tar"), target: "/tmp/image.tar" }]);
        const r = await container.exec(["ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar"]);
        if (r.exitCode !== 0)
          throw new InfrastructureFailure(InfraReason.StartFailed, `ctr images import failed: ${tail(r.output)}`, "k8s.k3s");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async stop() {
      await container.stop();
    },
  };
}

export class K8sProvider implements TargetProvider {
  readonly name: TargetName = "k8s";
  readonly #opts: K8sProviderOptions;

  constructor(opts: K8sProviderOptions = {}) {
    const env = opts.env ?? process.env;
    this.#opts = { ...optionsFromEnv(env), ...opts, env };
  }

  get options(): K8sProviderOptions {
    return this.#opts;
  }

  async available(): Promise<{ ok: true } | { ok: false; why: string }> {
    try {
      await run({ file: helmBinary(this.#opts.env), args: ["version", "--short"] }, { timeoutMs: 15_000 });
    } catch (err) {
      return { ok: false, why: errorText(err) };
    }
    if (this.#opts.k3s) return { ok: true };
    try {
      const target = this.#target();
      const { k8s, kc } = await apisFor(target);
      await withTimeout(kc.makeApiClient(k8s.VersionApi).getCode(), 10_000, `the API server ${target.server} did not answer within 10 s`);
      return { ok: true };
    } catch (err) {
      return { ok: false, why: errorText(err) };
    }
  }

  #target(kubeconfigYaml?: string): ClusterTarget {
    const o = this.#opts;
    return loadClusterTarget({
      ...(kubeconfigYaml !== undefined ? { kubeconfigYaml } : {}),
      ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
      ...(o.context !== undefined && kubeconfigYaml === undefined ? { context: o.context } : {}),
      env: o.env ?? process.env,
    });
  }

  async start(spec: StackSpec, opts: { signal?: AbortSignal } = {}): Promise<StartedStack> {
    return (await this.#deploy(spec, "outside", opts)).stack;
  }

  /** Deploys `spec` and runs `command` as the in-cluster test-runner Job; copies /results into `resultsDir`. */
  async runSuiteInCluster(
    spec: StackSpec,
    runner: { command: readonly string[]; resultsDir: string; env?: Readonly<Record<string, string>>; timeoutMs?: number },
  ): Promise<{ exitCode: number; logs: Record<string, string> }> {
    const { stack, ctx } = await this.#deploy(spec, "in-cluster", {}, runner);
    try {
      const exitCode = await ctx.collectRunnerResults(runner.resultsDir, runner.timeoutMs ?? 3_600_000);
      return { exitCode, logs: await stack.collectLogs() };
    } finally {
      await stack.stop();
    }
  }

  async #deploy(
    spec: StackSpec,
    placement: RunnerPlacement,
    opts: { signal?: AbortSignal },
    runner?: { command: readonly string[]; env?: Readonly<Record<string, string>> },
  ): Promise<{ stack: K8sStack; ctx: K8sStack }> {
    const t0 = performance.now();
    const o = this.#opts;
    const logger = o.logger ?? silentLogger;
    const helm = helmBinary(o.env);
    const k3s = o.k3s ? await startK3s(logger) : undefined;
    const workDir = await mkdtemp(join(tmpdir(), "tango-bdd-k8s-"));
    let stack: K8sStack | undefined;
    try {
      const target = this.#target(k3s?.kubeconfigYaml);
      const apis = await apisFor(target);
      let kubeconfigFile: string | undefined;
      if (k3s) {
        kubeconfigFile = join(workDir, "kubeconfig");
        await writeFile(kubeconfigFile, k3s.kubeconfigYaml, { mode: 0o600 });
      } else if (!target.source.includes(":")) kubeconfigFile = target.source;
      const namespace = namespaceFor(spec.runId);
      stack = new K8sStack({ spec, target, apis, namespace, helm, logger, workDir, k3s, keep: o.keep ?? false, kubeconfigFile, t0 });

      await apis.core.createNamespace({
        body: { metadata: { name: namespace, labels: { "tango-bdd/run-id": spec.runId, "app.kubernetes.io/part-of": "tango-bdd" } } },
      });

      // the image
      const image = o.image ?? DEFAULT_RUNTIME_IMAGE;
      let loaded = false;
      if ((o.loadImage ?? "auto") === "auto") {
        if (k3s) {
          await k3s.loadImage(image);
          loaded = true;
        } else {
          const cmd = imageLoadCommand(target.kind, image, target.clusterName);
          if (cmd) {
            await run(cmd, { timeoutMs: 600_000, ...(opts.signal ? { signal: opts.signal } : {}) });
            loaded = true;
          }
        }
      }
      const kind = k3s ? ClusterKind.K3s : target.kind;

      // addresses
      let plan: AddressPlan;
      if (placement === "outside") {
        const nodeAddress = o.nodeAddress ?? nodeAddressOf((await apis.core.listNode()).items);
        const used = await apis.core
          .listServiceForAllNamespaces()
          .then((l) => usedNodePorts(l.items))
          .catch(() => new Set<number>());
        plan = planAddresses(spec.servers, "outside", {
          ...(nodeAddress ? { nodeAddress } : {}),
          ...(o.nodePortBase ? { base: o.nodePortBase } : {}),
          used,
        });
      } else plan = planAddresses(spec.servers, "in-cluster");
      stack.plan = plan;

      const values = releaseValues(spec, plan, {
        image: { ...imageValues(image), pullPolicy: pullPolicyFor(kind, loaded) },
        persistence: o.persistence ?? false,
        ...(runner ? { testRunner: { command: runner.command, ...(runner.env ? { env: runner.env } : {}) } } : {}),
      });
      const valuesFile = join(workDir, "values.yaml");
      await writeFile(valuesFile, stringify(values));
      const chartDir = o.chartDir ?? EXAMPLES_CHART_DIR;
      await run(helmDependencyBuild(helm, chartDir));
      const install: Command = helmUpgradeInstall(helm, {
        release: RELEASE,
        chartDir,
        namespace,
        valuesFiles: [valuesFile],
        ...(kubeconfigFile ? { kubeconfig: kubeconfigFile } : {}),
        context: target.context,
      });
      stack.installed = true;
      await run(install, opts.signal ? { signal: opts.signal } : {});

      await stack.waitReady(expectedPods(spec), spec.startTimeoutMs ?? o.startTimeoutMs ?? 300_000, opts.signal);
      if (placement === "outside" && o.clientFactory) {
        const client = await o.clientFactory(plan.runnerTangoHost);
        try {
          const devices = spec.servers.flatMap((s) => s.readinessDevices ?? []);
          await waitForDevices(client, devices, {
            timeoutMs: 60_000,
            origin: "k8s.readiness",
            pingTimeoutMs: 3000,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
        } catch (err) {
          throw new InfrastructureFailure(
            InfraReason.StartTimeout,
            `the pods are Ready but ${plan.runnerTangoHost} does not reach the devices from here: is ${plan.publishHost} routable from this machine (kind on macOS needs extraPortMappings; set TANGO_BDD_K8S_NODE_ADDRESS)? ${errorText(err)}`,
            "k8s.start",
            { cause: err },
          );
        } finally {
          await closeClient(client);
        }
      }
      stack.startupMs = performance.now() - t0;
      return { stack, ctx: stack };
    } catch (err) {
      const logs = stack ? await stack.collectLogs().catch(() => ({}) as Record<string, string>) : {};
      await (stack ? stack.stop() : k3s?.stop())?.catch(() => undefined);
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof InfrastructureFailure) throw err;
      throw new InfrastructureFailure(InfraReason.StartFailed, `k8s: ${errorText(err)}`, "k8s.start", {
        cause: err,
        logTail: tail(logs.events ?? "", 30),
      });
    }
  }
}

async function closeClient(client: TangoClient): Promise<void> {
  await client.close().catch(() => undefined);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InfrastructureFailure(InfraReason.ProviderUnavailable, what, "k8s")), ms);
    }),
  ]);
}

interface StackInit {
  readonly spec: StackSpec;
  readonly target: ClusterTarget;
  readonly apis: Apis;
  readonly namespace: string;
  readonly helm: string;
  readonly logger: Logger;
  readonly workDir: string;
  readonly k3s: K3sCluster | undefined;
  readonly keep: boolean;
  readonly kubeconfigFile: string | undefined;
  readonly t0: number;
}

class K8sStack implements StartedStack {
  readonly target: TargetName = "k8s";
  readonly runId: string;
  readonly servers: Map<string, ServerHandle>;
  startupMs = 0;
  plan: AddressPlan | undefined;
  installed = false;
  readonly #i: StackInit;
  #stopped: Promise<void> | undefined;

  constructor(init: StackInit) {
    this.#i = init;
    this.runId = init.spec.runId;
    this.servers = new Map(
      init.spec.servers.map((s) => {
        const sts = `${serverKey(s.server)}-${s.instance}`;
        return [`${s.server}/${s.instance}`, this.#serverHandle(`${s.server}/${s.instance}`, sts)] as const;
      }),
    );
  }

  get tangoHost(): string {
    return this.plan?.runnerTangoHost ?? `${DATABASE_SERVICE}:10000`;
  }

  get environment(): Readonly<Record<string, string>> {
    const t = this.#i.target;
    return {
      k8s_context: t.context,
      k8s_server: t.server,
      k8s_cluster_kind: this.#i.k3s ? "k3s (testcontainers)" : t.kind,
      k8s_namespace: this.#i.namespace,
      k8s_exposure: this.plan?.mode ?? "?",
      tango_host: this.tangoHost,
    };
  }

  #serverHandle(id: string, sts: string): ServerHandle {
    const { apis, namespace } = this.#i;
    const scale = (replicas: number) =>
      apis.apps.patchNamespacedStatefulSetScale(
        { name: sts, namespace, body: { spec: { replicas } } },
        apis.k8s.setHeaderOptions("Content-Type", apis.k8s.PatchStrategy.MergePatch),
      );
    return {
      id,
      kill: async () => {
        await scale(0);
        await apis.core.deleteNamespacedPod({ name: `${sts}-0`, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
      },
      restart: async (o = {}) => {
        await scale(1);
        await this.waitReady([`${sts}-0`], o.timeoutMs ?? 120_000);
      },
      logs: async () => {
        const all = await this.#podLogs(`${sts}-0`);
        return Object.entries(all)
          .map(([c, text]) => `--- ${c}\n${text}`)
          .join("\n");
      },
    };
  }

  /** Watches the release's pods (and polls its Jobs) until the expected pods are Ready. */
  async waitReady(expected: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const { apis, namespace } = this.#i;
    const pods = new Map<string, V1Pod>();
    let jobs: V1Job[] = [];
    let last = "";
    const initial = await apis.core.listNamespacedPod({ namespace });
    for (const p of initial.items) pods.set(p.metadata?.name ?? "", p);
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      let watchAbort: AbortController | undefined;
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        clearInterval(poll);
        signal?.removeEventListener("abort", onAbort);
        watchAbort?.abort();
        if (err === undefined) resolve();
        else reject(err);
      };
      const evaluate = (): void => {
        const v = releaseVerdict(expected, [...pods.values()], jobs);
        if (v.state === "ready") finish();
        else if (v.state === "failed") {
          finish(new InfrastructureFailure(InfraReason.ComponentDied, `${v.reason}${v.hint ? ` — ${v.hint}` : ""}`, "k8s.waitReady"));
        } else if (v.summary !== last) {
          last = v.summary;
          this.#i.logger.info("waiting for pods", { summary: v.summary });
        }
      };
      const timer = setTimeout(
        () =>
          finish(new InfrastructureFailure(InfraReason.StartTimeout, `pods not Ready within ${timeoutMs} ms:\n${last}`, "k8s.waitReady")),
        timeoutMs,
      );
      const poll = setInterval(() => {
        Promise.all([apis.batch.listNamespacedJob({ namespace }), apis.core.listNamespacedPod({ namespace })])
          .then(([j, p]) => {
            jobs = j.items;
            for (const pod of p.items) pods.set(pod.metadata?.name ?? "", pod);
            evaluate();
          })
          .catch((e: unknown) => this.#i.logger.warn("listing pods/jobs failed", { error: errorText(e) }));
      }, 3000);
      const onAbort = (): void => finish(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      const watch = new apis.k8s.Watch(apis.kc);
      watch
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { resourceVersion: initial.metadata?.resourceVersion },
          (phase: string, obj: V1Pod) => {
            const name = obj.metadata?.name ?? "";
            if (phase === "DELETED") pods.delete(name);
            else pods.set(name, obj);
            evaluate();
          },
          () => undefined, // the poll keeps going if the watch ends
        )
        .then((ac) => {
          watchAbort = ac;
          if (finished) ac.abort();
        })
        .catch((e: unknown) => this.#i.logger.warn("pod watch failed; polling only", { error: errorText(e) }));
      evaluate();
    });
  }

  async #podLogs(pod: string): Promise<Record<string, string>> {
    const { apis, namespace } = this.#i;
    const out: Record<string, string> = {};
    const p = await apis.core.readNamespacedPod({ name: pod, namespace }).catch(() => undefined);
    if (!p) return out;
    const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
    for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
      const status = statuses.find((s) => s.name === c.name);
      if (!status || status.state?.waiting?.reason === "PodInitializing") continue;
      out[c.name] = await apis.core
        .readNamespacedPodLog({ name: pod, namespace, container: c.name, tailLines: 5000 })
        .catch((e: unknown) => `(no log: ${errorText(e)})`);
      if ((status.restartCount ?? 0) > 0) {
        out[`${c.name} (previous)`] = await apis.core
          .readNamespacedPodLog({ name: pod, namespace, container: c.name, previous: true, tailLines: 2000 })
          .catch((e: unknown) => `(no log: ${errorText(e)})`);
      }
    }
    return out;
  }

  async collectLogs(): Promise<Record<string, string>> {
    const { apis, namespace } = this.#i;
    const out: Record<string, string> = {};
    const pods = await apis.core.listNamespacedPod({ namespace }).catch(() => undefined);
    for (const p of pods?.items ?? []) {
      const name = p.metadata?.name ?? "?";
      for (const [container, text] of Object.entries(await this.#podLogs(name))) out[`${name}/${container}`] = text;
    }
    const events = await apis.core.listNamespacedEvent({ namespace }).catch(() => undefined);
    out.events = events ? formatEvents(events.items) : "(events unavailable)";
    return out;
  }

  /** In-cluster runner: wait for /results/exit-code, copy /results out (tar over exec), release the pod. */
  async collectRunnerResults(resultsDir: string, timeoutMs: number): Promise<number> {
    const { apis, namespace } = this.#i;
    const deadline = performance.now() + timeoutMs;
    const exec = new apis.k8s.Exec(apis.kc);
    const runIn = async (pod: string, command: string[], stdout: Writable): Promise<number> =>
      new Promise((resolve, reject) => {
        exec
          .exec(namespace, pod, "runner", command, stdout, null, null, false, (status) => {
            resolve(status.status === "Success" ? 0 : 1);
          })
          .then((ws) => ws.on("close", () => resolve(0)))
          .catch(reject);
      });
    for (;;) {
      if (performance.now() > deadline)
        throw new InfrastructureFailure(InfraReason.StartTimeout, "the in-cluster test runner did not finish", "k8s.runner");
      const pods = await apis.core.listNamespacedPod({ namespace, labelSelector: "app.kubernetes.io/component=test-runner" });
      const pod = pods.items[0];
      const phase = pod?.status?.phase;
      if (pod && phase === "Running") {
        let code = "";
        const sink = new Writable({
          write(chunk, _enc, cb) {
            code += String(chunk);
            cb();
          },
        });
        await runIn(pod.metadata?.name ?? "", ["cat", "/results/exit-code"], sink).catch(() => 1);
        if (/^\d+\s*$/.test(code)) {
          const tar = spawn("tar", ["x", "-C", resultsDir], { stdio: ["pipe", "inherit", "inherit"] });
          const pipe = new PassThrough();
          pipe.pipe(tar.stdin);
          await runIn(pod.metadata?.name ?? "", ["tar", "c", "-C", "/results", "."], pipe);
          pipe.end();
          await new Promise((r) => tar.on("exit", r));
          await runIn(pod.metadata?.name ?? "", ["touch", "/results/collected"], new PassThrough()).catch(() => 1);
          return Number(code.trim());
        }
      } else if (phase === "Failed" || phase === "Succeeded") {
        throw new InfrastructureFailure(
          InfraReason.ComponentDied,
          `the test runner pod ended (${phase}) before its results were collected`,
          "k8s.runner",
        );
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#doStop();
    return this.#stopped;
  }

  async #doStop(): Promise<void> {
    const i = this.#i;
    try {
      if (i.keep) {
        i.logger.info("keeping the namespace (TANGO_BDD_K8S_KEEP=1)", { namespace: i.namespace });
        return;
      }
      if (this.installed) {
        await run(
          helmUninstall(i.helm, {
            release: RELEASE,
            namespace: i.namespace,
            ...(i.kubeconfigFile ? { kubeconfig: i.kubeconfigFile } : {}),
            context: i.target.context,
          }),
        ).catch((e: unknown) => i.logger.warn("helm uninstall failed", { error: errorText(e) }));
      }
      await i.apis.core
        .deleteNamespace({ name: i.namespace })
        .catch((e: unknown) => i.logger.warn("namespace deletion failed", { error: errorText(e) }));
    } finally {
      await i.k3s?.stop().catch(() => undefined);
      await rm(i.workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
