/**
 * Integration tests of the docker target against the local Docker engine. Skipped (with the reason) when no engine
 * answers or the runtime image is missing: `bash scripts/docker-engine.sh && npm run images` makes them run.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Database, TangoContext } from "@tango-bdd/tango";
import { iiopProfiles, parseIor, profileEndpoints } from "@tango-bdd/tango/internal";
import type Dockerode from "dockerode";
import type { StackSpec, StartedStack } from "../../harness.ts";
import { devicesOf, exampleStackSpec } from "../../stack-spec.ts";
import type { TangoAdapter } from "../../tango-adapter.ts";
import { eventingAdapter } from "../../tango-events.ts";
import { DATABASE_ALIAS, type DockerAddressing, DockerProvider } from "./docker-provider.ts";
import { echoCommands } from "./fake-commands.ts";
import { Label, removeRun, sweepOrphans } from "./labels.ts";

const probe = new DockerProvider({ commands: echoCommands, readiness: "tcp" });
const availability = await probe.available();
const skip = availability.ok ? false : availability.why;

async function dockerode(): Promise<Dockerode> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  return (await getContainerRuntimeClient()).container.dockerode;
}

async function labelled(docker: Dockerode, runId: string): Promise<{ containers: number; networks: number }> {
  const filters = JSON.stringify({ label: [`${Label.Run}=${runId}`] });
  const [c, n] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: c.length, networks: n.length };
}

/** Sends `text` to host:port and resolves with what comes back (the echo servers), or rejects. */
function echoRoundTrip(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let got = "";
    const timer = setTimeout(() => s.destroy(new Error(`no echo from ${host}:${port}`)), 5000);
    s.on("connect", () => s.write(text));
    s.on("data", (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        s.end();
        resolve(got);
      }
    });
    s.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Runs `node -e script` in a throw-away container on `network`; resolves with its output. */
