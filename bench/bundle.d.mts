/** Bundles `entry` (a .ts path) to `outfile` (default: beside it, `<name>.bundle.mjs`); returns the output path. */
export function bundleBench(entry: string, outfile?: string): Promise<string>;
