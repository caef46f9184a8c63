/**
 * The DataBase class commands, as pure functions from argin to argout with the exact layouts,
 * error reasons and orderings of the C++ DataBaseds (TangoDatabase DataBase.cpp, cross-checked
 * against the cppTango 9.3.4 reference DataBaseds on MariaDB).
 */
import { DevFailed } from "@tango-bdd/tango";
import { type Row, type SqlValue, type Storage, sqlNow } from "./storage.ts";
import { checkDeviceName, infoDate, likePattern, rawLike, splitDeviceName } from "./wildcard.ts";

export interface LongStringArray {
  readonly lvalue: readonly number[];
  readonly svalue: readonly string[];
}

export type DbArgType = "DevVoid" | "DevString" | "DevVarStringArray" | "DevVarLongStringArray";
export type DbValue = undefined | string | readonly string[] | LongStringArray;

export interface DbCommand {
  readonly name: string;
  readonly in: DbArgType;
  readonly out: DbArgType;
  readonly inDesc: string;
  readonly outDesc: string;
  run(argin: DbValue): DbValue;
}

export interface DataBaseIdentity {
  /** Tango name of the database device (DbInfo first line, started date). */
  readonly deviceName: string;
}

const LIKE = "LIKE ? ESCAPE '\\'";

function fail(reason: string, desc: string, origin: string): never {
  throw DevFailed.from(reason, desc, origin);
}

function asString(v: DbValue, origin: string): string {
  if (typeof v === "string") return v;
  return fail("API_IncompatibleCmdArgumentType", "Expected a DevString argument", origin);
}

function asArray(v: DbValue, origin: string): readonly string[] {
  if (Array.isArray(v)) return v as readonly string[];
  return fail("API_IncompatibleCmdArgumentType", "Expected a DevVarStringArray argument", origin);
}

/** Bounds-checked read of a flat string array (malformed input → DB_IncorrectArguments, never a crash). */
class Cursor {
  readonly #a: readonly string[];
  readonly #origin: string;
  pos: number;
  constructor(a: readonly string[], origin: string, pos = 0) {
    this.#a = a;
    this.#origin = origin;
    this.pos = pos;
  }
  next(): string {
    const v = this.#a[this.pos];
    if (v === undefined) fail("DB_IncorrectArguments", `Argument list too short (index ${this.pos})`, this.#origin);
    this.pos++;
    return v;
  }
  count(): number {
    const s = this.next();
    const n = Number.parseInt(s, 10);
    if (!Number.isFinite(n) || n < 0 || n > 1_000_000)
      fail("DB_IncorrectArguments", `Bad count "${s}" at index ${this.pos - 1}`, this.#origin);
    return n;
  }
}

const str = (v: SqlValue | undefined): string => (v === null || v === undefined ? "" : String(v));
const int = (s: string): number => {
  const n = Number.parseInt(s, 10);
  return Number.isFinite(n) ? n : 0;
};

/** Groups `(name, value)` rows ordered by name,count into `name, n, values…` blocks. */
function groupValues(rows: readonly Row[], nameCol = "name"): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (const r of rows) {
    const name = str(r[nameCol]);
    const last = out[out.length - 1];
    if (last !== undefined && last.name === name) last.values.push(str(r.value));
    else out.push({ name, values: [str(r.value)] });
  }
  return out;
}

const sub = (t: PropTable): string => t.sub ?? "attribute";

function flattenGroups(groups: readonly { name: string; values: readonly string[] }[]): string[] {
  const out: string[] = [];
  for (const g of groups) out.push(g.name, String(g.values.length), ...g.values);
  return out;
}

/** Property families of the C++ schema. */
interface PropTable {
  readonly table: string;
  readonly key: string;
  readonly hist: string;
  readonly histKind: string;
  /** Second key of attribute/pipe property tables. */
  readonly sub?: string;
}
const DEVICE_PROPS: PropTable = { table: "property_device", key: "device", hist: "property_device_hist", histKind: "device" };
const CLASS_PROPS: PropTable = { table: "property_class", key: "class", hist: "property_class_hist", histKind: "class" };
const OBJECT_PROPS: PropTable = { table: "property", key: "object", hist: "property_hist", histKind: "object" };
const DEVICE_ATTR_PROPS: PropTable = {
  table: "property_attribute_device",
  key: "device",
  hist: "property_attribute_device_hist",
  histKind: "device_attribute",
  sub: "attribute",
};
const CLASS_ATTR_PROPS: PropTable = {
  table: "property_attribute_class",
  key: "class",
  hist: "property_attribute_class_hist",
  histKind: "class_attribute",
  sub: "attribute",
};
const DEVICE_PIPE_PROPS: PropTable = {
  table: "property_pipe_device",
  key: "device",
  hist: "property_pipe_device_hist",
  histKind: "device_pipe",
  sub: "pipe",
};
const CLASS_PIPE_PROPS: PropTable = {
  table: "property_pipe_class",
  key: "class",
  hist: "property_pipe_class_hist",
  histKind: "class_pipe",
  sub: "pipe",
};

export class DataBaseCommands {
  readonly #s: Storage;
  readonly #id: DataBaseIdentity;
  readonly commands: ReadonlyMap<string, DbCommand>;

  constructor(storage: Storage, identity: DataBaseIdentity) {
    this.#s = storage;
    this.#id = identity;
    this.commands = this.#build();
  }

  /** Runs one command by its Tango name (case-insensitive as in Tango). */
  execute(name: string, argin: DbValue): DbValue {
    const cmd = this.commands.get(name.toLowerCase());
    if (cmd === undefined) fail("API_CommandNotFound", `Command ${name} not found`, "DataBase::command_inout");
    return cmd.run(argin);
  }

  // ---------------------------------------------------------------- properties (shared helpers)

