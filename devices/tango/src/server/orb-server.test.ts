/** The GIOP server over real sockets: versions, fragments, locate, system exceptions, and malformed input. */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { CdrWriter } from "../cdr/cdr.ts";
import { readAny } from "../corba/typecode.ts";
import { decodeMessage, encodeLocateRequest, encodeRequest, FrameAssembler, GIOP_HEADER_SIZE, type GiopMessage } from "../giop/giop.ts";
import { writeClntIdent } from "../idl/structs.ts";
import { typeCodeForArg } from "../idl/typecodes.ts";
import { DeviceServer } from "./server.ts";
import { AllTypes } from "./test-fixtures/interop-device.ts";

/** A raw GIOP client: sends bytes, collects complete messages, reports the socket's end. */
class RawClient {
  readonly socket: Socket;
  readonly messages: GiopMessage[] = [];
  readonly #asm = new FrameAssembler();
  #waiters: (() => void)[] = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect({ host: "127.0.0.1", port });
    this.socket.on("data", (b) => {
      for (const m of this.#asm.push(b)) this.messages.push(decodeMessage(m));
      this.#wake();
    });
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closed = true;
      this.#wake();
    });
  }
  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((r) => this.#waiters.push(r));
  }
  async next(): Promise<GiopMessage> {
    const n = this.messages.length;
    await this.until(() => this.messages.length > n || this.closed);
    const m = this.messages[n];
    if (!m) throw new Error("connection closed without a message");
    return m;
  }
  send(b: Uint8Array): void {
    this.socket.write(b);
  }
  close(): void {
    this.socket.destroy();
  }
}

const key = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

function commandRequest(id: number, device: string, cmd: string, minor = 2): Buffer {
  return encodeRequest(
    { requestId: id, objectKey: key(device), operation: "command_inout_4" },
    (w) => {
      w.string(cmd);
      const t = typeCodeForArg("DevVoid");
      if (!t) throw new Error("no typecode");
      w.ulong(0); // tk_null Any
      w.ulong(0); // DevSource DEV
      writeClntIdent(w, { lang: "CPP", pid: 1 });
    },
    { minor },
  );
}

