/**
 * The floor of a Node.js client: the same replay as bench/raw-client.py (one pre-encoded GIOP request from
 * bench/raw-request.ts, one call at a time, each reply read by its GIOP header only, no Tango code), on a Node.js
 * socket and event loop. The difference to raw-client.py is what the event loop itself costs per round trip.
 * Usage: node --import tsx bench/raw-client-node.ts '<json from raw-request.ts>' [seconds]   → one JSON object.
 */
import { connect } from "node:net";
import { loop } from "./timing.ts";

const spec = JSON.parse(process.argv[2] ?? "{}") as { host: string; port: number; request_hex: string };
const seconds = Number(process.argv[3] ?? 5);
const request = Buffer.from(spec.request_hex, "hex");
const socket = connect(spec.port, spec.host);
socket.setNoDelay(true);
await new Promise<void>((resolve, reject) => {
  socket.once("connect", resolve);
  socket.once("error", reject);
});

let waiting: (() => void) | undefined;
let buffered: Buffer = Buffer.alloc(0);
socket.on("data", (chunk: Buffer) => {
  buffered = buffered.length > 0 ? Buffer.concat([buffered, chunk]) : chunk;
  for (;;) {
    if (buffered.length < 12) return;
    const size = 12 + ((buffered[6] ?? 0) & 1 ? buffered.readUInt32LE(8) : buffered.readUInt32BE(8));
    if (buffered.length < size) return;
    buffered = buffered.subarray(size);
    const done = waiting;
    waiting = undefined;
    done?.();
  }
});
const call = (): Promise<void> =>
  new Promise((resolve) => {
    waiting = resolve;
    socket.write(request);
  });

process.stdout.write(`${JSON.stringify(await loop(call, seconds))}\n`);
socket.destroy();
