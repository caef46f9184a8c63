/** @tango-bdd/databaseds: the Tango database server `sys/database/2` (class DataBase) on embedded SQLite. */
export { DataBaseCommands, type DataBaseIdentity, type DbArgType, type DbCommand, type DbValue, type LongStringArray } from "./commands.ts";
export {
  type ClassConfig,
  type DbCommandRunner,
  type DeviceConfig,
  type DsConfig,
  dumpDsConfig,
  type LoadReport,
  loadDsConfig,
  parseDsConfig,
} from "./dsconfig.ts";
export { parseServeArgs, runDatabaseServer, type ServeArgs } from "./main.ts";
export { DataBaseServer, type DataBaseServerOptions, dataBaseClass, localDeviceStore } from "./server.ts";
export { Storage, type StorageOptions } from "./storage.ts";
