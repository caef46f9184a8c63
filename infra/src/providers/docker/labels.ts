/**
 * Labels carried by every container and network of the docker target, and the clean-ups that rely on them.
 * Ryuk (testcontainers' reaper) cannot be pulled here, so the provider removes its resources itself: on stop(), on
 * SIGINT/SIGTERM/SIGHUP, at process exit (synchronously, through the docker CLI), and at the next start for runs whose
 * owner process died (SIGKILL). `scripts/docker-cleanup.sh` sweeps by the same labels.
 */
import { spawnSync } from "node:child_process";
import type Dockerode from "dockerode";
import { offCleanupSignals, onceOnCleanupSignals } from "../cleanup-signals.ts";

export const Label = {
  /** "true" on everything this project creates. */
  Managed: "org.tango-bdd.managed",
  /** StackSpec.runId. */
  Run: "org.tango-bdd.run",
  /** "databaseds" or "<server>/<instance>". */
  Component: "org.tango-bdd.component",
  /** pid and hostname of the process that started the run (orphan detection). */
  OwnerPid: "org.tango-bdd.owner-pid",
  OwnerHost: "org.tango-bdd.owner-host",
} as const;

export interface RemovedResources {
  readonly containers: number;
  readonly networks: number;
}

/** Force-removes every container, then every network, carrying all of `labels` (`key=value` or `key`). */
export async function removeLabelled(docker: Dockerode, labels: readonly string[]): Promise<RemovedResources> {
  const filters = JSON.stringify({ label: labels });
  const containers = await docker.listContainers({ all: true, filters });
  const removed = await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  // A network still has endpoints while a concurrent removal of its containers (e.g. stop() racing a signal) is
  // finishing: retry a few times.
  let networksRemoved = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const networks = await docker.listNetworks({ filters });
    if (networks.length === 0) break;
    if (attempt > 0) await new Promise((r) => setTimeout(r, 300));
    const results = await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
    networksRemoved += results.filter((r) => r.status === "fulfilled").length;
  }
  return { containers: removed.filter((r) => r.status === "fulfilled").length, networks: networksRemoved };
}

export function removeRun(docker: Dockerode, runId: string): Promise<RemovedResources> {
  return removeLabelled(docker, [`${Label.Run}=${runId}`]);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the runs started from this host by processes that no longer exist; returns the run ids removed. */
export async function sweepOrphans(docker: Dockerode, host: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${Label.Managed}=true`, `${Label.OwnerHost}=${host}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  const runs = new Map<string, number>();
  for (const labels of [...containers.map((c) => c.Labels), ...networks.map((n) => n.Labels ?? {})]) {
    const run = labels[Label.Run];
    const pid = Number(labels[Label.OwnerPid]);
    if (run !== undefined && Number.isInteger(pid) && pid > 0) runs.set(run, pid);
  }
  const dead = [...runs].filter(([, pid]) => !processAlive(pid)).map(([run]) => run);
  for (const run of dead) await removeRun(docker, run);
  return dead;
}

/**
 * Removes the run's resources when the process is interrupted or exits without stop(). Signals get an asynchronous
 * clean-up (bounded by `graceMs`) and are then raised again; `exit` can only run synchronous code, so it calls the
 * docker CLI.
 */
export class RunGuard {
  readonly #docker: Dockerode;
  readonly #runId: string;
  readonly #graceMs: number;
  #installed = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    // The exit handler stays until the asynchronous clean-up is over: if the process dies meanwhile (another
    // handler exits, an uncaught error such as cucumber's worker losing its IPC channel), it finishes the job.
    this.#removeSignalListeners();
    // Then the signal is raised again, unconditionally: testcontainers loads signal-exit, whose listener only acts
    // when it is alone, so "re-raise if nobody else listens" would leave the process running forever. Other handlers
    // thus see an interruption twice, the second time once this run's containers are gone.
    const done = (): void => {
      this.uninstall();
      process.kill(process.pid, signal);
    };
    Promise.race([removeRun(this.#docker, this.#runId), new Promise((r) => setTimeout(r, this.#graceMs).unref())]).then(done, done);
  };
  readonly #onExit = (): void => {
    removeRunSync(this.#runId);
  };

  constructor(docker: Dockerode, runId: string, graceMs = 10_000) {
    this.#docker = docker;
    this.#runId = runId;
    this.#graceMs = graceMs;
  }

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    onceOnCleanupSignals(this.#onSignal);
    process.on("exit", this.#onExit);
  }

  uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    this.#removeSignalListeners();
    process.off("exit", this.#onExit);
  }

  #removeSignalListeners(): void {
    offCleanupSignals(this.#onSignal);
  }
}

/** Synchronous best-effort removal through the docker CLI (for `exit` handlers). */
export function removeRunSync(runId: string): void {
  const filter = `label=${Label.Run}=${runId}`;
  const ids = (args: string[]): string[] => {
    const r = spawnSync("docker", args, { encoding: "utf8", timeout: 10_000 });
    return r.status === 0 ? r.stdout.split("\n").filter((l) => l !== "") : [];
  };
  const containers = ids(["ps", "-aq", "--filter", filter]);
  if (containers.length > 0) spawnSync("docker", ["rm", "-f", "-v", ...containers], { stdio: "ignore", timeout: 20_000 });
  const networks = ids(["network", "ls", "-q", "--filter", filter]);
  if (networks.length > 0) spawnSync("docker", ["network", "rm", ...networks], { stdio: "ignore", timeout: 10_000 });
}
