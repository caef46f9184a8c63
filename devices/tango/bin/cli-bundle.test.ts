/**
 * The CLI's cached esbuild bundle (bin/cli-bundle.mjs): which modules a command line bundles, stage-3 decorated
 * devices served from the bundle (a fixture module, the real Counter and Tabata classes), rebuild after a source
 * change, the tsx fallback for a module that does not compile, and the start gate (TANGO_START_GATE=stdin).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODULES } from "../src/cli/commands/serve.ts";
import { TangoContext } from "../src/client/context.ts";
import { DeviceProxy } from "../src/client/device-proxy.ts";
import { serveProcess } from "../src/testing/serve-process.ts";
import { bundleModules, bundlePaths, DEFAULT_DEVICE_MODULES, deviceModulesOf, ensureBundle, moduleKey } from "./cli-bundle.mjs";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A decorated device module (stage-3 decorators, accessors), `value` returning `n`. */
function deviceSource(n: number): string {
  return `import { attribute, command, Device, device, DevShort } from "@tango-bdd/tango/server";
@device({ tangoClass: "BundleDev" })
export class BundleDev extends Device {
  #count = ${n};
  @attribute({ dtype: DevShort }) get value(): number { return this.#count; }
  @attribute({ dtype: DevShort, access: "READ_WRITE" }) accessor level = 7;
  @command({ out: DevShort }) bump(): number { return ++this.#count; }
  override async init(): Promise<void> { this.setState("ON"); }
}
`;
}

