/**
 * Command lines of the k8s target: helm (dependency build, upgrade --install, uninstall) and getting local images
 * into the cluster (kind load / minikube image load / k3d image import / k3s ctr import). Builders are pure; `run`
 * executes one and turns a failure into an InfrastructureFailure carrying its output.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { InfraReason, InfrastructureFailure, tail } from "../../errors.ts";
import { ClusterKind } from "./kubeconfig.ts";

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

export interface HelmTarget {
  readonly kubeconfig?: string;
  readonly context?: string;
}

function targetArgs(t: HelmTarget): string[] {
  return [...(t.kubeconfig ? ["--kubeconfig", t.kubeconfig] : []), ...(t.context ? ["--kube-context", t.context] : [])];
}

/** helm: HELM, then $HOME/go/bin/helm (scripts/helm-install.sh), then PATH. */
export function helmBinary(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.HELM) return env.HELM;
  const built = join(env.HOME ?? homedir(), "go", "bin", "helm");
  return existsSync(built) ? built : "helm";
}

export function helmDependencyBuild(helm: string, chartDir: string): Command {
  return { file: helm, args: ["dependency", "build", chartDir] };
}

export interface UpgradeInstall extends HelmTarget {
  readonly release: string;
  readonly chartDir: string;
  readonly namespace: string;
  readonly valuesFiles: readonly string[];
  /** helm's own timeout for the install (readiness is watched separately). */
  readonly timeoutSeconds?: number;
}

/**
 * `helm upgrade --install` without --wait: readiness is watched through the Kubernetes API (device-server pods
 * wait for their config Job and dependencies, which helm's --wait would not explain when it times out).
 */
export function helmUpgradeInstall(helm: string, o: UpgradeInstall): Command {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.release) || o.release.length > 53) {
    throw new TypeError(`helm release name ${JSON.stringify(o.release)} must be a DNS label of at most 53 characters`);
  }
  return {
    file: helm,
    args: [
      "upgrade",
      "--install",
      o.release,
      o.chartDir,
      "--namespace",
      o.namespace,
      ...o.valuesFiles.flatMap((f) => ["--values", f]),
      "--timeout",
      `${o.timeoutSeconds ?? 300}s`,
      ...targetArgs(o),
    ],
  };
}

export function helmUninstall(helm: string, o: HelmTarget & { release: string; namespace: string }): Command {
  return {
    file: helm,
    args: ["uninstall", o.release, "--namespace", o.namespace, "--wait", "--timeout", "120s", "--ignore-not-found", ...targetArgs(o)],
  };
}

/**
 * How to put a local image into the cluster's container runtime. `undefined` when the cluster must pull it from
 * a registry (kind "other": push the image and set global.image.registry).
 */
export function imageLoadCommand(kind: ClusterKind, image: string, clusterName: string): Command | undefined {
  switch (kind) {
    case ClusterKind.Kind:
      return { file: "kind", args: ["load", "docker-image", image, "--name", clusterName] };
    case ClusterKind.Minikube:
      return { file: "minikube", args: ["image", "load", image, "--profile", clusterName] };
    case ClusterKind.K3d:
      return { file: "k3d", args: ["image", "import", image, "--cluster", clusterName] };
    default:
      return undefined;
  }
}

/** Image pull policy that matches how the image reaches the nodes. */
export function pullPolicyFor(kind: ClusterKind, loaded: boolean): "Never" | "IfNotPresent" {
  return loaded && kind !== ClusterKind.Other ? "Never" : "IfNotPresent";
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Runs a command; resolves with stdout, or throws InfrastructureFailure(BDD_InfraStartFailed) with the output's tail. */
export function run(cmd: Command, opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd.file,
      [...cmd.args],
      {
        timeout: opts.timeoutMs ?? 600_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(opts.signal ? { signal: opts.signal } : {}),
        env: { ...process.env, ...opts.env },
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new InfrastructureFailure(
            missing ? InfraReason.ProviderUnavailable : InfraReason.StartFailed,
            missing
              ? `${cmd.file} is not installed${cmd.file.endsWith("helm") ? " (run scripts/helm-install.sh)" : ""}`
              : `${cmd.file} ${cmd.args.slice(0, 3).join(" ")} failed: ${tail(`${stderr}\n${stdout}`, 10)}`,
            "k8s.run",
            { cause: err, logTail: tail(`${stdout}\n${stderr}`, 40) },
          ),
        );
      },
    );
  });
}