async function runInNetwork(docker: Dockerode, image: string, network: string, runId: string, script: string): Promise<string> {
  const c = await docker.createContainer({
    Image: image,
    Cmd: ["node", "-e", script],
    Labels: { [Label.Managed]: "true", [Label.Run]: runId },
    HostConfig: { NetworkMode: network },
  });
  try {
    await c.start();
    const res = (await c.wait()) as { StatusCode: number };
    const out = (await c.logs({ stdout: true, stderr: true })).toString("latin1");
    assert.equal(res.StatusCode, 0, `probe container failed: ${out}`);
    return out;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** The ports a fake server printed: "<id> publish <host> listening P H E". */
function portsFromLogs(logs: string): { host: string; ports: number[] } {
  const m = /publish (\S+) listening (\d+) (\d+) (\d+)/.exec(logs);
  assert.ok(m, `no banner in logs:\n${logs}`);
  return { host: m[1] as string, ports: [Number(m[2]), Number(m[3]), Number(m[4])] };
}

/** "id=host:port, ..." of StartedStack.environment["docker.servers"] as a map. */
function serverAddresses(stack: StartedStack): Map<string, string> {
  const text = stack.environment["docker.servers"] ?? "";
  return new Map(text.split(", ").map((entry) => entry.split("=") as [string, string]));
}

const networkName = (stack: StartedStack): string => (stack.environment["docker.network"] ?? "").split(" ")[0] ?? "";

const plumbingSpec = (runId: string): StackSpec => ({
  runId,
  config: { servers: { echo: { one: { Echo: { "test/echo/1": {} } }, two: { Echo: { "test/echo/2": {} } } } } },
  servers: [
    { server: "echo", instance: "one", module: "none" },
    { server: "echo", instance: "two", module: "none", env: { EXTRA: "1" } },
  ],
  startTimeoutMs: 30_000,
});

for (const addressing of ["container-ip", "gateway"] as const satisfies readonly DockerAddressing[])
  describe(`docker provider: plumbing with echo servers (${addressing} addressing)`, { skip }, () => {
    const runId = `t-plumb-${addressing}-${process.pid}`;
    let stack: StartedStack;
    let docker: Dockerode;

    before(async () => {
      docker = await dockerode();
      stack = await new DockerProvider({ commands: echoCommands, readiness: "tcp", addressing }).start(plumbingSpec(runId));
    });
    after(async () => {
      await stack?.stop();
    });

    test("labels one network and one container per component with the run id", async () => {
      assert.equal(stack.target, "docker");
      assert.equal(stack.runId, runId);
      assert.deepEqual(await labelled(docker, runId), { containers: 3, networks: 1 });
      assert.deepEqual([...stack.servers.keys()], ["echo/one", "echo/two"]);
      assert.ok(stack.startupMs > 0);
      assert.match(networkName(stack), new RegExp(runId));
      assert.equal(stack.environment["docker.addressing"], addressing);
    });

    test("the runner reaches the database at tangoHost, and at its address published on 127.0.0.1", async () => {
      const [host = "", port = ""] = stack.tangoHost.split(":");
      if (addressing === "gateway") assert.equal(host, "127.0.0.1");
      else assert.match(stack.tangoHost, /^10\.\d+\.\d+\.2:10000$/);
      assert.equal(await echoRoundTrip(host, Number(port), "db?"), "db?");
      const [pubHost = "", pubPort = ""] = (stack.environment["tangoHost.published"] ?? "").split(":");
      assert.equal(pubHost, "127.0.0.1");
      assert.equal(await echoRoundTrip(pubHost, Number(pubPort), "db!"), "db!");
    });

    test("the dsconfig was copied into the database container and loaded", async () => {
      const logs = await stack.collectLogs();
      assert.match(logs[DATABASE_ALIAS] ?? "", /db listening 10000/);
      assert.match(logs[DATABASE_ALIAS] ?? "", /loaded servers: echo$/m);
    });

    test("a server's announced address answers from the host and from another container", async () => {
      const one = stack.servers.get("echo/one");
      assert.ok(one);
      const { host, ports } = portsFromLogs(await one.logs());
      assert.equal(`${host}:${ports[0]}`, serverAddresses(stack).get("echo/one"));
      if (addressing === "gateway") assert.equal(host, stack.environment["docker.publishHost"]);
      for (const p of ports) assert.equal(await echoRoundTrip(host, p, `ping ${p}`), `ping ${p}`);
      const network = networkName(stack);
      const image = (stack.environment["docker.image"] ?? "").split(" ")[0] ?? "";
      const script = `const net = require("node:net");
      const check = (h, p) => new Promise((ok, ko) => { const s = net.connect(p, h, () => s.write("x")); s.on("data", () => { s.end(); ok(); }); s.on("error", ko); });
      Promise.all([check(${JSON.stringify(host)}, ${ports[0]}), check(${JSON.stringify(DATABASE_ALIAS)}, 10000)])
        .then(() => console.log("REACHED"), (e) => { console.log("FAILED", e.message); process.exit(1); });`;
      assert.match(await runInNetwork(docker, image, network, runId, script), /REACHED/);
    });

    test("kill() makes the server unreachable; restart() brings it back at the same address, logs span both runs", async () => {
      const before = serverAddresses(stack).get("echo/two");
      const two = stack.servers.get("echo/two");
      assert.ok(two);
      const { host, ports } = portsFromLogs(await two.logs());
      const giop = ports[0] as number;
      await two.kill();
      await assert.rejects(echoRoundTrip(host, giop, "dead?"));
      await two.restart({ timeoutMs: 30_000 });
      assert.equal(await echoRoundTrip(host, giop, "alive"), "alive");
      const logs = await two.logs();
      assert.equal((logs.match(/listening/g) ?? []).length, 2);
      assert.equal([...logs.matchAll(/publish (\S+) listening (\d+)/g)].map((m) => `${m[1]}:${m[2]}`).join(), `${before},${before}`);
    });

    test("stop() removes every container and the network; logs stay available", async () => {
      await stack.stop();
      await stack.stop(); // idempotent
      assert.deepEqual(await labelled(docker, runId), { containers: 0, networks: 0 });
      const logs = await stack.collectLogs();
      assert.deepEqual(Object.keys(logs).sort(), [DATABASE_ALIAS, "echo/one", "echo/two"]);
      assert.match(logs["echo/one"] ?? "", /listening/);
    });
  });

describe("docker provider: failures and interrupted runs", { skip }, () => {
  const fixture = fileURLToPath(new URL("./interrupted-run.fixture.ts", import.meta.url));

  /** Starts the fixture child; resolves once it printed READY. */
  function startChild(runId: string, ...extra: string[]): Promise<import("node:child_process").ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, runId, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d.toString();
        if (out.includes(`READY ${runId}`)) resolve(child);
      });
      child.stderr.on("data", (d) => {
        out += d.toString();
      });
      child.once("exit", (code, signal) => reject(new Error(`fixture exited early (${code ?? signal}):\n${out}`)));
    });
  }
  const exited = (child: import("node:child_process").ChildProcess): Promise<void> =>
    new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`${signal} to the runner removes the run's containers and network`, async (t) => {
      const docker = await dockerode();
      const runId = `t-${signal.toLowerCase()}-${process.pid}`;
      t.after(() => removeRun(docker, runId).then(() => undefined));
      const child = await startChild(runId);
      assert.deepEqual(await labelled(docker, runId), { containers: 2, networks: 1 });
      child.kill(signal);
      await exited(child);
      assert.equal(child.signalCode, signal, "the signal is re-raised after the clean-up");
      assert.deepEqual(await labelled(docker, runId), { containers: 0, networks: 0 });
    });
  }

  test("a runner that exits while the signal clean-up is running: the exit handler finishes it", async (t) => {
    const docker = await dockerode();
    const runId = `t-hasty-${process.pid}`;
    t.after(() => removeRun(docker, runId).then(() => undefined));
    const child = await startChild(runId, "hasty");
    child.kill("SIGTERM");
    await exited(child);
    assert.equal(child.exitCode, 1, "exited by the other handler");
    assert.deepEqual(await labelled(docker, runId), { containers: 0, networks: 0 });
  });

  test("SIGKILL leaves the run behind; the orphan sweep of the next start removes it", async (t) => {
    const docker = await dockerode();
    const runId = `t-sigkill-${process.pid}`;
    t.after(() => removeRun(docker, runId).then(() => undefined));
    const child = await startChild(runId);
    child.kill("SIGKILL");
    await exited(child);
    assert.deepEqual(await labelled(docker, runId), { containers: 2, networks: 1 });
    const swept = await sweepOrphans(docker, (await import("node:os")).hostname());
    assert.ok(swept.includes(runId), `swept ${swept.join(",")}`);
    assert.deepEqual(await labelled(docker, runId), { containers: 0, networks: 0 });
  });

  test("a server that exits while starting fails start() with ComponentDied, its log tail, and nothing left", async () => {
    const docker = await dockerode();
    const runId = `t-dies-${process.pid}`;
    const provider = new DockerProvider({
      readiness: "tcp",
      commands: { ...echoCommands, server: () => ["node", "-e", "console.error('boom: no such device class'); process.exit(3)"] },
    });
    await assert.rejects(provider.start({ ...plumbingSpec(runId), startTimeoutMs: 20_000 }), (err: unknown) => {
      const e = err as { errors?: readonly { reason: string }[]; message: string; logTail?: string };
      assert.equal(e.errors?.[0]?.reason, "BDD_InfraComponentDied");
      assert.match(e.message, /echo\/one/);
      assert.match(e.logTail ?? "", /boom: no such device class/);
      return true;
    });
    assert.deepEqual(await labelled(docker, runId), { containers: 0, networks: 0 });
  });
});

