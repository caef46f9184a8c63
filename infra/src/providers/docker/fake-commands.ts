/**
 * Stand-in commands for testing the docker provider's plumbing (network, labels, published addresses, kill/restart,
 * logs, cleanup) with nothing but node in the runtime image: the "database" and the "servers" are TCP echo servers
 * that print the ports they listen on.
 */
import type { DockerCommands } from "./docker-provider.ts";

const echo = (ports: readonly number[], banner: string): string[] => [
  "node",
  "-e",
  `const net = require("node:net");
   const ports = ${JSON.stringify(ports)};
   let up = 0;
   for (const p of ports) net.createServer((s) => { s.on("error", () => {}); s.pipe(s); }).listen(p, "0.0.0.0", () => {
     if (++up === ports.length) console.log(${JSON.stringify(banner)} + " listening " + ports.join(" "));
   });
   process.on("SIGTERM", () => process.exit(0));`,
];

export const echoCommands: DockerCommands = {
  database: (port) => echo([port], "db"),
  // Prints the servers of the copied dsconfig into the container's log (the main process's stdout).
  loadConfig: (path) => [
    "node",
    "-e",
    `const fs = require("node:fs"); const c = JSON.parse(fs.readFileSync(${JSON.stringify(path)}, "utf8"));
     fs.appendFileSync("/proc/1/fd/1", "loaded servers: " + Object.keys(c.servers).join(",") + "\\n");`,
  ],
  server: (spec, ports, publishHost) =>
    echo([ports.giop, ports.heartbeat, ports.event], `${spec.server}/${spec.instance} publish ${publishHost}`),
};
