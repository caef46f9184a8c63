/** @tango-bdd/tango/testing: in-process device test contexts. */
export {
  DeviceTestContext,
  type DeviceTestContextOptions,
  MultiDeviceTestContext,
  type MultiDeviceTestContextOptions,
  type TestDeviceSpec,
} from "./device-test-context.ts";
export { freePort } from "./free-port.ts";
export {
  assertFuzzHealthy,
  EscapeRecorder,
  type FuzzCase,
  fuzzServer,
  mutateArguments,
  type RequestSeed,
  requestSeeds,
  type ServerFuzzFailure,
  type ServerFuzzOptions,
  type ServerFuzzReport,
  summarize,
  synthSeed,
  withArgs,
} from "./fuzz-server.ts";
export { decodeCapture, findReferenceDir, wireCorpus } from "./golden.ts";
