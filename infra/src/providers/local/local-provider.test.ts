/**
 * The local provider's process management against a stand-in CLI (fixtures/fake-tango.mjs): start order,
 * readiness, log capture, kill/restart keeping ports, failure while starting, and complete teardown
 * (process groups, grandchildren included).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { InfraReason, InfrastructureFailure } from "../../errors.ts";
import type { StackSpec } from "../../harness.ts";
import type { DeviceClient, TangoClient } from "../../tango-client.ts";
import { LocalProvider, type LocalStack } from "./local-provider.ts";
import { ManagedProcess, ProcessRegistry } from "./process.ts";

const FAKE = new URL("./fixtures/fake-tango.mjs", import.meta.url).pathname;

function tcpProbe(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error("timeout"));
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(t);
      s.destroy();
      resolve();
    });
    s.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** A client whose ping connects to the port the fake server recorded for the device. */
function fakeClient(dir: string, tangoHost: string): TangoClient {
  const unsupported = async (): Promise<never> => {
    throw new Error("not in the fake");
  };
  const device = async (name: string): Promise<DeviceClient> => ({
    name,
    async ping(opts) {
      const map: Record<string, number> = {};
      for (const f of readdirSync(dir).filter((n) => /^devices-\d+\.json$/.test(n))) {
        Object.assign(map, JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, number>);
      }
      const port = map[name];
      if (port === undefined) throw new Error(`${name} not exported`);
      await tcpProbe(port, opts?.timeoutMs ?? 500);
      return 1;
    },
    state: unsupported,
    status: unsupported,
    read: unsupported,
    write: unsupported,
    command: unsupported,
    subscribe: unsupported,
  });
  return {
    tangoHost,
    device,
    deviceNames: unsupported,
    deviceInfo: unsupported,
    deviceProperty: unsupported,
    putDeviceProperty: unsupported,
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
}

function spec(runId: string): StackSpec {
  return {
    runId,
    config: {
      servers: {
        demo: {
          one: { Counter: { "test/demo/a": {}, "test/demo/b": {} } },
          two: { Tabata: { "test/demo/t": { properties: { sleep_time: ["0.1"] } } } },
        },
      },
    },
    servers: [
      { server: "demo", instance: "one", module: "x", readinessDevices: ["test/demo/a", "test/demo/b"] },
      { server: "demo", instance: "two", module: "x", readinessDevices: ["test/demo/t"] },
    ],
    startTimeoutMs: 10_000,
  };
}

/** Running (not gone, not a zombie waiting for its reaper). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

describe("LocalProvider (against a stand-in tango CLI)", () => {
  const dirs: string[] = [];
  const registry = new ProcessRegistry();
  after(() => {
    registry.killAll();
    registry.uninstall();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function provider(env: Record<string, string> = {}, preSpawnServers?: boolean): { provider: LocalProvider; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), "local-provider-test-"));
    dirs.push(dir);
    const p = new LocalProvider({
      clientFactory: (th) => fakeClient(dir, th),
      tangoCommand: [process.execPath, FAKE],
      registry,
      baseEnv: { PATH: process.env.PATH },
      env: { FAKE_DIR: dir, ...env },
      ...(preSpawnServers === undefined ? {} : { preSpawnServers }),
    });
    return { provider: p, dir };
  }

  /** The servers' logs once both have printed their "listening" line. */
  async function serverLogs(stack: LocalStack): Promise<Record<string, string>> {
    let logs: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      logs = await stack.collectLogs();
      if (/listening/.test(logs["demo/one"] ?? "") && /listening/.test(logs["demo/two"] ?? "")) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return logs;
  }

  test("servers are spawned with the database, gated, and run only once the dsconfig is loaded", async () => {
    const { provider: p, dir } = provider();
    const stack = (await p.start(spec("t-gate"))) as LocalStack;
    try {
      const loadedAt = Number(readFileSync(join(dir, "loaded-at"), "utf8"));
      const logs = await serverLogs(stack);
      for (const id of ["demo/one", "demo/two"]) {
        const log = logs[id] ?? "";
        const opened = Number(/gate opened at (\d+)/.exec(log)?.[1]);
        assert.ok(opened >= loadedAt, `${id} ran its command after the dsconfig was loaded:\n${log}`);
        // LogBuffer stamps: the server was spawned before the database answered (i.e. in parallel with it).
        assert.match(log, /spawned pid=/);
      }
      const dbSpawned = stack.startupPhases.dbSpawned ?? Number.NaN;
      const configLoaded = stack.startupPhases.configLoaded ?? Number.NaN;
      assert.ok(dbSpawned < configLoaded, "phases are recorded in order");
    } finally {
      await stack.stop();
    }
  });

  test("preSpawnServers: false starts the servers after the dsconfig, without a gate", async () => {
    const { provider: p } = provider({}, false);
    const stack = (await p.start(spec("t-nogate"))) as LocalStack;
    try {
      const logs = await serverLogs(stack);
      assert.match(logs["demo/one"] ?? "", /listening/);
      assert.doesNotMatch(logs["demo/one"] ?? "", /gate opened/);
    } finally {
      await stack.stop();
    }
  });

  test("starts db, loads the config, starts every server and waits until each device answers", async () => {
    const { provider: p, dir } = provider();
    const stack = (await p.start(spec("t-start"))) as LocalStack;
    try {
      assert.equal(stack.target, "local");
      assert.match(stack.tangoHost, /^127\.0\.0\.1:\d+$/);
      assert.deepEqual([...stack.servers.keys()], ["demo/one", "demo/two"]);
      assert.ok(stack.startupMs > 0);
      const loaded = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { servers: Record<string, unknown> };
      assert.ok(loaded.servers.demo, "the dsconfig reached `db load`");
      // Output travels through pipes: give it a moment to arrive after the readiness probe succeeded.
      let logs: Record<string, string> = {};
      for (let i = 0; i < 50; i++) {
        logs = await stack.collectLogs();
        if (/test\/demo\/a,test\/demo\/b/.test(logs["demo/one"] ?? "") && /listening/.test(logs.db ?? "")) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(logs.db ?? "", /listening on \d+ for sys\/database\/2/);
      assert.match(logs["db load"] ?? "", /loaded .*dsconfig\.json into 127\.0\.0\.1:\d+/);
      assert.match(logs["demo/one"] ?? "", /test\/demo\/a,test\/demo\/b/);
      assert.equal(registry.size, 3, "db + two servers are registered for Ctrl-C clean-up");
    } finally {
      await stack.stop();
    }
    assert.equal(registry.size, 0);
  });

  test("kill() and restart() keep the server's port; logs keep both incarnations", async () => {
    const { provider: p } = provider();
    const stack = (await p.start(spec("t-restart"))) as LocalStack;
    try {
      const srv = stack.localServers.get("demo/two");
      assert.ok(srv);
      const port = srv.ports.port;
      await srv.kill();
      await assert.rejects(tcpProbe(port, 300));
      await srv.restart({ timeoutMs: 5000 });
      await tcpProbe(port, 1000);
      let log = await srv.logs();
      for (let i = 0; i < 50 && (log.match(/listening on/g)?.length ?? 0) < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        log = await srv.logs();
      }
      assert.equal(log.match(/listening on/g)?.length, 2);
      assert.match(log, /signal=SIGKILL/);
    } finally {
      await stack.stop();
    }
  });

  test("stop() kills each process group, grandchildren included", async () => {
    const { provider: p, dir } = provider();
    const stack = (await p.start(spec("t-stop"))) as LocalStack;
    const grandchild = Number(readFileSync(join(dir, "grandchild-demo-one"), "utf8"));
    assert.ok(alive(grandchild));
    const pids = [...stack.localServers.values()].map((s) => s.process?.pid as number);
    await stack.stop();
    await stack.stop(); // idempotent
    assert.equal(await gone(grandchild), true, "grandchild killed with its group");
    for (const pid of pids) assert.equal(await gone(pid), true);
  });

  test("a server that dies while starting fails fast with an infrastructure error carrying its log", async () => {
    const { provider: p } = provider({ FAKE_CRASH: "demo/two" });
    const t0 = performance.now();
    await assert.rejects(p.start(spec("t-crash")), (e: unknown) => {
      assert.ok(e instanceof InfrastructureFailure);
      assert.equal(e.reason, InfraReason.ComponentDied);
      assert.match(e.message, /demo\/two.*exited \(code 2/s);
      assert.match(e.logTail, /simulated crash/);
      return true;
    });
    assert.ok(performance.now() - t0 < 8000, "did not wait for the whole start timeout");
    assert.equal(registry.size, 0, "everything started was torn down");
  });

  test("a failing `db load` is an infrastructure failure", async () => {
    const { provider: p } = provider({ FAKE_LOAD_FAIL: "1" });
    await assert.rejects(
      p.start(spec("t-load")),
      (e: unknown) => e instanceof InfrastructureFailure && e.reason === InfraReason.StartFailed,
    );
    assert.equal(registry.size, 0);
  });

  test("the registry kills registered groups synchronously (what the exit/SIGINT handlers do)", async () => {
    const reg = new ProcessRegistry();
    const p = ManagedProcess.spawn({ id: "sleeper", command: "sleep", args: ["30"], registry: reg });
    assert.equal(reg.size, 1);
    reg.killAll();
    reg.uninstall();
    const exit = await p.exited;
    assert.equal(exit.signal, "SIGKILL");
  });
});
