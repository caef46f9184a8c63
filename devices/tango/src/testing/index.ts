/** @tango-bdd/tango/testing: in-process device test contexts. */
export {
  DeviceTestContext,
  type DeviceTestContextOptions,
  MultiDeviceTestContext,
  type MultiDeviceTestContextOptions,
  type TestDeviceSpec,
} from "./device-test-context.ts";
export { freePort } from "./free-port.ts";
