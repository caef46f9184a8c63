/**
 * GiopConnection over real sockets against a scripted in-process GIOP peer: multiplexing, out-of-order replies,
 * fragments, timeouts, aborts, CloseConnection, refused connects and transparent re-open.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import { decodeMessage, encodeReply, encodeSimple, FrameAssembler, type RequestMessage } from "../giop/giop.ts";
import { GiopConnection, REQUEST_TIMED_OUT, TransportFailure } from "./connection.ts";
import { ConnectionPool } from "./pool.ts";

type Handler = (req: RequestMessage, sock: Socket) => void;

interface Peer {
  readonly port: number;
  readonly sockets: Set<Socket>;
  handler: Handler;
  close(): Promise<void>;
}

const peers: Peer[] = [];
after(async () => {
  for (const p of peers) await p.close();
});

/** Echo server: replies to `echo` with the double argument; the handler can be replaced per test. */
async function startPeer(): Promise<Peer> {
  const sockets = new Set<Socket>();
  const peer: Peer = {
    port: 0,
    sockets,
    handler: (req, sock) => {
      const v = req.body.double();
      sock.write(encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(v)));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const fa = new FrameAssembler();
    sock.on("data", (chunk) => {
      for (const m of fa.push(chunk)) {
        const msg = decodeMessage(m);
        if (msg.type === "Request") peer.handler(msg, sock);
      }
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  (peer as { port: number }).port = (server.address() as { port: number }).port;
  peers.push(peer);
  return peer;
}

const KEY = new Uint8Array(Buffer.from("dev/x/1"));

function call(c: GiopConnection, v: number, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  return c
    .request(KEY, "echo", (w) => w.double(v), { timeoutMs: opts.timeoutMs ?? 2000, ...(opts.signal ? { signal: opts.signal } : {}) })
    .then((r) => r.body.double());
}

describe("GiopConnection", () => {
  test("request/reply, and concurrent requests answered out of order", async () => {
    const peer = await startPeer();
    const held: { req: RequestMessage; sock: Socket; v: number }[] = [];
    peer.handler = (req, sock) => {
      held.push({ req, sock, v: req.body.double() });
      if (held.length === 3) {
        for (const h of held.reverse()) {
          h.sock.write(encodeReply({ requestId: h.req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(h.v * 10)));
        }
      }
    };
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      assert.deepEqual(await Promise.all([call(c, 1), call(c, 2), call(c, 3)]), [10, 20, 30]);
      assert.equal(c.opened, 1);
      assert.equal(c.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  test("a reply split in GIOP fragments and delivered byte by byte", async () => {
    const peer = await startPeer();
    peer.handler = (req, sock) => {
      const whole = encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => {
        for (let i = 0; i < 3000; i++) w.double(i);
      });
      // first part: header + 8-aligned chunk with the more-fragments flag; then a Fragment with the rest
      const cut = 8192;
      const first = Buffer.from(whole.subarray(0, cut));
      first[6] = (first[6] as number) | 2;
      first.writeUInt32LE(cut - 12, 8);
      const rest = whole.subarray(cut);
      const frag = Buffer.alloc(16 + rest.length);
      frag.write("GIOP", 0, "latin1");
      frag[4] = 1;
      frag[5] = 2;
      frag[6] = 1;
      frag[7] = 7;
      frag.writeUInt32LE(4 + rest.length, 8);
      frag.writeUInt32LE(req.requestId, 12);
      rest.copy(frag, 16);
      const all = Buffer.concat([first, frag]);
      let i = 0;
      const drip = (): void => {
        if (i >= all.length) return;
        sock.write(all.subarray(i, i + 997));
        i += 997;
        setImmediate(drip);
      };
      drip();
    };
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      const r = await c.request(KEY, "big", undefined, { timeoutMs: 5000 });
      const values = Array.from({ length: 3000 }, () => r.body.double());
      assert.equal(values[2999], 2999);
      assert.equal(values[1234], 1234);
    } finally {
      c.close();
    }
  });

  test("timeout rejects with REQUEST_TIMED_OUT (or the given error) and a late reply is ignored", async () => {
    const peer = await startPeer();
    let late: (() => void) | undefined;
    peer.handler = (req, sock) => {
      const v = req.body.double();
      const reply = encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(v));
      if (v === 1) late = () => sock.write(reply);
      else sock.write(reply);
    };
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      await assert.rejects(call(c, 1, { timeoutMs: 50 }), (e: unknown) => e === REQUEST_TIMED_OUT);
      const mine = new Error("mine");
      await assert.rejects(
        c.request(KEY, "echo", (w) => w.double(1), { timeoutMs: 50, timeoutError: mine }),
        (e: unknown) => e === mine,
      );
      late?.();
      assert.equal(await call(c, 2), 2);
      assert.equal(c.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  test("AbortSignal rejects the call with the abort error", async () => {
    const peer = await startPeer();
    peer.handler = () => {};
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      const ac = new AbortController();
      const p = c.request(KEY, "echo", (w) => w.double(1), { timeoutMs: 5000, signal: ac.signal, abortError: () => new Error("aborted!") });
      setImmediate(() => ac.abort());
      await assert.rejects(p, /aborted!/);
      assert.equal(c.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  test("CloseConnection fails pending calls with TRANSIENT COMPLETED_NO; the next call re-opens", async () => {
    const peer = await startPeer();
    let first = true;
    peer.handler = (req, sock) => {
      if (first) {
        first = false;
        sock.write(encodeSimple("CloseConnection"));
        sock.end();
        return;
      }
      sock.write(encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(req.body.double())));
    };
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      await assert.rejects(call(c, 1), (e: unknown) => e instanceof TransportFailure && e.completed === "NO" && !e.connectFailed);
      assert.equal(await call(c, 2), 2);
      assert.equal(c.opened, 2);
    } finally {
      c.close();
    }
  });

  test("a socket closed by the server without a reply is COMPLETED_MAYBE", async () => {
    const peer = await startPeer();
    peer.handler = (_req, sock) => sock.destroy();
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      await assert.rejects(call(c, 1), (e: unknown) => e instanceof TransportFailure && e.completed === "MAYBE");
    } finally {
      c.close();
    }
  });

  test("connect refused → TransportFailure connectFailed, COMPLETED_NO", async () => {
    const peer = await startPeer();
    const port = peer.port;
    await peer.close();
    peers.splice(peers.indexOf(peer), 1);
    const c = new GiopConnection("127.0.0.1", port);
    await assert.rejects(call(c, 1), (e: unknown) => e instanceof TransportFailure && e.connectFailed && e.completed === "NO");
    c.close();
  });

  test("a connect that never completes (full accept backlog) fails as a connect failure at the deadline", async (t) => {
    // A listener with backlog 0 whose queue is already full: the kernel drops our SYNs, connect() hangs.
    const py = spawn(
      "/usr/bin/python3",
      [
        "-c",
        [
          "import socket,time",
          "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0); a=s.getsockname(); cs=[]",
          "for _ in range(4):\n c=socket.socket(); c.setblocking(False); c.connect_ex(a); cs.append(c)",
          "time.sleep(0.2); print(a[1], flush=True); time.sleep(60)",
        ].join("\n"),
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    t.after(() => {
      py.kill("SIGKILL");
    });
    const port = await new Promise<number>((resolve, reject) => {
      py.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
      py.once("error", reject);
    });
    const c = new GiopConnection("127.0.0.1", port);
    try {
      await assert.rejects(
        call(c, 1, { timeoutMs: 200 }),
        (e: unknown) => e instanceof TransportFailure && e.connectFailed && e.completed === "NO" && /timed out/.test(e.message),
      );
    } finally {
      c.close();
    }
  });

  test("garbage from the peer fails the pending calls with MARSHAL, never crashes", async () => {
    const peer = await startPeer();
    peer.handler = (_req, sock) => sock.write(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      await assert.rejects(call(c, 1), (e: unknown) => e instanceof TransportFailure && e.shortName === "MARSHAL");
    } finally {
      c.close();
    }
  });

  test("the pool shares one connection per endpoint", async () => {
    const peer = await startPeer();
    const pool = new ConnectionPool();
    try {
      const a = pool.get("127.0.0.1", peer.port);
      assert.equal(pool.get("127.0.0.1", peer.port), a);
      assert.equal(await call(a, 4), 4);
      assert.equal(peer.sockets.size, 1);
      assert.equal(pool.size, 1);
    } finally {
      pool.close();
    }
    assert.equal(pool.size, 0);
  });
});
