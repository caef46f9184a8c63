/**
 * One stack per cucumber worker (each parallel worker has its own isolated database + servers on its own ports),
 * started lazily by the first scenario that needs it and shared by the worker's next scenarios. A scenario that
 * failed or disturbed the stack (killed a server) makes the next scenario start a fresh one.
 * This module is the worker's entry point for infrastructure: it reads the process environment and installs the
 * Ctrl-C clean-up.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  EXAMPLES_CONFIG_PATH,
  EXAMPLES_MODULE,
  exampleStackSpec,
  InfraReason,
  InfrastructureFailure,
  LocalProvider,
  newRunId,
  ProcessRegistry,
  REPO_ROOT,
  type StartedStack,
  type TangoAdapter,
  type TangoClient,
  type TargetProvider,
} from "@tango-bdd/infra";
import { makeClient } from "./client.ts";
import type { TangoWorldParameters } from "./world.ts";

interface Current {
  readonly stack: StartedStack;
  readonly client: TangoClient;
}

let current: Current | undefined;
let starting: Promise<Current> | undefined;
let suspect = false;
let failures = 0;
let lastFailure: unknown;
const registry = new ProcessRegistry();
registry.install();

async function createProvider(target: string): Promise<TargetProvider> {
  switch (target) {
    case "local":
      return new LocalProvider({
        clientFactory: makeClient,
        registry,
        baseEnv: process.env,
        // The dsconfig goes in through the readiness client (what `tango db load` does, minus a process start).
        configLoader: (client, config) => (client as TangoAdapter).loadDsConfig(config),
      });
    case "inprocess": {
      const { InProcessProvider } = await import("@tango-bdd/infra/inprocess");
      return new InProcessProvider({ clientFactory: makeClient });
    }
    case "docker":
    case "k8s": {
      const infra = (await import("@tango-bdd/infra")) as Record<string, unknown>;
      const ctor = infra[target === "docker" ? "DockerProvider" : "K8sProvider"];
      if (typeof ctor !== "function") {
        throw new InfrastructureFailure(
          InfraReason.ProviderUnavailable,
          `the ${target} provider is not available in @tango-bdd/infra`,
          "stack-pool",
        );
      }
      return new (ctor as new (opts: Record<string, unknown>) => TargetProvider)({ clientFactory: makeClient, env: process.env });
    }
    default:
      throw new InfrastructureFailure(
        InfraReason.ProviderUnavailable,
        `unknown target ${JSON.stringify(target)} (local, inprocess, docker, k8s)`,
        "stack-pool",
      );
  }
}

async function start(params: TangoWorldParameters): Promise<Current> {
  const target = params.target ?? "local";
  const provider = await createProvider(target);
  const avail = await provider.available();
  if (!avail.ok) throw new InfrastructureFailure(InfraReason.ProviderUnavailable, `${target}: ${avail.why}`, "stack-pool");
  const worker = process.env.CUCUMBER_WORKER_ID ?? "0";
  const spec = await exampleStackSpec({
    runId: newRunId(`bdd-w${worker}`),
    configPath: params.stackConfig ? resolve(REPO_ROOT, params.stackConfig) : EXAMPLES_CONFIG_PATH,
    module: params.module ?? EXAMPLES_MODULE,
    ...(params.tabataTick === undefined ? {} : { tabataTick: params.tabataTick }),
  });
  const stack = await provider.start(spec);
  const client = await makeClient(stack.tangoHost);
  const infoDir = resolve(REPO_ROOT, params.runInfoDir ?? "reports/.run");
  await mkdir(infoDir, { recursive: true });
  await writeFile(
    join(infoDir, `${stack.runId}.json`),
    JSON.stringify(
      { ...stack.environment, target: stack.target, startup_ms: stack.startupMs.toFixed(0), tabata_tick_s: params.tabataTick ?? "1" },
      null,
      2,
    ),
  );
  return { stack, client };
}

/** The worker's stack (starting or replacing it when needed). Infrastructure failures are InfrastructureFailure. */
export async function acquireStack(params: TangoWorldParameters): Promise<Current> {
  if (current && suspect) await releaseStack();
  if (current) return current;
  if (failures >= 2) {
    throw new InfrastructureFailure(
      InfraReason.StartFailed,
      `the stack failed to start twice in this worker; last error: ${(lastFailure as Error)?.message}`,
      "stack-pool",
      {
        cause: lastFailure,
      },
    );
  }
  starting ??= start(params);
  try {
    current = await starting;
    suspect = false;
    return current;
  } catch (e) {
    failures++;
    lastFailure = e;
    throw e instanceof InfrastructureFailure
      ? e
      : new InfrastructureFailure(InfraReason.StartFailed, `could not start the stack: ${(e as Error)?.message ?? e}`, "stack-pool", {
          cause: e,
        });
  } finally {
    starting = undefined;
  }
}

/** The next scenario gets a fresh stack. */
export function markStackSuspect(): void {
  suspect = true;
}

export async function releaseStack(): Promise<void> {
  const c = current;
  current = undefined;
  if (!c) return;
  await c.client.close().catch(() => undefined);
  await c.stack.stop();
}
