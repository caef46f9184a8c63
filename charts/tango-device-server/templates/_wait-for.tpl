{{/*
wait-for.mjs: used by init containers (mounted from the server's ConfigMap).
  node wait-for.mjs <tries> <sleepSeconds> device <tango/device/name>   (tango.mjs ping, through TANGO_HOST;
                                                                         also the readiness probe, with tries=1)
  node wait-for.mjs <tries> <sleepSeconds> host <host>:<port>           (TCP connect)
  node wait-for.mjs <tries> <sleepSeconds> job <job-name>               (Kubernetes API, in-cluster service account)
Exit 0 when ready, 1 when the tries are used up or the Job failed, 2 on bad usage.
Kept dependency-free (node: built-ins only) so it runs in the runtime image as it is.
*/}}
{{- define "tango-ds.wait-for-script" -}}
// Rendered by the tango-device-server chart. Waits for a dependency of a Tango device server.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:net";

const [triesArg, sleepArg, kind, target] = process.argv.slice(2);
const tries = Number(triesArg);
const sleepMs = Number(sleepArg) * 1000;
if (!Number.isInteger(tries) || tries < 1 || !(sleepMs > 0) || !kind || !target) {
  console.error("usage: wait-for.mjs <tries> <sleepSeconds> device|host|job <target>");
  process.exit(2);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `tango.mjs ping <device>`; a CLI without `ping` (exit 2, "unknown command") falls back to `tango.mjs info`,
// which also connects to the device through the database and its published address.
let verb = "ping";
function tango(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["devices/tango/bin/tango.mjs", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
    child.on("error", (e) => { clearTimeout(timer); resolve({ code: -1, stderr: `cannot run tango.mjs: ${e.message}` }); });
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stderr }); });
  });
}
async function pingDevice(device) {
  let r = await tango([verb, device]);
  if (verb === "ping" && r.code === 2 && r.stderr.includes('unknown command "ping"')) {
    console.log("wait-for: this tango.mjs has no ping command; using tango.mjs info");
    verb = "info";
    r = await tango([verb, device]);
  }
  if (r.code === 0) return true;
  return `${verb} exited with ${r.code}: ${r.stderr.trim().split("\n").slice(0, 4).join(" | ")}`;
}

function tcpConnect(hostPort) {
  const i = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) return Promise.resolve("fatal: expected <host>:<port>");
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 5000 });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("timeout", () => { s.destroy(); resolve("connect timed out"); });
    s.once("error", (e) => resolve(e.code ?? e.message));
  });
}

function jobStatus(name) {
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  let token;
  let ca;
  let ns;
  try {
    token = readFileSync(`${sa}/token`, "utf8").trim();
    ca = readFileSync(`${sa}/ca.crt`);
    ns = readFileSync(`${sa}/namespace`, "utf8").trim();
  } catch (e) {
    return Promise.resolve(`fatal: no in-cluster service account (${e.code ?? e.message}); is automountServiceAccountToken off?`);
  }
  if (!host) return Promise.resolve("fatal: KUBERNETES_SERVICE_HOST is not set (not running in a pod)");
  const path = `/apis/batch/v1/namespaces/${ns}/jobs/${encodeURIComponent(name)}`;
  return new Promise((resolve) => {
    const req = request({ host, port, path, ca, headers: { Authorization: `Bearer ${token}` }, timeout: 10000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { body += c; });
      res.on("end", () => {
        if (res.statusCode === 404) return resolve(`job ${name} not found yet`);
        if (res.statusCode !== 200) return resolve(`${res.statusCode === 403 ? "fatal: " : ""}HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
        const job = JSON.parse(body);
        const conditions = job.status?.conditions ?? [];
        if (conditions.some((c) => c.type === "Failed" && c.status === "True")) return resolve(`fatal: job ${name} failed`);
        if ((job.status?.succeeded ?? 0) >= 1) return resolve(true);
        resolve(`job ${name}: active=${job.status?.active ?? 0} failed=${job.status?.failed ?? 0}`);
      });
    });
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", (e) => resolve(e.message));
    req.end();
  });
}

const check = { device: pingDevice, host: tcpConnect, job: jobStatus }[kind];
if (!check) {
  console.error(`wait-for.mjs: unknown kind ${kind} (device, host or job)`);
  process.exit(2);
}
for (let i = 1; i <= tries; i++) {
  const r = await check(target);
  if (r === true) {
    console.log(`wait-for: ${kind} ${target} is ready (try ${i}/${tries})`);
    process.exit(0);
  }
  console.log(`wait-for: ${kind} ${target} not ready (try ${i}/${tries}): ${r}`);
  if (String(r).startsWith("fatal:")) process.exit(1);
  if (i < tries) await sleep(sleepMs);
}
console.error(`wait-for: gave up on ${kind} ${target} after ${tries} tries`);
process.exit(1);
{{- end -}}
