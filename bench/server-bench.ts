/**
 * The device server side of bench/server-bench.sh: serves `bench/ts/1` (class BenchDevice, a DevDouble attribute
 * `temperature` like pyref/test/1's) without a database on 127.0.0.1:<port>, until SIGTERM.
 * Usage: node --import tsx bench/server-bench.ts <port>
 */
import { DevDouble, type Device, defineDevice, runServer } from "@tango-bdd/tango/server";

const BenchDevice = defineDevice<Device & { t: number }>({
  tangoClass: "BenchDevice",
  attributes: { temperature: { dtype: DevDouble, read: (d) => d.t } },
  init: (d) => {
    d.t = 21.5;
    d.setState("ON");
  },
});

const port = Number(process.argv[2] ?? 0);
const h = await runServer({
  serverName: "BenchServer",
  instance: "bench",
  classes: [BenchDevice],
  nodb: true,
  devices: ["bench/ts/1"],
  host: "127.0.0.1",
  port,
  handleSignals: true,
});
process.stdout.write(`ready ${h.port}\n`);
await h.closed;
