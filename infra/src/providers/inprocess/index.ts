/** @tango-bdd/infra/inprocess: the in-process target (database + servers in the runner's process). */
export { bufferLogger, deviceClassesOf, InProcessProvider, type InProcessProviderOptions } from "./inprocess-provider.ts";
