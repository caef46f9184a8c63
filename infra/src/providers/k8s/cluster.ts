/**
 * Facts about the cluster read from API objects: the node address an outside test runner can reach, the nodePorts
 * already taken, names derived from the run id, and event/log formatting for the report.
 */
import type { CoreV1Event, V1Node, V1Service } from "@kubernetes/client-node";

/**
 * The address of a Ready, schedulable node: ExternalIP if `preferExternal`, else InternalIP (kind and minikube
 * nodes' InternalIP is reachable from the host running them), falling back to the other type, then the hostname.
 */
export function nodeAddressOf(nodes: readonly V1Node[], opts: { preferExternal?: boolean } = {}): string | undefined {
  const usable = nodes.filter(
    (n) => !n.spec?.unschedulable && (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
  );
  const order = opts.preferExternal ? ["ExternalIP", "InternalIP", "Hostname"] : ["InternalIP", "ExternalIP", "Hostname"];
  for (const type of order) {
    for (const n of usable) {
      const a = n.status?.addresses?.find((x) => x.type === type);
      if (a?.address) return a.address;
    }
  }
  return undefined;
}

/** Every nodePort in use by the given Services. */
export function usedNodePorts(services: readonly V1Service[]): Set<number> {
  const out = new Set<number>();
  for (const s of services) for (const p of s.spec?.ports ?? []) if (p.nodePort) out.add(p.nodePort);
  return out;
}

/** Namespace of one run: `tango-bdd-<run id>` cut to a DNS label. */
export function namespaceFor(runId: string): string {
  const slug = runId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `tango-bdd-${slug}`.slice(0, 63).replace(/-+$/, "");
}

/** Events as a table ordered by time (the report attachment "events"). */
export function formatEvents(events: readonly CoreV1Event[]): string {
  const time = (e: CoreV1Event): number => {
    const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
    return t ? new Date(t).getTime() : 0;
  };
  return [...events]
    .sort((a, b) => time(a) - time(b))
    .map((e) => {
      const t = time(e);
      const when = t > 0 ? new Date(t).toISOString() : "-";
      const obj = `${e.involvedObject?.kind ?? "?"}/${e.involvedObject?.name ?? "?"}`;
      const count = (e.count ?? 1) > 1 ? ` (x${e.count})` : "";
      return `${when} ${(e.type ?? "").padEnd(7)} ${obj.padEnd(40)} ${e.reason ?? ""}: ${(e.message ?? "").trim()}${count}`;
    })
    .join("\n");
}
