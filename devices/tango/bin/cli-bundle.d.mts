/** Types of cli-bundle.mjs (the CLI's cached esbuild bundle). */
export declare const DEFAULT_DEVICE_MODULES: readonly string[];
export declare const BUNDLE_DIR: string;
export declare function moduleKey(m: string, cwd?: string): string;
export declare function deviceModulesOf(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { required: string[]; optional: string[] };
export declare function bundleModules(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd?: string,
): { key: string; source: string }[];
export declare function bundlePaths(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd?: string,
): { bundle: string; meta: string; lock: string };
export declare function ensureBundle(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd?: string,
): Promise<string>;
export declare function loadBundledMain(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<((argv: readonly string[], env: Readonly<Record<string, string | undefined>>) => Promise<number>) | undefined>;
