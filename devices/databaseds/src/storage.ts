/**
 * Embedded SQLite storage of the Tango database, shaped like the MySQL schema of the C++ DataBaseds
 * (device, server, property_* and *_hist tables) so the command layer can follow DataBase.cpp one to one.
 *
 * Durability: WAL journal with synchronous=FULL, so every write transaction that returned has been
 * fsync'ed to the WAL file and survives kill -9 and power loss. Text columns use NOCASE collation to
 * reproduce MySQL's case-insensitive comparisons, LIKE and ORDER BY.
 */

import { DevFailed } from "@tango-bdd/tango";
import BetterSqlite3 from "better-sqlite3";

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export interface StorageOptions {
  /** SQLite file path, or ":memory:" for a throw-away database (tests). */
  readonly file: string;
  /** Number of history ids kept per property (C++ DataBase `historyDepth` device property, default 10). */
  readonly historyDepth?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS device (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  alias TEXT COLLATE NOCASE,
  domain TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  family TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  member TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  exported INTEGER DEFAULT 0,
  ior TEXT,
  host TEXT COLLATE NOCASE,
  server TEXT COLLATE NOCASE,
  pid INTEGER DEFAULT 0,
  class TEXT COLLATE NOCASE,
  version TEXT,
  started TEXT,
  stopped TEXT,
  comment TEXT
);
CREATE INDEX IF NOT EXISTS device_server ON device(server);
CREATE INDEX IF NOT EXISTS device_alias ON device(alias);
CREATE TABLE IF NOT EXISTS server (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  host TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  mode INTEGER DEFAULT 0,
  level INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS property (
  object TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT,
  updated TEXT, PRIMARY KEY (object, name, count)
);
CREATE TABLE IF NOT EXISTS property_device (
  device TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT,
  updated TEXT, PRIMARY KEY (device, name, count)
);
CREATE TABLE IF NOT EXISTS property_class (
  class TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT,
  updated TEXT, PRIMARY KEY (class, name, count)
);
CREATE TABLE IF NOT EXISTS property_attribute_device (
  device TEXT NOT NULL COLLATE NOCASE, attribute TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT, updated TEXT, PRIMARY KEY (device, attribute, name, count)
);
CREATE TABLE IF NOT EXISTS property_attribute_class (
  class TEXT NOT NULL COLLATE NOCASE, attribute TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT, updated TEXT, PRIMARY KEY (class, attribute, name, count)
);
CREATE TABLE IF NOT EXISTS property_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, object TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT
);
CREATE INDEX IF NOT EXISTS property_hist_key ON property_hist(object, name);
CREATE TABLE IF NOT EXISTS property_device_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, device TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT
);
CREATE INDEX IF NOT EXISTS property_device_hist_key ON property_device_hist(device, name);
CREATE TABLE IF NOT EXISTS property_class_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, class TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT
);
CREATE INDEX IF NOT EXISTS property_class_hist_key ON property_class_hist(class, name);
CREATE TABLE IF NOT EXISTS property_attribute_device_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, device TEXT NOT NULL COLLATE NOCASE, attribute TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT
);
CREATE INDEX IF NOT EXISTS property_attribute_device_hist_key ON property_attribute_device_hist(device, attribute, name);
CREATE TABLE IF NOT EXISTS property_attribute_class_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, class TEXT NOT NULL COLLATE NOCASE, attribute TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT
);
CREATE INDEX IF NOT EXISTS property_attribute_class_hist_key ON property_attribute_class_hist(class, attribute, name);
CREATE TABLE IF NOT EXISTS property_pipe_device (
  device TEXT NOT NULL COLLATE NOCASE, pipe TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT, updated TEXT, PRIMARY KEY (device, pipe, name, count)
);
CREATE TABLE IF NOT EXISTS property_pipe_class (
  class TEXT NOT NULL COLLATE NOCASE, pipe TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL COLLATE NOCASE,
  count INTEGER NOT NULL, value TEXT, updated TEXT, PRIMARY KEY (class, pipe, name, count)
);
CREATE TABLE IF NOT EXISTS property_pipe_device_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, device TEXT NOT NULL COLLATE NOCASE, pipe TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT
);
CREATE TABLE IF NOT EXISTS property_pipe_class_hist (
  id INTEGER NOT NULL, date TEXT NOT NULL, class TEXT NOT NULL COLLATE NOCASE, pipe TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL COLLATE NOCASE, count INTEGER NOT NULL, value TEXT
);
CREATE TABLE IF NOT EXISTS history_id (name TEXT NOT NULL PRIMARY KEY, id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS attribute_alias (
  alias TEXT NOT NULL COLLATE NOCASE PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, device TEXT COLLATE NOCASE,
  attribute TEXT COLLATE NOCASE, updated TEXT
);
CREATE TABLE IF NOT EXISTS event (
  name TEXT NOT NULL COLLATE NOCASE PRIMARY KEY, exported INTEGER DEFAULT 0, ior TEXT, host TEXT, server TEXT,
  pid INTEGER, version TEXT, started TEXT, stopped TEXT
);
`;

/** Local time as MySQL's NOW() prints it: `YYYY-MM-DD HH:MM:SS`. */
export function sqlNow(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A SQL error surfaces as the C++ server's DB_SQLError. */
function sqlError(err: unknown, origin: string): DevFailed {
  if (err instanceof DevFailed) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return DevFailed.from("DB_SQLError", `Failed to query TANGO database (error=${msg})`, origin, { cause: err });
}

export class Storage {
  readonly file: string;
  readonly historyDepth: number;
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(db: BetterSqlite3.Database, file: string, historyDepth: number) {
    this.#db = db;
    this.file = file;
    this.historyDepth = historyDepth;
  }

  /** Opens (and creates if needed) the database file; synchronous, done once at start-up. */
  static open(options: StorageOptions): Storage {
    let db: BetterSqlite3.Database;
    try {
      db = new BetterSqlite3(options.file);
      if (options.file !== ":memory:") {
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = FULL");
      }
      db.pragma("foreign_keys = OFF");
      db.exec(SCHEMA);
    } catch (err) {
      throw DevFailed.rethrow(err, "DB_SQLError", `Cannot open the database file ${options.file}`, "Storage.open");
    }
    return new Storage(db, options.file, options.historyDepth ?? 10);
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let st = this.#statements.get(sql);
    if (st === undefined) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  all(sql: string, ...params: SqlValue[]): Row[] {
    try {
      return this.#prepare(sql).all(...params) as Row[];
    } catch (err) {
      throw sqlError(err, "Storage.all");
    }
  }

  get(sql: string, ...params: SqlValue[]): Row | undefined {
    try {
      return this.#prepare(sql).get(...params) as Row | undefined;
    } catch (err) {
      throw sqlError(err, "Storage.get");
    }
  }

  /** First column of every row, as strings (NULL → ""). */
  column(sql: string, ...params: SqlValue[]): string[] {
    try {
      return (
        this.#prepare(sql)
          .raw(true)
          .all(...params) as SqlValue[][]
      ).map((r) => (r[0] === null || r[0] === undefined ? "" : String(r[0])));
    } catch (err) {
      throw sqlError(err, "Storage.column");
    }
  }

  run(sql: string, ...params: SqlValue[]): number {
    try {
      return this.#prepare(sql).run(...params).changes;
    } catch (err) {
      throw sqlError(err, "Storage.run");
    }
  }

  /** A caller-supplied SELECT (DbMySqlSelect): refused unless SQLite says the statement is read-only. */
  raw(sql: string): { rows: SqlValue[][]; columns: number } {
    let st: BetterSqlite3.Statement;
    try {
      st = this.#db.prepare(sql);
    } catch (err) {
      throw sqlError(err, "Storage.raw");
    }
    if (!st.readonly || !st.reader)
      throw DevFailed.from("DB_IncorrectArguments", `Only SELECT statements are allowed: '${sql}'`, "Storage.raw");
    try {
      const rows = st.raw(true).all() as SqlValue[][];
      return { rows, columns: st.columns().length };
    } catch (err) {
      throw sqlError(err, "Storage.raw");
    }
  }

  /** Runs `fn` in one write transaction: all or nothing, durable when it returns. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Next history id for a property family (`device`, `class`, `object`, `device_attribute`, `class_attribute`). */
  nextHistoryId(kind: string): number {
    this.run("INSERT INTO history_id(name, id) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET id = id + 1", kind);
    const row = this.get("SELECT id FROM history_id WHERE name = ?", kind);
    return Number(row?.id ?? 1);
  }

  /** Keeps the newest `historyDepth` history entries (ids) of one property (C++ purge_property). */
  purgeHistory(table: string, keyColumns: readonly string[], keys: readonly SqlValue[]): void {
    const where = keyColumns.map((c) => `${c} = ?`).join(" AND ");
    const ids = this.column(`SELECT DISTINCT id FROM ${table} WHERE ${where} ORDER BY id DESC`, ...keys);
    if (ids.length > this.historyDepth) {
      const oldestKept = Number(ids[this.historyDepth - 1]);
      this.run(`DELETE FROM ${table} WHERE ${where} AND id < ?`, ...keys, oldestKept);
    }
  }

  /** Copies the whole database into a consistent snapshot file (online backup). */
  async backup(target: string): Promise<void> {
    await this.#db.backup(target);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
