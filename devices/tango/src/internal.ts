/** Wire-level building blocks (CDR, GIOP, CORBA, Tango IDL codecs) for tools, tests and the server runtime. */
export * from "./cdr/cdr.ts";
export * from "./corba/ior.ts";
export * from "./corba/typecode.ts";
export * from "./giop/giop.ts";
export * from "./idl/constants.ts";
export * from "./idl/structs.ts";
export * from "./idl/typecodes.ts";
