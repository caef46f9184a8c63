import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConnectionFailed, DevFailed, devError } from "./errors.ts";

describe("DevFailed", () => {
  test("name is the class name, without the underscore prefix bundlers give self-referencing classes", () => {
    assert.equal(DevFailed.from("R", "d").name, "DevFailed");
    assert.equal(new ConnectionFailed(devError("R", "d", "o")).name, "ConnectionFailed");
    // What esbuild emits for `class DevFailed { static from() { return new DevFailed() } }` in a bundle.
    const _Renamed = class _Renamed extends DevFailed {};
    assert.equal(new _Renamed(devError("R", "d", "o")).name, "Renamed");
  });
});
