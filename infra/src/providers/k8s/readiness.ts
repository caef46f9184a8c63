/**
 * Readiness of a release, judged from the objects the Kubernetes API returns (V1Pod, V1Job): ready, still
 * progressing (with a human-readable step such as "Init:1/3 check-dependencies-0"), or failed for good (image
 * not in the cluster, bad config, crash loop, config Job failed) so that the provider stops waiting at once and
 * says why.
 */
import type { V1ContainerStatus, V1Job, V1Pod } from "@kubernetes/client-node";

export type PodVerdict =
  | { readonly state: "ready"; readonly pod: string }
  | { readonly state: "waiting"; readonly pod: string; readonly step: string }
  | { readonly state: "failed"; readonly pod: string; readonly reason: string; readonly hint?: string };

/** Waiting reasons that never fix themselves. */
const FATAL_WAITING: Readonly<Record<string, string>> = {
  ErrImageNeverPull: "the image is not in the cluster: load it (kind load docker-image / minikube image load) or use a registry",
  ErrImagePull: "the image cannot be pulled: load it into the cluster or fix global.image",
  ImagePullBackOff: "the image cannot be pulled: load it into the cluster or fix global.image",
  InvalidImageName: "global.image gives an invalid image reference",
  CreateContainerConfigError: "the container configuration is invalid (missing ConfigMap/Secret key?)",
  CreateContainerError: "the container cannot be created",
  RunContainerError: "the container cannot be started",
};

/** Restarts after which a crash-looping container counts as failed rather than slow. */
export const CRASH_LOOP_RESTARTS = 3;

function describeStatus(s: V1ContainerStatus): string | undefined {
  if (s.state?.waiting)
    return `${s.name}: ${s.state.waiting.reason ?? "waiting"}${s.state.waiting.message ? ` (${s.state.waiting.message})` : ""}`;
  if (s.state?.terminated) return `${s.name}: terminated ${s.state.terminated.reason ?? ""} exit ${s.state.terminated.exitCode}`;
  return undefined;
}

function fatalOf(s: V1ContainerStatus): { reason: string; hint?: string } | undefined {
  const waiting = s.state?.waiting?.reason;
  if (waiting !== undefined && waiting in FATAL_WAITING) {
    return { reason: describeStatus(s) ?? waiting, hint: FATAL_WAITING[waiting] as string };
  }
  if (waiting === "CrashLoopBackOff" && s.restartCount >= CRASH_LOOP_RESTARTS) {
    const last = s.lastState?.terminated;
    return {
      reason: `${s.name}: CrashLoopBackOff after ${s.restartCount} restarts${last ? ` (last exit ${last.exitCode}${last.reason ? ` ${last.reason}` : ""})` : ""}`,
      hint: "see the pod's log in the report",
    };
  }
  return undefined;
}

/** One pod's verdict. */
export function podVerdict(pod: V1Pod): PodVerdict {
  const name = pod.metadata?.name ?? "?";
  const status = pod.status;
  if (pod.metadata?.deletionTimestamp) return { state: "waiting", pod: name, step: "terminating" };
  if (!status) return { state: "waiting", pod: name, step: "no status yet" };
  if (status.phase === "Failed") {
    return {
      state: "failed",
      pod: name,
      reason: `pod failed${status.reason ? `: ${status.reason}` : ""}${status.message ? ` (${status.message})` : ""}`,
    };
  }
  const inits = status.initContainerStatuses ?? [];
  for (const s of [...inits, ...(status.containerStatuses ?? [])]) {
    const fatal = fatalOf(s);
    if (fatal) return { state: "failed", pod: name, ...fatal };
  }
  const scheduled = status.conditions?.find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") {
    return { state: "waiting", pod: name, step: `unschedulable: ${scheduled.reason ?? ""} ${scheduled.message ?? ""}`.trim() };
  }
  const ready = status.conditions?.find((c) => c.type === "Ready");
  if (ready?.status === "True") return { state: "ready", pod: name };
  const specInits = pod.spec?.initContainers ?? [];
  const doneInits = inits.filter((s) => s.state?.terminated?.exitCode === 0).length;
  if (specInits.length > 0 && doneInits < specInits.length) {
    const current = inits.find((s) => !(s.state?.terminated?.exitCode === 0));
    const detail = current ? describeStatus(current) : undefined;
    return {
      state: "waiting",
      pod: name,
      step: `Init:${doneInits}/${specInits.length} ${current?.name ?? specInits[doneInits]?.name ?? ""}${detail && current?.state?.waiting ? ` (${detail})` : ""}`.trim(),
    };
  }
  const notReady = (status.containerStatuses ?? [])
    .filter((s) => !s.ready)
    .map((s) => describeStatus(s) ?? `${s.name}: running, not ready (readiness probe)`);
  return { state: "waiting", pod: name, step: notReady.length > 0 ? notReady.join("; ") : (status.phase ?? "Pending") };
}

export type JobVerdict = { readonly state: "succeeded" | "running" } | { readonly state: "failed"; readonly reason: string };

export function jobVerdict(job: V1Job): JobVerdict {
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === "Failed" && c.status === "True");
  if (failed)
    return { state: "failed", reason: `job ${job.metadata?.name ?? "?"} failed: ${failed.reason ?? ""} ${failed.message ?? ""}`.trim() };
  if (conditions.some((c) => c.type === "Complete" && c.status === "True") || (job.status?.succeeded ?? 0) >= 1)
    return { state: "succeeded" };
  return { state: "running" };
}

export type ReleaseVerdict =
  | { readonly state: "ready" }
  | { readonly state: "waiting"; readonly summary: string }
  | { readonly state: "failed"; readonly reason: string; readonly hint?: string };

/**
 * The release is ready when every expected StatefulSet pod (by name, `<sts>-0`) is Ready. A failed pod or Job fails
 * it; otherwise it is waiting, with a summary of what each pod is doing.
 */
export function releaseVerdict(expectedPods: readonly string[], pods: readonly V1Pod[], jobs: readonly V1Job[] = []): ReleaseVerdict {
  for (const j of jobs) {
    const v = jobVerdict(j);
    if (v.state === "failed")
      return { state: "failed", reason: v.reason, hint: "the configuration could not be loaded into the database; see the Job's log" };
  }
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? "", p] as const));
  const waiting: string[] = [];
  for (const name of expectedPods) {
    const pod = byName.get(name);
    if (!pod) {
      waiting.push(`${name}: not created yet`);
      continue;
    }
    const v = podVerdict(pod);
    if (v.state === "failed") return { state: "failed", reason: `${name}: ${v.reason}`, ...(v.hint ? { hint: v.hint } : {}) };
    if (v.state === "waiting") waiting.push(`${name}: ${v.step}`);
  }
  return waiting.length === 0 ? { state: "ready" } : { state: "waiting", summary: waiting.join("\n") };
}
