/**
 * Helper processes for capture10.sh (not a test):
 *   serve <port> <heartbeatPort> <eventPort> <seconds>  TsRef `tsref/cap/1` without database on fixed ports
 *   client <device> <burst>                               our TypeScript client + events consumer against <device>
 * Prints JSON lines (what happened) on stdout.
 */
import { TangoContext } from "../client/context.ts";
import { DeviceProxy } from "../client/device-proxy.ts";
import { subscribe } from "../events/consumer.ts";
import { runServer } from "../server/run-server.ts";
import { TsRef } from "./ts-ref-device.ts";

async function serve(port: number, heartbeatPort: number, eventPort: number, seconds: number): Promise<void> {
  const h = await runServer({
    serverName: "TsRef",
    instance: "cap",
    classes: [TsRef],
    nodb: true,
    devices: ["tsref/cap/1"],
    host: "127.0.0.1",
    port,
    heartbeatPort,
    eventPort,
  });
  process.stdout.write(`${JSON.stringify({ serving: "tsref/cap/1", port })}\n`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await h.close();
}

async function client(name: string, burst: number, tangoHost: string | undefined): Promise<void> {
  const context = new TangoContext(tangoHost ? { tangoHost } : {});
  try {
    const d = await DeviceProxy.connect(name, { context });
    const out: Record<string, unknown> = { state: await d.state(), info: await d.info() };
    out.temperature = (await d.read("temperature")).value;
    await d.write("counter", 3);
    out.scale = await d.command("Scale", 5);
    const sub = await subscribe(d, "temperature", "change", {});
    const values: unknown[] = [];
    await d.command("PushBurst", burst);
    for await (const it of sub) {
      if (it.kind === "value") values.push(it.value);
      if (values.length >= burst + 1) break;
    }
    await sub.close();
    out.events = values;
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await context.close();
  }
}

const [mode, a, b, c, d] = process.argv.slice(2);
if (mode === "serve") await serve(Number(a), Number(b), Number(c), Number(d ?? 30));
else if (mode === "client") await client(a ?? "", Number(b ?? 5), c);
else {
  process.stderr.write("usage: capture-helper.ts serve <port> <hb> <ev> <s> | client <device> <burst> [tangoHost]\n");
  process.exitCode = 2;
}
