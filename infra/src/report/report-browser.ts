/**
 * Looking at a generated Allure report the way a reader does: serve it over HTTP and let headless Chromium run
 * the single-page app, then return the rendered DOM. Used by the report tests and `scripts/check-report.ts`.
 * Chromium comes from Debian (`apt-get install -y chromium`).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
};

export interface StaticServer extends AsyncDisposable {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (random port), read-only, no directory listings. */
export async function serveDirectory(dir: string): Promise<StaticServer> {
  const root = normalize(dir);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
      if (!(file === root || file.startsWith(root + sep))) {
        res.writeHead(403).end();
        return;
      }
      try {
        const st = await stat(file);
        if (!st.isFile()) throw new RangeError("not a file");
        res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
        res.end(await readFile(file));
      } catch {
        res.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

/** The Chromium executable, or undefined when it is not installed. */
export function findChromium(candidates: readonly string[] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]): string | undefined {
  return candidates.find((c) => existsSync(c));
}

/** Loads `url` in headless Chromium, lets its scripts run for `budgetMs` of virtual time, returns the DOM. */
export async function dumpDom(
  url: string,
  opts: { chromium: string; budgetMs?: number; timeoutMs?: number; signal?: AbortSignal },
): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "report-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    `--virtual-time-budget=${opts.budgetMs ?? 10_000}`,
    "--dump-dom",
    url,
  ];
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(opts.chromium, args, { stdio: ["ignore", "pipe", "pipe"], ...(opts.signal ? { signal: opts.signal } : {}) });
      const out: Buffer[] = [];
      let err = "";
      child.stdout.on("data", (b: Buffer) => out.push(b));
      child.stderr.setEncoding("utf8").on("data", (t: string) => {
        err += t;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
        else reject(new RangeError(`chromium exited with code ${code} signal ${signal}: ${err.slice(-2000)}`));
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface ReportTestCase {
  readonly uid: string;
  readonly name: string;
  readonly status: string;
  readonly statusMessage: string;
  /** Step names, nested steps flattened in order. */
  readonly steps: readonly string[];
  readonly attachments: readonly { readonly name: string; readonly source: string; readonly type: string }[];
  readonly labels: Readonly<Record<string, string>>;
}

interface RawStep {
  readonly name?: string;
  readonly steps?: readonly RawStep[];
  readonly attachments?: readonly { name: string; source: string; type: string }[];
}

/** The test cases of a generated report, from its data files. */
export async function reportTestCases(reportDir: string): Promise<ReportTestCase[]> {
  const dir = join(reportDir, "data", "test-cases");
  const out: ReportTestCase[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith(".json"))) {
    const tc = JSON.parse(await readFile(join(dir, f), "utf8")) as RawStep & {
      uid: string;
      name: string;
      status: string;
      statusMessage?: string;
      labels?: { name: string; value: string }[];
      beforeStages?: RawStep[];
      testStage?: RawStep;
      afterStages?: RawStep[];
    };
    const steps: string[] = [];
    const attachments: { name: string; source: string; type: string }[] = [];
    const walk = (s: RawStep | undefined): void => {
      if (!s) return;
      for (const a of s.attachments ?? []) attachments.push(a);
      for (const c of s.steps ?? []) {
        if (c.name) steps.push(c.name);
        walk(c);
      }
    };
    for (const s of tc.beforeStages ?? []) walk(s);
    walk(tc.testStage);
    for (const s of tc.afterStages ?? []) walk(s);
    out.push({
      uid: tc.uid,
      name: tc.name,
      status: tc.status,
      statusMessage: tc.statusMessage ?? "",
      steps,
      attachments,
      labels: Object.fromEntries((tc.labels ?? []).map((l) => [l.name, l.value])),
    });
  }
  return out;
}

/** Visible text of a DOM dump (tags and scripts removed, entities decoded, whitespace collapsed). */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}
