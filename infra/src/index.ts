export * from "./harness.ts";
