/** @tango-bdd/tango: the Tango client API. */
export * from "./errors/errors.ts";
export * from "./idl/constants.ts";
