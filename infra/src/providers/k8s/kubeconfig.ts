/**
 * Which cluster the k8s target talks to: a kubeconfig (KUBECONFIG or ~/.kube/config, or an explicit file) and a
 * context (TANGO_BDD_K8S_CONTEXT, or the kubeconfig's current context). Loading never contacts the cluster; errors
 * say what is missing and how to fix it.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { InfraReason, InfrastructureFailure } from "../../errors.ts";

/** The kind of cluster, which decides how local images get into it. */
export const ClusterKind = {
  Kind: "kind",
  Minikube: "minikube",
  K3d: "k3d",
  K3s: "k3s",
  Other: "other",
} as const;
export type ClusterKind = (typeof ClusterKind)[keyof typeof ClusterKind];

export interface ClusterTarget {
  readonly kubeConfig: KubeConfig;
  readonly context: string;
  readonly server: string;
  readonly kind: ClusterKind;
  /** kind cluster name / minikube profile / k3d cluster, when the kind is known. */
  readonly clusterName: string;
  /** Where the configuration came from (for the report's environment section). */
  readonly source: string;
}

export interface KubeConfigOptions {
  /** A kubeconfig file (or several, separated like PATH); default: KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig?: string;
  /** kubeconfig YAML given inline (e.g. from @testcontainers/k3s); wins over files. */
  readonly kubeconfigYaml?: string;
  /** Context to use; default: TANGO_BDD_K8S_CONTEXT, then the current context. */
  readonly context?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const ORIGIN = "k8s.loadClusterTarget";

function unavailable(desc: string, cause?: unknown): InfrastructureFailure {
  return new InfrastructureFailure(InfraReason.ProviderUnavailable, desc, ORIGIN, cause === undefined ? {} : { cause });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Guess the cluster kind from the context name and the API server address (kubectl/kind/minikube conventions). */
export function classifyCluster(context: string, server: string): { kind: ClusterKind; clusterName: string } {
  if (context.startsWith("kind-")) return { kind: ClusterKind.Kind, clusterName: context.slice("kind-".length) };
  if (context.startsWith("k3d-")) return { kind: ClusterKind.K3d, clusterName: context.slice("k3d-".length) };
  if (context === "minikube" || /minikube/i.test(server)) return { kind: ClusterKind.Minikube, clusterName: context };
  if (context === "default" && /:6443\/?$/.test(server)) return { kind: ClusterKind.K3s, clusterName: "default" };
  return { kind: ClusterKind.Other, clusterName: context };
}

/**
 * Loads and checks the kubeconfig and picks the context. Throws InfrastructureFailure(BDD_InfraProviderUnavailable)
 * with a message naming the file, the missing context and the contexts that do exist.
 */
export function loadClusterTarget(opts: KubeConfigOptions = {}): ClusterTarget {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  let source: string;
  if (opts.kubeconfigYaml !== undefined) {
    try {
      kc.loadFromString(opts.kubeconfigYaml);
    } catch (err) {
      throw unavailable(`the inline kubeconfig does not parse: ${errorText(err)}`, err);
    }
    source = "inline kubeconfig";
  } else {
    const list = opts.kubeconfig ?? env.KUBECONFIG ?? join(env.HOME ?? homedir(), ".kube", "config");
    const files = list.split(delimiter).filter((f) => f.length > 0);
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) {
      const from =
        opts.kubeconfig !== undefined ? "the kubeconfig option" : env.KUBECONFIG !== undefined ? "KUBECONFIG" : "the default location";
      throw unavailable(
        `no kubeconfig: ${files.join(", ") || "(empty)"} (from ${from}) does not exist. ` +
          "Create a cluster (kind create cluster / minikube start) or point KUBECONFIG at its kubeconfig.",
      );
    }
    for (const file of present) {
      const one = new KubeConfig();
      try {
        one.loadFromFile(file);
      } catch (err) {
        throw unavailable(`kubeconfig ${file} is not valid: ${errorText(err)}`, err);
      }
    }
    try {
      if (present.length === 1) kc.loadFromFile(present[0] as string);
      else kc.loadFromString(mergeKubeconfigs(present));
    } catch (err) {
      throw unavailable(`kubeconfig ${present.join(delimiter)} is not valid: ${errorText(err)}`, err);
    }
    source = present.join(delimiter);
  }

  const contexts = kc.getContexts().map((c) => c.name);
  const wanted = opts.context ?? env.TANGO_BDD_K8S_CONTEXT ?? "";
  if (wanted !== "") {
    if (!contexts.includes(wanted)) {
      throw unavailable(
        `context ${JSON.stringify(wanted)} is not in ${source}; it has: ${contexts.length > 0 ? contexts.join(", ") : "no contexts"}`,
      );
    }
    kc.setCurrentContext(wanted);
  } else if (kc.getCurrentContext() === "" || !contexts.includes(kc.getCurrentContext())) {
    throw unavailable(
      `${source} has no current context; set TANGO_BDD_K8S_CONTEXT to one of: ${contexts.length > 0 ? contexts.join(", ") : "(none)"}`,
    );
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw unavailable(`context ${JSON.stringify(context)} in ${source} names a cluster without a server address`);
  }
  if (!kc.getCurrentUser()) {
    throw unavailable(`context ${JSON.stringify(context)} in ${source} names no user (credentials)`);
  }
  const { kind, clusterName } = classifyCluster(context, cluster.server);
  return { kubeConfig: kc, context, server: cluster.server, kind, clusterName, source };
}

/** Several kubeconfig files merged the way kubectl does (first definition of a name wins). */
function mergeKubeconfigs(files: readonly string[]): string {
  const merged = new KubeConfig();
  const clusters = new Map<string, ReturnType<KubeConfig["getClusters"]>[number]>();
  const users = new Map<string, ReturnType<KubeConfig["getUsers"]>[number]>();
  const contexts = new Map<string, ReturnType<KubeConfig["getContexts"]>[number]>();
  let current = "";
  for (const f of files) {
    const kc = new KubeConfig();
    kc.loadFromFile(f);
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (current === "" && kc.getCurrentContext()) current = kc.getCurrentContext();
  }
  merged.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: current,
  });
  return merged.exportConfig();
}