  /** DbGet{Device,}Property layout: `[obj, N, (name, n, values | " ")…]`; class form has no " ". */
  #getProps(t: PropTable, argin: readonly string[], blankWhenMissing: boolean, wildcard: boolean): string[] {
    const obj = argin[0] ?? "";
    const out = [obj, String(argin.length - 1)];
    for (let i = 1; i < argin.length; i++) {
      const name = argin[i] ?? "";
      const rows = this.#s.column(
        `SELECT value FROM ${t.table} WHERE ${t.key} = ? AND name ${LIKE} ORDER BY count`,
        obj,
        wildcard ? likePattern(name) : rawLike(name),
      );
      out.push(name, String(rows.length));
      if (rows.length > 0) out.push(...rows);
      else if (blankWhenMissing) out.push(" ");
    }
    return out;
  }

  #putProps(t: PropTable, argin: readonly string[], origin: string, objectExact: boolean): undefined {
    const c = new Cursor(argin, origin);
    const obj = c.next();
    const n = c.count();
    const entries: { name: string; values: string[] }[] = [];
    for (let i = 0; i < n; i++) {
      const name = c.next();
      const nv = c.count();
      const values: string[] = [];
      for (let j = 0; j < nv; j++) values.push(c.next());
      entries.push({ name, values });
    }
    const now = sqlNow();
    this.#s.transaction(() => {
      for (const { name, values } of entries) {
        if (objectExact) this.#s.run(`DELETE FROM ${t.table} WHERE ${t.key} = ? AND name = ?`, obj, name);
        else this.#s.run(`DELETE FROM ${t.table} WHERE ${t.key} ${LIKE} AND name ${LIKE}`, rawLike(obj), rawLike(name));
        const id = this.#s.nextHistoryId(t.histKind);
        values.forEach((v, k) => {
          this.#s.run(`INSERT INTO ${t.table}(${t.key}, name, count, value, updated) VALUES (?, ?, ?, ?, ?)`, obj, name, k + 1, v, now);
          this.#s.run(
            `INSERT INTO ${t.hist}(id, date, ${t.key}, name, count, value) VALUES (?, ?, ?, ?, ?, ?)`,
            id,
            now,
            obj,
            name,
            k + 1,
            v,
          );
        });
        this.#s.purgeHistory(t.hist, [t.key, "name"], [obj, name]);
      }
    });
  }

  #deleteProps(t: PropTable, argin: readonly string[]): undefined {
    const obj = argin[0] ?? "";
    const now = sqlNow();
    this.#s.transaction(() => {
      for (let i = 1; i < argin.length; i++) {
        const names = this.#s.column(
          `SELECT DISTINCT name FROM ${t.table} WHERE ${t.key} = ? AND name ${LIKE}`,
          obj,
          likePattern(argin[i] ?? ""),
        );
        for (const name of names) {
          this.#s.run(`DELETE FROM ${t.table} WHERE ${t.key} = ? AND name = ?`, obj, name);
          const id = this.#s.nextHistoryId(t.histKind);
          this.#s.run(
            `INSERT INTO ${t.hist}(id, date, ${t.key}, name, count, value) VALUES (?, ?, ?, ?, 0, 'DELETED')`,
            id,
            now,
            obj,
            name,
          );
          this.#s.purgeHistory(t.hist, [t.key, "name"], [obj, name]);
        }
      }
    });
  }

  /** History layout: `(name, date, n, values…)…`; a deletion is `name, date, "0"`. */
  #propHist(t: PropTable, argin: readonly string[], origin: string, what: string): string[] {
    if (argin.length !== 2) fail("DB_IncorrectArguments", `incorrect no. of input arguments, needs 2 (${what},property)`, origin);
    const [obj = "", prop = ""] = argin;
    const ids = this.#s.column(
      `SELECT id FROM ${t.hist} WHERE ${t.key} = ? AND name ${LIKE} GROUP BY id ORDER BY MIN(date), id`,
      obj,
      likePattern(prop),
    );
    const out: string[] = [];
    for (const id of ids) {
      const rows = this.#s.all(
        `SELECT date, value, name, count FROM ${t.hist} WHERE id = ? AND ${t.key} = ? ORDER BY count`,
        Number(id),
        obj,
      );
      const first = rows[0];
      if (first === undefined) continue;
      const deleted = Number(first.count) === 0;
      out.push(str(first.name), str(first.date), deleted ? "0" : String(rows.length));
      if (!deleted) out.push(...rows.map((r) => str(r.value)));
    }
    return out;
  }

  // ---------------------------------------------------------------- attribute properties

  #getAttrPropsOld(t: PropTable, argin: readonly string[]): string[] {
    const obj = argin[0] ?? "";
    const out = [obj, String(argin.length - 1)];
    for (let i = 1; i < argin.length; i++) {
      const attr = argin[i] ?? "";
      const rows = this.#s.all(
        `SELECT name, value FROM ${t.table} WHERE ${t.key} = ? AND ${sub(t)} ${LIKE} ORDER BY name, count`,
        obj,
        rawLike(attr),
      );
      out.push(attr, String(rows.length));
      for (const r of rows) out.push(str(r.name), str(r.value));
    }
    return out;
  }

  #getAttrProps2(t: PropTable, argin: readonly string[], allAttrShortcut: boolean): string[] {
    const obj = argin[0] ?? "";
    const out = [obj, String(argin.length - 1)];
    if (allAttrShortcut) {
      // C++: when at least as many attributes are asked as the device has in the DB, one query is done and
      // attribute/property names are matched (and property names returned) lower-cased.
      const nAttr = Number(this.#s.get(`SELECT COUNT(DISTINCT ${sub(t)}) AS n FROM ${t.table} WHERE ${t.key} = ?`, obj)?.n ?? 0);
      if (argin.length - 1 >= nAttr) {
        const rows = this.#s.all(
          `SELECT ${sub(t)} AS attribute, name, value FROM ${t.table} WHERE ${t.key} = ? ORDER BY ${sub(t)}, name, count`,
          obj,
        );
        const byAttr = new Map<string, { name: string; values: string[] }[]>();
        for (const r of rows) {
          const a = str(r.attribute).toLowerCase();
          const p = str(r.name).toLowerCase();
          let props = byAttr.get(a);
          if (props === undefined) byAttr.set(a, (props = []));
          const last = props[props.length - 1];
          if (last !== undefined && last.name === p) last.values.push(str(r.value));
          else props.push({ name: p, values: [str(r.value)] });
        }
        for (let i = 1; i < argin.length; i++) {
          const attr = argin[i] ?? "";
          const props = byAttr.get(attr.toLowerCase()) ?? [];
          out.push(attr, String(props.length), ...flattenGroups(props));
        }
        return out;
      }
    }
    for (let i = 1; i < argin.length; i++) {
      const attr = argin[i] ?? "";
      const rows = this.#s.all(
        `SELECT name, value FROM ${t.table} WHERE ${t.key} = ? AND ${sub(t)} ${LIKE} ORDER BY name, count`,
        obj,
        rawLike(attr),
      );
      const props = groupValues(rows);
      out.push(attr, String(props.length), ...flattenGroups(props));
    }
    return out;
  }

  #putAttrProps(t: PropTable, argin: readonly string[], origin: string, v2: boolean): undefined {
    const c = new Cursor(argin, origin);
    const obj = c.next();
    const nAttr = c.count();
    const entries: { attr: string; name: string; values: string[] }[] = [];
    for (let i = 0; i < nAttr; i++) {
      const attr = c.next();
      const nProp = c.count();
      for (let j = 0; j < nProp; j++) {
        const name = c.next();
        const values: string[] = [];
        if (v2) {
          const nv = c.count();
          for (let k = 0; k < nv; k++) values.push(c.next());
        } else values.push(c.next());
        entries.push({ attr, name, values });
      }
    }
    const now = sqlNow();
    this.#s.transaction(() => {
      for (const { attr, name, values } of entries) {
        this.#s.run(
          `DELETE FROM ${t.table} WHERE ${t.key} ${LIKE} AND ${sub(t)} ${LIKE} AND name ${LIKE}`,
          rawLike(obj),
          rawLike(attr),
          rawLike(name),
        );
        const id = this.#s.nextHistoryId(t.histKind);
        values.forEach((v, k) => {
          this.#s.run(
            `INSERT INTO ${t.table}(${t.key}, ${sub(t)}, name, count, value, updated) VALUES (?, ?, ?, ?, ?, ?)`,
            obj,
            attr,
            name,
            k + 1,
            v,
            now,
          );
          this.#s.run(
            `INSERT INTO ${t.hist}(id, date, ${t.key}, ${sub(t)}, name, count, value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
            id,
            now,
            obj,
            attr,
            name,
            k + 1,
            v,
          );
        });
        this.#s.purgeHistory(t.hist, [t.key, sub(t), "name"], [obj, attr, name]);
      }
    });
  }

  #markAttrPropDeleted(t: PropTable, obj: string, attr: string, name: string, now: string): void {
    const id = this.#s.nextHistoryId(t.histKind);
    this.#s.run(
      `INSERT INTO ${t.hist}(id, date, ${t.key}, ${sub(t)}, name, count, value) VALUES (?, ?, ?, ?, ?, 0, 'DELETED')`,
      id,
      now,
      obj,
      attr,
      name,
    );
    this.#s.purgeHistory(t.hist, [t.key, sub(t), "name"], [obj, attr, name]);
  }

  #deleteAttrProps(t: PropTable, argin: readonly string[]): void {
    const [obj = "", attr = ""] = argin;
    const now = sqlNow();
    this.#s.transaction(() => {
      for (let i = 2; i < argin.length; i++) {
        const name = argin[i] ?? "";
        const n = this.#s.run(`DELETE FROM ${t.table} WHERE ${t.key} = ? AND ${sub(t)} = ? AND name = ?`, obj, attr, name);
        if (n > 0) this.#markAttrPropDeleted(t, obj, attr, name, now);
      }
    });
  }

  /** DbDelete{Class,Device}{Attribute,Pipe}Property: owner, attribute/pipe, then the property names. */
  #deleteAttrPropsCommand(t: PropTable, argin: readonly string[], origin: string, what: string): undefined {
    if (argin.length < 3) fail("DB_IncorrectArguments", `insufficient number of arguments to delete ${what} property`, origin);
    this.#deleteAttrProps(t, argin);
    return undefined;
  }

  /** Db{Device,Class}{Attribute,Pipe}List: the distinct attributes/pipes of one owner matching a wildcard. */
  #subList(t: PropTable, argin: readonly string[]): string[] {
    const [owner = "", w = "*"] = argin;
    return this.#s.column(
      `SELECT DISTINCT ${sub(t)} FROM ${t.table} WHERE ${t.key} = ? AND ${sub(t)} ${LIKE} ORDER BY ${sub(t)}`,
      owner,
      likePattern(w),
    );
  }

  #attrPropHist(t: PropTable, argin: readonly string[], origin: string, what: string): string[] {
    if (argin.length !== 3) fail("DB_IncorrectArguments", `incorrect no. of input arguments, needs 3 (${what},attribute,property)`, origin);
    const [obj = "", attr = "", prop = ""] = argin;
    const ids = this.#s.column(
      `SELECT id FROM ${t.hist} WHERE ${t.key} = ? AND ${sub(t)} ${LIKE} AND name ${LIKE} GROUP BY id ORDER BY MIN(date), id`,
      obj,
      likePattern(attr),
      likePattern(prop),
    );
    const out: string[] = [];
    for (const id of ids) {
      const rows = this.#s.all(
        `SELECT date, value, ${sub(t)} AS attribute, name, count FROM ${t.hist} WHERE id = ? AND ${t.key} = ? ORDER BY count`,
        Number(id),
        obj,
      );
      const first = rows[0];
      if (first === undefined) continue;
      const deleted = Number(first.count) === 0;
      out.push(str(first.attribute), str(first.name), str(first.date), deleted ? "0" : String(rows.length));
      if (!deleted) out.push(...rows.map((r) => str(r.value)));
    }
    return out;
  }

  // ---------------------------------------------------------------- devices and servers

  #insertDevice(server: string, name: string, cls: string, alias: string | null): void {
    const { domain, family, member } = splitDeviceName(name);
    this.#s.run(
      `INSERT OR REPLACE INTO device(name, alias, domain, family, member, exported, ior, host, server, pid, class, version, started, stopped)
       VALUES (?, ?, ?, ?, ?, 0, 'nada', 'nada', ?, 0, ?, '0', NULL, NULL)`,
      name,
      alias,
      domain,
      family,
      member,
      server,
      cls,
    );
  }

  #ensureAdminDevice(server: string): void {
    const has = this.#s.get("SELECT name FROM device WHERE server = ? AND class = 'DServer'", server);
    if (has === undefined) this.#insertDevice(server, `dserver/${server}`, "DServer", null);
  }

  #importRow(name: string): Row | undefined {
    const cols = "SELECT name, exported, ior, version, pid, server, host, class, started, stopped FROM device";
    return this.#s.get(`${cols} WHERE name = ?`, name) ?? this.#s.get(`${cols} WHERE alias = ?`, name);
  }

  #serverList(wildcard: string): string[] {
    return this.#s.column(`SELECT DISTINCT server FROM device WHERE server ${LIKE} ORDER BY server`, likePattern(wildcard));
  }

  #serverInfo(server: string): string[] {
    const r = this.#s.get("SELECT host, mode, level FROM server WHERE name = ?", server);
    return r === undefined ? [server, " ", " ", " "] : [server, str(r.host), str(r.mode), str(r.level)];
  }

  #hostServerList(wildcard: string): string[] {
    const w = likePattern(wildcard);
    return this.#s.column(
      `SELECT DISTINCT server FROM device WHERE (host ${LIKE} OR host ${LIKE}) AND name LIKE 'dserver/%' ORDER BY server`,
      w,
      `${w}.%`,
    );
  }

  #propBlock(t: PropTable, obj: string): string[] {
    const rows = this.#s.all(`SELECT name, value FROM ${t.table} WHERE ${t.key} = ? ORDER BY name, count`, obj);
    const groups = groupValues(rows);
    return [obj, String(groups.length), ...flattenGroups(groups)];
  }

  #attrPropBlock(t: PropTable, obj: string): string[] {
    const rows = this.#s.all(`SELECT attribute, name, value FROM ${t.table} WHERE ${t.key} = ? ORDER BY attribute, name, count`, obj);
    const attrs: { attr: string; props: { name: string; values: string[] }[] }[] = [];
    for (const r of rows) {
      const a = str(r.attribute);
      let last = attrs[attrs.length - 1];
      if (last === undefined || last.attr !== a) attrs.push((last = { attr: a, props: [] }));
      const p = str(r.name);
      const lp = last.props[last.props.length - 1];
      if (lp !== undefined && lp.name === p) lp.values.push(str(r.value));
      else last.props.push({ name: p, values: [str(r.value)] });
    }
    const out = [obj, String(attrs.length)];
    for (const a of attrs) out.push(a.attr, String(a.props.length), ...flattenGroups(a.props));
    return out;
  }

  #eventBlock(name: string): string[] {
    const r = this.#s.get("SELECT name, exported, ior, version, host, pid FROM event WHERE name = ?", name);
    if (r === undefined) return [name, "Not Found"];
    return [name, str(r.ior), str(r.version), str(r.host), str(r.exported), str(r.pid)];
  }

  /** DbGetDataForServerCache in the layout of the ds_start stored procedure (release without pipes). */
  #serverCache(argin: readonly string[]): string[] {
    if (argin.length !== 2)
      fail("DB_IncorrectArguments", "Incorrect no. of input arguments, needs 2 (ds_name,host_name)", "DataBase::DbGetDataForServerCache()");
    const [server = "", host = ""] = argin;
    const adm = `dserver/${server}`;
    const r = this.#s.get("SELECT name, ior, version, server, host, exported, pid, class FROM device WHERE name = ?", adm);
    if (r === undefined) return [adm, "Not Found"];
    const out = [str(r.name), str(r.ior), str(r.version), str(r.server), str(r.host), str(r.exported), str(r.pid), str(r.class)];
    out.push(...this.#eventBlock(`notifd/factory/${host}`));
    out.push(...this.#eventBlock(adm));
    out.push(...this.#propBlock(CLASS_PROPS, "DServer"));
    out.push(...this.#propBlock(CLASS_PROPS, "Default"));
    out.push(...this.#propBlock(DEVICE_PROPS, str(r.name)));
    const classes = this.#s.column("SELECT DISTINCT class FROM device WHERE server = ? AND class <> 'DServer' ORDER BY class", server);
    out.push(server, String(classes.length));
    for (const cls of classes) {
      out.push(...this.#propBlock(CLASS_PROPS, cls));
      out.push(...this.#attrPropBlock(CLASS_ATTR_PROPS, cls));
      const devs = this.#s.column("SELECT name FROM device WHERE server = ? AND class = ? ORDER BY name", server, cls);
      out.push(cls, String(devs.length), ...devs);
      for (const d of devs) {
        out.push(...this.#propBlock(DEVICE_PROPS, d));
        out.push(...this.#attrPropBlock(DEVICE_ATTR_PROPS, d));
      }
    }
    out.push(...this.#propBlock(OBJECT_PROPS, "CtrlSystem"));
    return out;
  }

  #dbInfo(): string[] {
    const count = (sql: string): string => str(this.#s.get(sql)?.n);
    const started = this.#s.get("SELECT started FROM device WHERE name = ?", this.#id.deviceName)?.started;
    const hist = (table: string, histTable: string, label: string): string =>
      `${label} properties defined  = ${count(`SELECT COUNT(*) AS n FROM ${table}`)} [History lgth = ${count(`SELECT COUNT(*) AS n FROM ${histTable}`)}]`;
    return [
      `TANGO Database ${this.#id.deviceName}`,
      " ",
      started ? `Running since ${str(started)}` : "Running since ...",
      " ",
      `Devices defined  = ${count("SELECT COUNT(*) AS n FROM device")}`,
      `Devices exported  = ${count("SELECT COUNT(*) AS n FROM device WHERE exported = 1")}`,
      `Device servers defined  = ${count("SELECT COUNT(*) AS n FROM device WHERE class = 'DServer'")}`,
      `Device servers exported  = ${count("SELECT COUNT(*) AS n FROM device WHERE class = 'DServer' AND exported = 1")}`,
      " ",
      hist("property_device", "property_device_hist", "Device"),
      hist("property_class", "property_class_hist", "Class"),
      hist("property_attribute_device", "property_attribute_device_hist", "Device attribute"),
      hist("property_attribute_class", "property_attribute_class_hist", "Class attribute"),
      hist("property", "property_hist", "Object"),
    ];
  }

  // ---------------------------------------------------------------- command table

  #build(): Map<string, DbCommand> {
    const s = this.#s;
    const table = new Map<string, DbCommand>();
    const def = (
      name: string,
      inType: DbArgType,
      outType: DbArgType,
      run: (argin: DbValue, origin: string) => DbValue,
      inDesc = "",
      outDesc = "",
    ): void => {
      const origin = `DataBase::${name}()`;
      table.set(name.toLowerCase(), { name, in: inType, out: outType, inDesc, outDesc, run: (a) => run(a, origin) });
    };
    const SA = "DevVarStringArray" as const;
    const S = "DevString" as const;
    const V = "DevVoid" as const;
    const LSA = "DevVarLongStringArray" as const;
    const list = (name: string, sql: string, nArgs = 1) =>
      def(name, S, SA, (a, o) => s.column(sql, ...Array<string>(nArgs).fill(likePattern(asString(a, o)))));

    // --- registration
    def("DbAddDevice", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 3) fail("DB_IncorrectArguments", "incorrect no. of input arguments, needs at least 3 (server,device,class)", o);
      const [server = "", device = "", cls = "", alias] = args;
      const dev = checkDeviceName(device);
      if (dev === undefined)
        fail("DB_IncorrectDeviceName", `device name (${device}) syntax error (should be [tango:][//instance/]domain/family/member)`, o);
      s.transaction(() => {
        this.#insertDevice(server, dev, cls, alias ?? null);
        this.#ensureAdminDevice(server);
      });
      return undefined;
    });
    def("DbAddServer", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 3) fail("DB_IncorrectArguments", "incorrect no. of input arguments, needs at least 3 (server,device,class)", o);
      const server = args[0] ?? "";
      const pairs: [string, string][] = [];
      for (let i = 1; i + 1 < args.length; i += 2) {
        const device = args[i] ?? "";
        const dev = checkDeviceName(device);
        if (dev === undefined)
          fail("DB_IncorrectDeviceName", `device name (${device}) syntax error (should be [tango:][//instance/]domain/family/member)`, o);
        pairs.push([dev, args[i + 1] ?? ""]);
      }
      s.transaction(() => {
        for (const [dev, cls] of pairs) this.#insertDevice(server, dev, cls, null);
        this.#ensureAdminDevice(server);
      });
      return undefined;
    });
    def("DbDeleteServer", S, V, (a, o) => {
      const server = asString(a, o);
      if (server.includes("*") || server.includes("%") || !server.includes("/"))
        fail("DB_IncorrectServerName", "failed to delete server, server name incorrect", o);
      s.run(`DELETE FROM device WHERE server ${LIKE}`, likePattern(server));
      return undefined;
    });
    def("DbDeleteDevice", S, V, (a, o) => {
      const dev = checkDeviceName(asString(a, o));
      if (dev === undefined) fail("DB_IncorrectDeviceName", "failed to delete device, device name incorrect", o);
      const w = likePattern(dev);
      s.transaction(() => {
        s.run(`DELETE FROM device WHERE name ${LIKE}`, w);
        s.run(`DELETE FROM property_device WHERE device ${LIKE}`, w);
        s.run(`DELETE FROM property_attribute_device WHERE device ${LIKE}`, w);
        s.run(`DELETE FROM property_pipe_device WHERE device ${LIKE}`, w);
      });
      return undefined;
    });
    def("DbDeleteServerInfo", S, V, (a, o) => {
      s.run("DELETE FROM server WHERE name = ?", asString(a, o));
      return undefined;
    });
    def("DbPutServerInfo", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 4) fail("DB_IncorrectArguments", "insufficient server info", o);
      const [server = "", host = "", mode = "", level = ""] = args;
      s.transaction(() => {
        s.run("DELETE FROM server WHERE name = ?", server.toLowerCase());
        s.run("INSERT INTO server(name, host, mode, level) VALUES (?, ?, ?, ?)", server.toLowerCase(), host, int(mode), int(level));
      });
      return undefined;
    });
    def("DbGetServerInfo", S, SA, (a, o) => this.#serverInfo(asString(a, o)));

    // --- export / import
    def("DbExportDevice", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 5) fail("DB_IncorrectArguments", "Insufficient export info for device", "DataBase::DbExportDevice()");
      const [name = "", ior = "", host = "", pid = "", version = ""] = args;
      const dev = name.toLowerCase();
      s.transaction(() => {
        const row = s.get(`SELECT server FROM device WHERE name ${LIKE}`, rawLike(dev));
        if (row === undefined) fail("DB_DeviceNotDefined", `device ${dev} not defined in the database !`, "DataBase::ExportDevice()");
        s.run(
          `UPDATE device SET exported = 1, ior = ?, host = ?, pid = ?, version = ?, started = ? WHERE name ${LIKE}`,
          ior,
          host,
          pid === "null" ? -1 : int(pid),
          version,
          sqlNow(),
          rawLike(dev),
        );
        s.run(`UPDATE server SET host = ? WHERE name ${LIKE}`, host, rawLike(str(row.server)));
      });
      return undefined;
    });
    def("DbImportDevice", S, LSA, (a, o) => {
      const dev = asString(a, o).toLowerCase();
      const r = this.#importRow(dev);
      if (r === undefined) fail("DB_DeviceNotDefined", `device ${dev} not defined in the database !`, "DataBase::ImportDevice()");
      return {
        lvalue: [r.exported === null ? -1 : Number(r.exported), r.pid === null ? -1 : Number(r.pid)],
        svalue: [dev, str(r.ior), str(r.version), str(r.server), str(r.host), str(r.class)],
      };
    });
    def("DbGetDeviceInfo", S, LSA, (a, o) => {
      const dev = asString(a, o).toLowerCase();
      const r = s.get(
        "SELECT exported, ior, version, pid, server, host, started, stopped, class FROM device WHERE name = ? OR alias = ?",
        dev,
        dev,
      );
      if (r === undefined) fail("DB_DeviceNotDefined", `device ${dev} not defined in the database !`, "DataBase::GetDeviceInfo()");
      if (r.server === null || r.host === null)
        fail(
          "DB_DeviceNotDefined",
          `Wrong info in database for device ${dev}Database entry seems corrupted (server or host column NULL)`,
          o,
        );
      return {
        lvalue: [r.exported === null ? -1 : Number(r.exported), r.pid === null ? -1 : Number(r.pid)],
        svalue: [
          dev,
          str(r.ior),
          str(r.version),
          str(r.server),
          str(r.host),
          infoDate(r.started as string | null),
          infoDate(r.stopped as string | null),
          str(r.class),
        ],
      };
    });
    def("DbUnExportDevice", S, V, (a, o) => {
      s.run(`UPDATE device SET exported = 0, stopped = ? WHERE name ${LIKE}`, sqlNow(), rawLike(asString(a, o).toLowerCase()));
      return undefined;
    });
    def("DbUnExportServer", S, V, (a, o) => {
      s.run(`UPDATE device SET exported = 0, stopped = ? WHERE server ${LIKE}`, sqlNow(), rawLike(asString(a, o).toLowerCase()));
      return undefined;
    });
    def("DbExportEvent", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 5) fail("DB_IncorrectArguments", "insufficient export info for event", o);
      const [name = "", ior = "", host = "", pid = "", version = ""] = args;
      const ev = name.toLowerCase();
      s.run(
        "INSERT OR REPLACE INTO event(name, exported, ior, host, server, pid, version, started) VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
        ev,
        ior,
        host,
        ev,
        int(pid),
        version,
        sqlNow(),
      );
      return undefined;
    });
    def("DbImportEvent", S, LSA, (a, o) => {
      const ev = asString(a, o).toLowerCase();
      const r = s.get("SELECT exported, ior, version, pid, host FROM event WHERE name = ?", ev);
      if (r === undefined) fail("DB_DeviceNotDefined", `event ${ev} not defined in the database !`, o);
      return {
        lvalue: [r.exported === null ? -1 : Number(r.exported), r.pid === null ? -1 : Number(r.pid)],
        svalue: [ev, str(r.ior), str(r.version), str(r.host)],
      };
    });
    def("DbUnExportEvent", S, V, (a, o) => {
      s.run(`UPDATE event SET exported = 0, stopped = ? WHERE name ${LIKE}`, sqlNow(), likePattern(asString(a, o).toLowerCase()));
      return undefined;
    });

    // --- lists
    def("DbGetDeviceList", SA, SA, (a, o) => {
      const args = asArray(a, o);
      if (args.length !== 2)
        fail("DB_IncorrectArguments", "incorrect no. of input arguments, needs 2 (server,class)", "DataBase::GetDeviceList()");
      return s.column(
        `SELECT DISTINCT name FROM device WHERE server ${LIKE} AND class ${LIKE} ORDER BY name`,
        likePattern(args[0] ?? ""),
        likePattern(args[1] ?? ""),
      );
    });
    def("DbGetDeviceClassList", S, SA, (a, o) =>
      s.all("SELECT name, class FROM device WHERE server = ? ORDER BY name", asString(a, o)).flatMap((r) => [str(r.name), str(r.class)]),
    );
    list("DbGetDeviceServerClassList", `SELECT DISTINCT class FROM device WHERE server ${LIKE} ORDER BY class`);
    list(
      "DbGetDeviceExportedList",
      `SELECT DISTINCT name FROM device WHERE (name ${LIKE} OR alias ${LIKE}) AND exported = 1 ORDER BY name`,
      2,
    );
    list("DbGetExportdDeviceListForClass", `SELECT DISTINCT name FROM device WHERE class ${LIKE} AND exported = 1 ORDER BY name`);
    list("DbGetDeviceWideList", `SELECT DISTINCT name FROM device WHERE name ${LIKE} ORDER BY name`);
    list("DbGetDeviceDomainList", `SELECT DISTINCT domain FROM device WHERE name ${LIKE} OR alias ${LIKE} ORDER BY domain`, 2);
    list("DbGetDeviceFamilyList", `SELECT DISTINCT family FROM device WHERE name ${LIKE} OR alias ${LIKE} ORDER BY family`, 2);
    list("DbGetDeviceMemberList", `SELECT DISTINCT member FROM device WHERE name ${LIKE} OR alias ${LIKE} ORDER BY member`, 2);
    list("DbGetClassList", `SELECT DISTINCT class FROM device WHERE class ${LIKE} ORDER BY class`);
    list("DbGetHostList", `SELECT DISTINCT host FROM device WHERE host ${LIKE} ORDER BY host`);
    list("DbGetObjectList", `SELECT DISTINCT object FROM property WHERE object ${LIKE} ORDER BY object`);
    list("DbGetDeviceAliasList", `SELECT DISTINCT alias FROM device WHERE alias ${LIKE} ORDER BY alias`);
    list("DbGetAttributeAliasList", `SELECT DISTINCT alias FROM attribute_alias WHERE alias ${LIKE} ORDER BY attribute`);
    def("DbGetServerList", S, SA, (a, o) => this.#serverList(asString(a, o)));
    def("DbGetServerNameList", S, SA, (a, o) => {
      const seen = new Map<string, string>();
      for (const srv of this.#serverList(asString(a, o))) {
        const i = srv.indexOf("/");
        if (i < 0) continue;
        const exec = srv.slice(0, i);
        if (!seen.has(exec.toLowerCase())) seen.set(exec.toLowerCase(), exec);
      }
      return [...seen.values()];
    });
    def("DbGetInstanceNameList", S, SA, (a, o) =>
      this.#serverList(`${asString(a, o)}/*`)
        .filter((x) => x.includes("/"))
        .map((x) => x.slice(x.indexOf("/") + 1)),
    );
    def("DbGetHostServerList", S, SA, (a, o) => this.#hostServerList(asString(a, o)));
    def("DbGetHostServersInfo", S, SA, (a, o) =>
      this.#hostServerList(asString(a, o)).flatMap((srv) => {
        const info = this.#serverInfo(srv);
        return [srv, info[2] ?? " ", info[3] ?? " "];
      }),
    );
    def("DbGetClassForDevice", S, S, (a, o) => {
      const dev = asString(a, o);
      const classes = s.column("SELECT DISTINCT class FROM device WHERE name = ?", dev);
      const last = classes[classes.length - 1];
      if (last === undefined) fail("DB_IncorrectArguments", `Class not found for ${dev}`, o);
      return last;
    });
    def("DbGetClassInheritanceForDevice", S, SA, (a, o) => {
      const dev = asString(a, o);
      const cls = s.column("SELECT DISTINCT class FROM device WHERE name = ?", dev).pop();
      if (cls === undefined) fail("DB_IncorrectArguments", `Class not found for ${dev}`, "DataBase::DbGetClassForDevice()");
      const props = this.#getProps(CLASS_PROPS, [cls, "InheritedFrom"], false, false);
      return [cls, ...props.slice(4)];
    });

    // --- aliases
    def("DbGetDeviceAlias", S, S, (a, o) => {
      const device = asString(a, o);
      const dev = checkDeviceName(device);
      if (dev === undefined) fail("DB_IncorrectDeviceName", "failed to find alias, device name incorrect", o);
      const r = s.get(`SELECT alias FROM device WHERE name ${LIKE} ORDER BY alias`, likePattern(dev));
      if (r === undefined || r.alias === null) fail("DB_AliasNotDefined", `No alias found for device '${dev}'`, o);
      return str(r.alias);
    });
    def("DbGetAliasDevice", S, S, (a, o) => {
      const alias = asString(a, o);
      const r = s.get(`SELECT name FROM device WHERE alias ${LIKE}`, likePattern(alias));
      if (r === undefined) fail("DB_DeviceNotDefined", `No device found for alias '${alias}'`, o);
      return str(r.name);
    });
    def("DbPutDeviceAlias", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient alias info for device", o);
      const dev = (args[0] ?? "").toLowerCase();
      const alias = args[1] ?? "";
      s.transaction(() => {
        if (s.get("SELECT alias FROM device WHERE alias = ? AND name <> ?", alias, dev) !== undefined)
          fail("DB_SQLError", `alias ${alias} already exists !`, o);
        s.run(`UPDATE device SET alias = ?, started = ? WHERE name ${LIKE}`, alias, sqlNow(), rawLike(dev));
      });
      return undefined;
    });
    def("DbDeleteDeviceAlias", S, V, (a, o) => {
      s.run("UPDATE device SET alias = NULL WHERE alias = ?", asString(a, o));
      return undefined;
    });
    def("DbGetAttributeAlias", S, S, (a, o) => {
      const alias = asString(a, o);
      const r = s.get(`SELECT name FROM attribute_alias WHERE alias ${LIKE}`, rawLike(alias));
      if (r === undefined) fail("DB_SQLError", `No attribute found for alias  '${alias}'`, o);
      return str(r.name);
    });
    def("DbPutAttributeAlias", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient alias info for attribute", o);
      const name = (args[0] ?? "").toLowerCase();
      const alias = args[1] ?? "";
      s.transaction(() => {
        if (s.get("SELECT alias FROM attribute_alias WHERE alias = ? AND name <> ?", alias, name) !== undefined)
          fail("DB_SQLError", `alias ${alias} already exists !`, o);
        if (name.split("/").length !== 4) fail("DB_SQLError", `attribute name ${name} has bad syntax, must have 3 / in it`, o);
        const cut = name.lastIndexOf("/");
        s.run("DELETE FROM attribute_alias WHERE name = ?", name);
        s.run(
          "INSERT OR REPLACE INTO attribute_alias(alias, name, device, attribute, updated) VALUES (?, ?, ?, ?, ?)",
          alias,
          name,
          name.slice(0, cut),
          name.slice(cut + 1),
          sqlNow(),
        );
      });
      return undefined;
    });
    def("DbDeleteAttributeAlias", S, V, (a, o) => {
      s.run("DELETE FROM attribute_alias WHERE alias = ?", asString(a, o));
      return undefined;
    });

    // --- device / class / free-object properties
    def("DbGetDeviceProperty", SA, SA, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2)
        fail(
          "DB_IncorrectArguments",
          "incorrect no. of input arguments, needs at least 2 (device,property)",
          "DataBase::GetDeviceProperty()",
        );
      return this.#getProps(DEVICE_PROPS, args, true, true);
    });
    def("DbPutDeviceProperty", SA, V, (a, o) => this.#putProps(DEVICE_PROPS, asArray(a, o), o, false));
    def("DbDeleteDeviceProperty", SA, V, (a, o) => this.#deleteProps(DEVICE_PROPS, asArray(a, o)));
    def("DbGetDevicePropertyList", SA, SA, (a, o) => {
      const [dev = "", w = "*"] = asArray(a, o);
      return s.column(
        `SELECT name FROM property_device WHERE device = ? AND name ${LIKE} AND count = 1 ORDER BY name`,
        dev,
        likePattern(w),
      );
    });
    def("DbGetDevicePropertyHist", SA, SA, (a, o) =>
      this.#propHist(DEVICE_PROPS, asArray(a, o), "DataBase::GetDevicePropertyHist()", "device"),
    );
    def("DbGetClassProperty", SA, SA, (a, o) => this.#getProps(CLASS_PROPS, asArray(a, o), false, false));
    def("DbPutClassProperty", SA, V, (a, o) => this.#putProps(CLASS_PROPS, asArray(a, o), o, false));
    def("DbDeleteClassProperty", SA, V, (a, o) => this.#deleteProps(CLASS_PROPS, asArray(a, o)));
    def("DbGetClassPropertyList", S, SA, (a, o) =>
      s.column(`SELECT DISTINCT name FROM property_class WHERE class ${LIKE} ORDER BY name`, rawLike(asString(a, o))),
    );
    def("DbGetClassPropertyHist", SA, SA, (a, o) => this.#propHist(CLASS_PROPS, asArray(a, o), o, "class"));
    def("DbGetProperty", SA, SA, (a, o) => this.#getProps(OBJECT_PROPS, asArray(a, o), true, true));
    def("DbPutProperty", SA, V, (a, o) => this.#putProps(OBJECT_PROPS, asArray(a, o), o, true));
    def("DbDeleteProperty", SA, V, (a, o) => this.#deleteProps(OBJECT_PROPS, asArray(a, o)));
    def("DbGetPropertyList", SA, SA, (a, o) => {
      const args = asArray(a, o);
      if (args.length !== 2)
        fail("DB_IncorrectArguments", "incorrect no. of input arguments, needs 2 (object,wildcard)", "DataBase::GetPropertyList()");
      return s.column(
        `SELECT DISTINCT name FROM property WHERE object ${LIKE} AND name ${LIKE} ORDER BY name`,
        rawLike(args[0] ?? ""),
        likePattern(args[1] ?? ""),
      );
    });
    def("DbGetPropertyHist", SA, SA, (a, o) => this.#propHist(OBJECT_PROPS, asArray(a, o), o, "object"));

    // --- attribute properties
    def("DbGetDeviceAttributeProperty", SA, SA, (a, o) => this.#getAttrPropsOld(DEVICE_ATTR_PROPS, asArray(a, o)));
    def("DbGetDeviceAttributeProperty2", SA, SA, (a, o) => this.#getAttrProps2(DEVICE_ATTR_PROPS, asArray(a, o), true));
    def("DbPutDeviceAttributeProperty", SA, V, (a, o) => this.#putAttrProps(DEVICE_ATTR_PROPS, asArray(a, o), o, false));
    def("DbPutDeviceAttributeProperty2", SA, V, (a, o) => this.#putAttrProps(DEVICE_ATTR_PROPS, asArray(a, o), o, true));
    def("DbDeleteDeviceAttributeProperty", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 3) fail("DB_IncorrectArguments", "insufficient number of arguments to delete device attribute property", o);
      const dev = checkDeviceName(args[0] ?? "");
      if (dev === undefined)
        fail(
          "DB_IncorrectDeviceName",
          "failed to delete device attribute, device name incorrect",
          "DataBase::db_delete_device_attribute()",
        );
      this.#deleteAttrProps(DEVICE_ATTR_PROPS, [dev, ...args.slice(1)]);
      return undefined;
    });
    def("DbDeleteAllDeviceAttributeProperty", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient number of arguments to delete all device attribute(s) property", o);
      const dev = checkDeviceName(args[0] ?? "");
      if (dev === undefined)
        fail(
          "DB_IncorrectDeviceName",
          "Failed to delete all device attribute(s) property, device name incorrect",
          "DataBase::db_delete_all_device_attribute()",
        );
      const now = sqlNow();
      s.transaction(() => {
        for (const attr of args.slice(1)) {
          const names = s.column("SELECT DISTINCT name FROM property_attribute_device WHERE device = ? AND attribute = ?", dev, attr);
          if (names.length === 0) continue;
          s.run("DELETE FROM property_attribute_device WHERE device = ? AND attribute = ?", dev, attr);
          for (const n of names) this.#markAttrPropDeleted(DEVICE_ATTR_PROPS, dev, attr, n, now);
        }
      });
      return undefined;
    });
    def("DbDeleteDeviceAttribute", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient number of arguments to delete device attribute", o);
      const dev = checkDeviceName(args[0] ?? "");
      if (dev === undefined) fail("DB_IncorrectDeviceName", "failed to delete device attribute, device name incorrect", o);
      s.run(`DELETE FROM property_attribute_device WHERE device ${LIKE} AND attribute ${LIKE}`, likePattern(dev), rawLike(args[1] ?? ""));
      return undefined;
    });
    def("DbGetDeviceAttributeList", SA, SA, (a, o) => this.#subList(DEVICE_ATTR_PROPS, asArray(a, o)));
    def("DbGetDeviceAttributePropertyHist", SA, SA, (a, o) => this.#attrPropHist(DEVICE_ATTR_PROPS, asArray(a, o), o, "device"));
    def("DbGetClassAttributeProperty", SA, SA, (a, o) => this.#getAttrPropsOld(CLASS_ATTR_PROPS, asArray(a, o)));
    def("DbGetClassAttributeProperty2", SA, SA, (a, o) => this.#getAttrProps2(CLASS_ATTR_PROPS, asArray(a, o), false));
    def("DbPutClassAttributeProperty", SA, V, (a, o) => this.#putAttrProps(CLASS_ATTR_PROPS, asArray(a, o), o, false));
    def("DbPutClassAttributeProperty2", SA, V, (a, o) => this.#putAttrProps(CLASS_ATTR_PROPS, asArray(a, o), o, true));
    def("DbDeleteClassAttributeProperty", SA, V, (a, o) =>
      this.#deleteAttrPropsCommand(CLASS_ATTR_PROPS, asArray(a, o), o, "class attribute"),
    );
    def("DbDeleteClassAttribute", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient number of arguments to delete class attribute", o);
      s.run(
        `DELETE FROM property_attribute_class WHERE class ${LIKE} AND attribute ${LIKE}`,
        rawLike(args[0] ?? ""),
        rawLike(args[1] ?? ""),
      );
      return undefined;
    });
    def("DbGetClassAttributeList", SA, SA, (a, o) => this.#subList(CLASS_ATTR_PROPS, asArray(a, o)));
    def("DbGetClassAttributePropertyHist", SA, SA, (a, o) => this.#attrPropHist(CLASS_ATTR_PROPS, asArray(a, o), o, "class"));

    // --- pipe properties (Tango 9 pipes; same layouts as the attribute property "2" commands)
    def("DbGetDevicePipeProperty", SA, SA, (a, o) => this.#getAttrProps2(DEVICE_PIPE_PROPS, asArray(a, o), false));
    def("DbPutDevicePipeProperty", SA, V, (a, o) => this.#putAttrProps(DEVICE_PIPE_PROPS, asArray(a, o), o, true));
    def("DbDeleteDevicePipeProperty", SA, V, (a, o) => this.#deleteAttrPropsCommand(DEVICE_PIPE_PROPS, asArray(a, o), o, "device pipe"));
    def("DbDeleteAllDevicePipeProperty", SA, V, (a, o) => {
      const args = asArray(a, o);
      if (args.length < 2) fail("DB_IncorrectArguments", "insufficient number of arguments to delete all device pipe(s) property", o);
      const dev = args[0] ?? "";
      const now = sqlNow();
      s.transaction(() => {
        for (const pipe of args.slice(1)) {
          const names = s.column("SELECT DISTINCT name FROM property_pipe_device WHERE device = ? AND pipe = ?", dev, pipe);
          s.run("DELETE FROM property_pipe_device WHERE device = ? AND pipe = ?", dev, pipe);
          for (const n of names) this.#markAttrPropDeleted(DEVICE_PIPE_PROPS, dev, pipe, n, now);
        }
      });
      return undefined;
    });
    def("DbGetDevicePipeList", SA, SA, (a, o) => this.#subList(DEVICE_PIPE_PROPS, asArray(a, o)));
    def("DbGetDevicePipePropertyHist", SA, SA, (a, o) => this.#attrPropHist(DEVICE_PIPE_PROPS, asArray(a, o), o, "device"));
    def("DbGetClassPipeProperty", SA, SA, (a, o) => this.#getAttrProps2(CLASS_PIPE_PROPS, asArray(a, o), false));
    def("DbPutClassPipeProperty", SA, V, (a, o) => this.#putAttrProps(CLASS_PIPE_PROPS, asArray(a, o), o, true));
    def("DbDeleteClassPipeProperty", SA, V, (a, o) => this.#deleteAttrPropsCommand(CLASS_PIPE_PROPS, asArray(a, o), o, "class pipe"));
    def("DbGetClassPipeList", SA, SA, (a, o) => this.#subList(CLASS_PIPE_PROPS, asArray(a, o)));
    def("DbGetClassPipePropertyHist", SA, SA, (a, o) => this.#attrPropHist(CLASS_PIPE_PROPS, asArray(a, o), o, "class"));

    // --- misc
    def("DbInfo", V, SA, () => this.#dbInfo());
    def("DbGetDataForServerCache", SA, SA, (a, o) => this.#serverCache(asArray(a, o)));
    def("ResetTimingValues", V, V, () => undefined);
    def("DbMySqlSelect", S, LSA, (a, o) => {
      let sql = asString(a, o).trim();
      if (!/^select\b/i.test(sql)) sql = `SELECT ${sql}`;
      const semi = sql.indexOf(";");
      if (semi >= 0 && semi < sql.length - 1) fail("DB_IncorrectArguments", `SQL command not valid: '${asString(a, o)}'`, o);
      const rows = s.raw(sql.replace(/;$/, ""));
      const svalue: string[] = [];
      const lvalue: number[] = [];
      for (const r of rows.rows) {
        for (const v of r) {
          svalue.push(v === null ? "" : String(v));
          lvalue.push(v === null ? 0 : 1);
        }
      }
      lvalue.push(rows.rows.length, rows.columns);
      return { svalue, lvalue };
    });
    return table;
  }
}
