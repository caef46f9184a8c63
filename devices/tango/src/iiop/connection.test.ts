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

  test("each call times out at its own deadline: a later call does not inherit an earlier call's timer", async () => {
    const peer = await startPeer();
    // Answers only v >= 100 (the others never get a reply).
    peer.handler = (req, sock) => {
      const v = req.body.double();
      if (v >= 100) sock.write(encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(v)));
    };
    const c = new GiopConnection("127.0.0.1", peer.port);
    try {
      // An answered call leaves the shared timer armed for its own (now irrelevant) deadline, 300 ms ahead.
      assert.equal(await call(c, 100, { timeoutMs: 300 }), 100);
      await new Promise((r) => setTimeout(r, 150));
      // This call must time out 300 ms after it started, not when the first call's deadline passes (~150 ms from now).
      let t0 = performance.now();
      await assert.rejects(call(c, 1, { timeoutMs: 300 }), (e: unknown) => e === REQUEST_TIMED_OUT);
      let took = performance.now() - t0;
      assert.ok(took >= 295 && took < 1000, `timed out after ${took.toFixed(1)} ms, expected ~300`);
      // A short call while a long one is pending times out at its own deadline; the long one keeps running and
      // times out at its own deadline too.
      t0 = performance.now();
      const long = call(c, 2, { timeoutMs: 600 }).then(
        () => Number.NaN,
        (e: unknown) => (e === REQUEST_TIMED_OUT ? performance.now() - t0 : Number.NaN),
      );
      await assert.rejects(call(c, 3, { timeoutMs: 100 }), (e: unknown) => e === REQUEST_TIMED_OUT);
      took = performance.now() - t0;
      assert.ok(took >= 95 && took < 500, `short call timed out after ${took.toFixed(1)} ms, expected ~100`);
      assert.equal(c.pendingCount, 1, "the long call is still pending");
      assert.equal(await call(c, 101, { timeoutMs: 50 }), 101, "calls answered in time still succeed meanwhile");
      const longTook = await long;
      assert.ok(longTook >= 595 && longTook < 1500, `long call timed out after ${longTook.toFixed(1)} ms, expected ~600`);
      assert.equal(c.pendingCount, 0);
    } finally {
      c.close();
    }
  });

  test("a pending call keeps the process alive until its deadline; an idle connection does not", async () => {
    const peer = await startPeer();
    peer.handler = (req, sock) => {
      const v = req.body.double();
      if (v >= 100) sock.write(encodeReply({ requestId: req.requestId, status: "NO_EXCEPTION" }, (w) => w.double(v)));
    };
    // A child process whose only work is its calls: an unanswered one (300 ms) must keep it alive until it times
    // out; after an answered call with a 20 s timeout, the idle connection must not hold it until that deadline.
    const script = [
      `import { GiopConnection, REQUEST_TIMED_OUT } from ${JSON.stringify(new URL("./connection.ts", import.meta.url).href)};`,
      `const c = new GiopConnection("127.0.0.1", ${peer.port});`,
      "const call = (v, timeoutMs) => c.request(new Uint8Array([1]), 'echo', (w) => w.double(v), { timeoutMs });",
      "const t0 = performance.now();",
      "call(1, 300).then(",
      "  () => console.log('replied'),",
      "  (e) => {",
      "    console.log(e === REQUEST_TIMED_OUT ? 'timeout ' + Math.round(performance.now() - t0) : 'error ' + e);",
      "    call(100, 20000).then((r) => console.log('reply ' + r.body.double()), (e) => console.log('error ' + e));",
      "  },",
      ");",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += String(d);
    });
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const took = performance.now() - t0;
    assert.equal(code, 0);
    const m = /^timeout (\d+)\nreply 100$/.exec(out.trim());
    assert.ok(m, `child printed ${JSON.stringify(out)}`);
    assert.ok(Number(m[1]) >= 295, `timed out after ${m[1]} ms`);
    assert.ok(took < 10_000, `child took ${took.toFixed(0)} ms to exit (held by the 20 s deadline of an answered call?)`);
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
