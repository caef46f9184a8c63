/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), for the servers a test starts. */
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}