/**
 * The real stack in containers: the database, then the Counter and Tabata servers of the ska-tango-examples layout
 * (tabata/counters, tabata/tabata), driven from the test runner on the host as the BDD suite does.
 */
describe("docker provider: database + Counter/Tabata servers in containers", { skip }, () => {
  const runId = `t-stack-${process.pid}`;
  let stack: StartedStack;
  let client: TangoAdapter;
  let spec: StackSpec;

  before(async () => {
    spec = await exampleStackSpec({ runId, tabataTick: 0.1, onlyServers: ["tabata"], startTimeoutMs: 60_000 });
    stack = await new DockerProvider().start(spec);
    client = eventingAdapter(stack.tangoHost, {
      timeoutMs: 3000,
      events: { keepAliveTickMs: 250, heartbeatTimeoutMs: 10_000, retryPeriodMs: 500 },
    });
  });
  after(async () => {
    await client?.close();
    await stack?.stop();
  });

  test("every device of the config answers a ping from the runner", async () => {
    const names = devicesOf(spec.config).map((d) => d.name);
    assert.equal(names.length, 6);
    for (const name of names) {
      const device = await client.device(name);
      assert.ok((await device.ping()) >= 0, name);
    }
  });

  test("the database holds IORs with the announced addresses (servers and the database itself)", async () => {
    const context = new TangoContext({ tangoHost: stack.tangoHost });
    try {
      const db = await Database.connect({ context });
      const info = await db.getDeviceInfo("test/tabata/1");
      assert.equal(info.exported, true);
      const [endpoint] = iiopProfiles(parseIor(info.ior)).flatMap((p) => profileEndpoints(p));
      assert.equal(`${endpoint?.host}:${endpoint?.port}`, serverAddresses(stack).get("tabata/tabata"));
      // The database's own IOR: its container address (or, in gateway addressing, G:10000 when free).
      const dbInfo = await db.getDeviceInfo("sys/database/2");
      const [dbEndpoint] = iiopProfiles(parseIor(dbInfo.ior)).flatMap((p) => profileEndpoints(p));
      assert.equal(`${dbEndpoint?.host}:${dbEndpoint?.port}`, stack.environment["docker.databaseAnnounced"]);
      if (dbEndpoint?.host !== DATABASE_ALIAS) {
        assert.ok((await (await client.device("sys/database/2")).ping()) >= 0, "sys/database/2 through its IOR");
      }
    } finally {
      await context.close();
    }
  });

  test("change events reach the runner through the announced ZMQ endpoints", async () => {
    const counter = await client.device("test/counter/work");
    await counter.write("fire_event_at", 2);
    await counter.command("CounterReset", 0);
    await using sub = await counter.subscribe("value", "change", { timeoutMs: 5000 });
    const seen: unknown[] = [];
    const got = (async () => {
      for await (const ev of sub) {
        if (ev.kind === "value") seen.push(ev.value);
        if (ev.kind === "value" && ev.value === 2) return;
      }
    })();
    await counter.command("increment");
    await counter.command("increment");
    await Promise.race([got, new Promise((_, reject) => setTimeout(() => reject(new Error(`no event 2; saw ${seen}`)), 5000).unref())]);
    assert.equal(seen.at(-1), 2);
  });

  test("the counters' container is killed mid-workout and restarted: calls fail, then everything answers again", async () => {
    const tabata = await client.device("test/tabata/1");
    const rest = await client.device("test/counter/rest");
    await tabata.command("Start");
    assert.equal(await tabata.state(), "ON");
    const counters = stack.servers.get("tabata/counters");
    assert.ok(counters);
    await counters.kill();
    await assert.rejects(rest.command("increment", undefined, { timeoutMs: 1500 }));
    await counters.restart({ timeoutMs: 30_000 });
    assert.equal(await rest.command("CounterReset", 0), 0);
    assert.equal(await rest.command("increment"), 1);
    await tabata.command("Stop");
    assert.equal(await tabata.state(), "OFF");
    assert.match(await counters.logs(), /serving[\s\S]*serving/, "the log spans both runs");
  });
});