describe("CLI bundle", () => {
  const tmp = join(ROOT, ".tmp");
  mkdirSync(tmp, { recursive: true });
  const dir = mkdtempSync(join(tmp, "cli-bundle-test-"));
  const cleanup: string[] = [dir];
  after(() => {
    for (const p of cleanup) rmSync(p, { recursive: true, force: true });
  });
  /** Removes the cache files of the bundle a command line uses (fixtures get their own bundles). */
  const forget = (argv: string[]): void => {
    const p = bundlePaths(argv, {}, ROOT);
    cleanup.push(p.bundle, p.meta, p.lock);
  };

  test("the default device modules are serve.ts's", () => {
    assert.deepEqual([...DEFAULT_DEVICE_MODULES], [...DEFAULT_MODULES]);
  });

  test("only serve bundles device modules: --module (both forms), TANGO_DEVICE_MODULES, then the defaults", () => {
    assert.deepEqual(deviceModulesOf(["read", "a/b/c", "x"], { TANGO_DEVICE_MODULES: "m" }), { required: [], optional: [] });
    const r = deviceModulesOf(["serve", "S/i", "--module", "./a.ts", "--module=@x/y", "--port", "1"], {
      TANGO_DEVICE_MODULES: "p, @tango-bdd/tabata",
    });
    assert.deepEqual(r.required, ["./a.ts", "@x/y", "p", "@tango-bdd/tabata"]);
    assert.deepEqual(r.optional, ["@tango-bdd/counter"]);
    assert.equal(moduleKey("./a.ts", "/w"), "file:///w/a.ts");
    assert.equal(moduleKey("@x/y", "/w"), "@x/y");
    // Default packages that cannot be resolved (@tango-bdd/counter does not exist here) are left out, as serve skips them.
    const mods = bundleModules(["serve", "S/i"], {}, ROOT).map((m) => m.key);
    assert.ok(mods.includes("@tango-bdd/tabata"));
    assert.equal(mods.includes("@tango-bdd/counter"), existsSync(join(ROOT, "node_modules/@tango-bdd/counter")));
  });

  test("a decorated device module is served from the bundle; editing it rebuilds the bundle", async () => {
    const file = join(dir, "bundle-device.ts");
    writeFileSync(file, deviceSource(41));
    const args = ["BundleTest/a", "--nodb", "--devices", "BundleDev::tsrt/bundle/1", "--host", "127.0.0.1", "--module", file];
    forget(["serve", ...args]);
    const bundle = await ensureBundle(["serve", ...args], {}, ROOT);
    assert.ok(readFileSync(bundle, "utf8").includes('tangoClass: "BundleDev"'), "the device module is compiled into the bundle");
    const readValue = async (): Promise<{ value: unknown; level: unknown; bumped: unknown }> => {
      const s = serveProcess(args);
      try {
        const port = await s.port;
        await using ctx = new TangoContext();
        await using dev = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/bundle/1#dbase=no`, { context: ctx });
        const value = (await dev.read("value")).value;
        await dev.write("level", 9);
        return { value, level: (await dev.read("level")).value, bumped: await dev.command("bump") };
      } finally {
        await s.stop();
      }
    };
    assert.deepEqual(await readValue(), { value: 41, level: 9, bumped: 42 });
    const before = JSON.parse(readFileSync(bundlePaths(["serve", ...args], {}, ROOT).meta, "utf8")) as { builtAt: number };
    writeFileSync(file, deviceSource(5));
    const later = (before.builtAt + 2000) / 1000;
    utimesSync(file, later, later); // newer than the build even on coarse clocks
    assert.deepEqual(await readValue(), { value: 5, level: 9, bumped: 6 });
    const rebuilt = JSON.parse(readFileSync(bundlePaths(["serve", ...args], {}, ROOT).meta, "utf8")) as { builtAt: number };
    assert.ok(rebuilt.builtAt > before.builtAt, "the bundle was rebuilt");
  });

  test("the real Counter and Tabata classes work from the bundle (default modules)", async () => {
    const s = serveProcess([
      "BundleTest/b",
      "--nodb",
      "--devices",
      "Counter::tsrt/bundle/c",
      "Tabata::tsrt/bundle/t",
      "--host",
      "127.0.0.1",
    ]);
    try {
      const port = await s.port;
      await using ctx = new TangoContext();
      await using counter = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/bundle/c#dbase=no`, { context: ctx });
      assert.equal(await counter.command("increment"), 1);
      assert.equal((await counter.read("value")).value, 1);
      await using tabata = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/bundle/t#dbase=no`, { context: ctx });
      const commands = (await tabata.commandList()).map((c) => c.name);
      assert.ok(commands.includes("Start") && commands.includes("Stop"), commands.join(","));
      assert.ok((await tabata.attributeList()).length > 2);
    } finally {
      await s.stop();
    }
  });

  test("a module that does not compile falls back to tsx, which reports it as before", async () => {
    const file = join(dir, "broken-device.ts");
    writeFileSync(file, "export const x = ;\n");
    const args = ["BundleTest/c", "--nodb", "--devices", "X::a/b/c", "--module", file];
    forget(["serve", ...args]);
    const s = serveProcess(args);
    assert.equal(await s.exit, 1);
    assert.match(s.output(), /API_ModuleNotFound/);
    assert.match(s.output(), /cannot load device module/);
    assert.equal(existsSync(bundlePaths(["serve", ...args], {}, ROOT).bundle), false);
  });

  test("TANGO_START_GATE=stdin: the command runs only after a line arrives on stdin", async () => {
    const s = serveProcess(["BundleTest/d", "--nodb", "--devices", "Counter::tsrt/bundle/g", "--host", "127.0.0.1"], {
      env: { TANGO_START_GATE: "stdin" },
      stdin: "pipe",
    });
    try {
      let listening = false;
      void s.port.then(() => {
        listening = true;
      });
      // The CLI says when its code is loaded; from then on it waits for the gate.
      for (let i = 0; i < 500 && !s.output().includes("waiting for the start gate"); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(s.output(), /tango: code loaded \d+ ms after process start, waiting for the start gate/);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(listening, false, s.output());
      s.child.stdin?.end("go\n");
      const port = await s.port;
      for (let i = 0; i < 50 && !s.output().includes("start gate opened"); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(s.output(), /tango: start gate opened \d+ ms after process start/);
      await using ctx = new TangoContext();
      await using counter = await DeviceProxy.connect(`tango://127.0.0.1:${port}/tsrt/bundle/g#dbase=no`, { context: ctx });
      assert.equal(await counter.command("increment"), 1);
    } finally {
      await s.stop();
    }
  });
});
