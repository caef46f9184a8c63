/**
 * Prints, as JSON, a ready-to-send GIOP 1.2 `read_attributes_5` request for <device> <attribute> (resolved through the
 * database at TANGO_HOST, source CACHE_DEV, C++ client identity: what PyTango sends) and the server's host and port.
 * bench/raw-client.py replays it on a blocking socket to measure the server's own floor (see bench/README.md).
 * Usage: TANGO_HOST=127.0.0.1:10000 node --import tsx bench/raw-request.ts sys/tg_test/1 double_scalar
 */
import { Database, DevSource, TangoContext } from "@tango-bdd/tango";
import { encodeRequest, iiopProfiles, parseIor, profileEndpoints, writeClntIdent } from "@tango-bdd/tango/internal";

const [device = "sys/tg_test/1", attribute = "double_scalar"] = process.argv.slice(2);
const context = TangoContext.fromEnv(process.env);
try {
  const db = await Database.connect({ context });
  const info = await db.getDeviceInfo(device);
  const profile = iiopProfiles(parseIor(info.ior))[0];
  const endpoint = profile ? profileEndpoints(profile)[0] : undefined;
  if (!profile || !endpoint) throw new Error(`${device}: no IIOP profile in its IOR`);
  const request = encodeRequest({ requestId: 1, objectKey: profile.objectKey, operation: "read_attributes_5" }, (w) => {
    w.stringSeq([attribute]);
    w.ulong(DevSource.CACHE_DEV);
    writeClntIdent(w, { lang: "CPP", pid: process.pid });
  });
  process.stdout.write(`${JSON.stringify({ host: endpoint.host, port: endpoint.port, request_hex: request.toString("hex") })}\n`);
} finally {
  await context.close();
}
