/**
 * The floor of a Node.js device server: a GIOP proxy in front of a real server that forwards every request, except
 * that once it has seen the reply to a `read_attributes_5` request, it answers every later identical request itself
 * with those reply bytes (request id patched), doing no work at all: one socket read, one buffer compare, one write.
 * A client's figure against it is the best any Node.js server could give that client on this machine.
 * Used by bench/server-bench.sh (the "floor" column). Usage: node --import tsx bench/replay-proxy.ts <port> <target-port>
 */
import { createConnection, createServer, type Socket } from "node:net";
import { FrameAssembler, GIOP_HEADER_SIZE, parseHeader } from "@tango-bdd/tango/internal";

const [port, target] = process.argv.slice(2).map(Number);
if (!port || !target) {
  process.stderr.write("usage: replay-proxy.ts <port> <target-port>\n");
  process.exit(2);
}

/**
 * Offset of the request id in a GIOP Request or Reply: 12 in GIOP 1.2, after the service context list in 1.0/1.1
 * (the proxy only replays messages whose list is empty, so 16).
 */
function idOffset(msg: Buffer): number | undefined {
  const h = parseHeader(msg);
  if (h.minor >= 2) return GIOP_HEADER_SIZE;
  const contexts = h.littleEndian ? msg.readUInt32LE(GIOP_HEADER_SIZE) : msg.readUInt32BE(GIOP_HEADER_SIZE);
  return contexts === 0 ? GIOP_HEADER_SIZE + 4 : undefined;
}

function u32(msg: Buffer, at: number): number {
  return (msg[6] ?? 0) & 1 ? msg.readUInt32LE(at) : msg.readUInt32BE(at);
}

/** The request without its id: what must match for a replay. */
function shape(msg: Buffer, at: number): string {
  return Buffer.concat([msg.subarray(0, at), msg.subarray(at + 4)]).toString("latin1");
}

createServer((client: Socket) => {
  client.setNoDelay(true);
  const upstream = createConnection(target, "127.0.0.1");
  upstream.setNoDelay(true);
  const fromClient = new FrameAssembler();
  const fromServer = new FrameAssembler();
  const cache = new Map<string, Buffer>(); // request shape → reply bytes
  const waiting = new Map<number, string>(); // forwarded request id → shape, until its reply is cached
  client.on("data", (chunk: Buffer) => {
    for (const msg of fromClient.push(chunk)) {
      const at = msg[7] === 0 ? idOffset(msg) : undefined; // 0 = Request
      if (at !== undefined && msg.includes("read_attributes_5")) {
        const s = shape(msg, at);
        const reply = cache.get(s);
        if (reply) {
          const out = Buffer.from(reply);
          msg.copy(out, idOffset(out) ?? GIOP_HEADER_SIZE, at, at + 4);
          client.write(out);
          continue;
        }
        waiting.set(u32(msg, at), s);
      }
      upstream.write(msg);
    }
  });
  upstream.on("data", (chunk: Buffer) => {
    for (const msg of fromServer.push(chunk)) {
      const at = msg[7] === 1 ? idOffset(msg) : undefined; // 1 = Reply
      if (at !== undefined) {
        const id = u32(msg, at);
        const s = waiting.get(id);
        waiting.delete(id);
        if (s !== undefined && u32(msg, at + 4) === 0) cache.set(s, msg); // NO_EXCEPTION
      }
      client.write(msg);
    }
  });
  const end = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on("close", end);
  upstream.on("close", end);
  client.on("error", end);
  upstream.on("error", end);
}).listen(port, "127.0.0.1", () => process.stdout.write(`ready ${port}\n`));