describe("OrbServer over TCP", () => {
  let server: DeviceServer;
  const clients: RawClient[] = [];
  const client = (): RawClient => {
    const c = new RawClient(server.port);
    clients.push(c);
    return c;
  };

  before(async () => {
    server = new DeviceServer({ serverName: "OrbTest", instance: "t", classes: [AllTypes], devices: ["test/orb/1"], host: "127.0.0.1" });
    await server.start();
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  test("replies in the request's GIOP version (1.0, 1.1, 1.2) and byte order", async () => {
    const c = client();
    for (const minor of [0, 1, 2]) {
      c.send(commandRequest(10 + minor, "test/orb/1", "State", minor));
      const m = await c.next();
      assert.equal(m.type, "Reply");
      if (m.type !== "Reply") return;
      assert.equal(m.header.minor, minor);
      assert.equal(m.requestId, 10 + minor);
      assert.equal(m.status, "NO_EXCEPTION");
      assert.equal(readAny(m.body).value, 0); // ON
    }
    const be = encodeRequest({ requestId: 20, objectKey: key("test/orb/1"), operation: "_non_existent" }, undefined, {
      littleEndian: false,
    });
    c.send(be);
    const m = await c.next();
    assert.equal(m.header.littleEndian, false);
    assert.equal(m.type === "Reply" && m.body.boolean(), false);
  });

  test("object keys match case-insensitively and with #dbase=no", async () => {
    const c = client();
    c.send(commandRequest(1, "TEST/Orb/1#dbase=no", "Status"));
    const m = await c.next();
    assert.equal(m.type === "Reply" && m.status, "NO_EXCEPTION");
  });

  test("one connection switching between object keys reaches each key's servant", async () => {
    const c = client();
    const keys = ["test/orb/1", "dserver/OrbTest/t", "TEST/ORB/1#dbase=no", "test/orb/2", "test/orb/1", "test/orb/1", "DServer/orbtest/T"];
    for (const [i, k] of keys.entries()) {
      c.send(encodeRequest({ requestId: 100 + i, objectKey: key(k), operation: "_get_name" }));
      const m = await c.next();
      assert.ok(m.type === "Reply" && m.requestId === 100 + i, k);
      if (k === "test/orb/2") {
        assert.equal(m.status, "SYSTEM_EXCEPTION", k);
        assert.equal(m.body.string(), "IDL:omg.org/CORBA/OBJECT_NOT_EXIST:1.0");
      } else {
        assert.equal(m.status, "NO_EXCEPTION", k);
        assert.equal(m.body.string().toLowerCase(), k.replace("#dbase=no", "").toLowerCase());
      }
    }
  });

  test("unknown key → OBJECT_NOT_EXIST, unknown operation → BAD_OPERATION, bad arguments → MARSHAL; the connection stays usable", async () => {
    const c = client();
    c.send(commandRequest(1, "no/such/device", "State"));
    let m = await c.next();
    assert.ok(m.type === "Reply" && m.status === "SYSTEM_EXCEPTION");
    if (m.type === "Reply") assert.equal(m.body.string(), "IDL:omg.org/CORBA/OBJECT_NOT_EXIST:1.0");
    c.send(encodeRequest({ requestId: 2, objectKey: key("test/orb/1"), operation: "no_such_op" }));
    m = await c.next();
    if (m.type === "Reply") assert.equal(m.body.string(), "IDL:omg.org/CORBA/BAD_OPERATION:1.0");
    c.send(encodeRequest({ requestId: 3, objectKey: key("test/orb/1"), operation: "read_attributes_5" }, (w) => w.ulong(1000)));
    m = await c.next();
    assert.ok(m.type === "Reply" && m.status === "SYSTEM_EXCEPTION");
    if (m.type === "Reply") assert.equal(m.body.string(), "IDL:omg.org/CORBA/MARSHAL:1.0");
    c.send(commandRequest(4, "test/orb/1", "State"));
    m = await c.next();
    assert.ok(m.type === "Reply" && m.status === "NO_EXCEPTION");
  });

  test("a DevFailed travels as USER_EXCEPTION IDL:Tango/DevFailed:1.0", async () => {
    const c = client();
    c.send(commandRequest(7, "test/orb/1", "NoSuchCommand"));
    const m = await c.next();
    assert.ok(m.type === "Reply" && m.status === "USER_EXCEPTION");
    if (m.type !== "Reply") return;
    assert.equal(m.body.string(), "IDL:Tango/DevFailed:1.0");
    assert.equal(m.body.ulong(), 1);
    assert.equal(m.body.string(), "API_CommandNotFound");
  });

  test("LocateRequest → OBJECT_HERE / UNKNOWN_OBJECT", async () => {
    const c = client();
    c.send(encodeLocateRequest(5, key("test/orb/1")));
    let m = await c.next();
    assert.ok(m.type === "LocateReply" && m.status === 1);
    c.send(encodeLocateRequest(6, key("nope/nope/nope")));
    m = await c.next();
    assert.ok(m.type === "LocateReply" && m.status === 0);
  });

  test("a request sent as GIOP 1.2 fragments (and byte by byte) is reassembled", async () => {
    const c = client();
    const whole = commandRequest(9, "test/orb/1", "Status");
    // Split the body: first message (header + 16 body bytes, more-fragments flag), then a Fragment with the rest.
    const cut = GIOP_HEADER_SIZE + 16;
    const first = Buffer.from(whole.subarray(0, cut));
    first[6] = (first[6] as number) | 2;
    first.writeUInt32LE(cut - GIOP_HEADER_SIZE, 8);
    const rest = whole.subarray(cut);
    const frag = new CdrWriter({ littleEndian: true });
    frag.raw(Buffer.from("GIOP"));
    frag.octet(1);
    frag.octet(2);
    frag.octet(1);
    frag.octet(7);
    frag.ulong(4 + rest.length);
    frag.ulong(9);
    frag.raw(rest);
    const bytes = Buffer.concat([first, frag.finish()]);
    for (const b of bytes) c.send(Buffer.from([b]));
    const m = await c.next();
    assert.ok(m.type === "Reply" && m.requestId === 9 && m.status === "NO_EXCEPTION");
  });

  for (const [what, bytes] of [
    ["bad magic", Buffer.from("GIOX\x01\x02\x01\x00\x00\x00\x00\x00", "latin1")],
    ["unsupported version", Buffer.from("GIOP\x02\x00\x01\x00\x00\x00\x00\x00", "latin1")],
    ["unknown message type", Buffer.from("GIOP\x01\x02\x01\x09\x00\x00\x00\x00", "latin1")],
    ["oversize length", Buffer.from("GIOP\x01\x02\x01\x00\xff\xff\xff\x7f", "latin1")],
    ["truncated request header", Buffer.from("GIOP\x01\x02\x01\x00\x06\x00\x00\x00\x01\x00\x00\x00\x03\x00", "latin1")],
    ["stray fragment", Buffer.from("GIOP\x01\x02\x01\x07\x04\x00\x00\x00\x63\x00\x00\x00", "latin1")],
    [
      "reply sent to a server",
      Buffer.from("GIOP\x01\x02\x01\x01\x0c\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "latin1"),
    ],
  ] as const) {
    test(`${what}: MessageError, that connection closed, other clients still served`, async () => {
      const bystander = client();
      const bad = client();
      bad.send(bytes);
      await bad.until(() => bad.closed);
      assert.ok(
        bad.messages.some((m) => m.type === "MessageError"),
        `expected a MessageError, got ${bad.messages.map((m) => m.type).join(",")}`,
      );
      bystander.send(commandRequest(1, "test/orb/1", "State"));
      const m = await bystander.next();
      assert.ok(m.type === "Reply" && m.status === "NO_EXCEPTION");
    });
  }

  test("a client that sends half a message and disconnects does not disturb the server", async () => {
    const bad = client();
    bad.send(commandRequest(1, "test/orb/1", "State").subarray(0, 30));
    bad.close();
    const c = client();
    c.send(commandRequest(2, "test/orb/1", "State"));
    const m = await c.next();
    assert.ok(m.type === "Reply" && m.status === "NO_EXCEPTION");
  });
});

test("close() sends CloseConnection to idle clients", async () => {
  const server = new DeviceServer({
    serverName: "OrbTest",
    instance: "c",
    classes: [AllTypes],
    devices: ["test/orb/2"],
    host: "127.0.0.1",
  });
  await server.start();
  const c = new RawClient(server.port);
  c.send(commandRequest(1, "test/orb/2", "State"));
  await c.next();
  await server.close();
  await c.until(() => c.closed);
  assert.equal(c.messages.at(-1)?.type, "CloseConnection");
  c.close();
});

test("IORs carry the publish host and port, not the bind address", async () => {
  const server = new DeviceServer({
    serverName: "OrbTest",
    instance: "p",
    classes: [AllTypes],
    devices: ["test/orb/3"],
    host: "127.0.0.1",
    publishHost: "tango-ds.example.svc",
    publishPort: 45000,
  });
  await server.start();
  try {
    const { parseIor, iiopProfiles } = await import("../corba/ior.ts");
    const p = iiopProfiles(parseIor(server.orb.iorFor("test/orb/3")))[0];
    assert.equal(p?.host, "tango-ds.example.svc");
    assert.equal(p?.port, 45000);
    assert.equal(Buffer.from(p?.objectKey ?? []).toString(), "test/orb/3");
  } finally {
    await server.close();
  }
});
