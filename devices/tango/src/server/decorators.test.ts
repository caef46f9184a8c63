/** The authoring API: decorators and defineDevice produce the same DeviceClassSpec; dtype tokens type the code. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { attr, attribute, cmd, command, defineDevice, device, deviceProperty, getDeviceClassSpec } from "./decorators.ts";
import { Device } from "./device.ts";
import { DevDouble, DevLong64, DevShort, DevString, DevVarDoubleArray, DevVarLongStringArray } from "./dtypes.ts";
import type { AttributeSpec, CommandSpec } from "./spec.ts";

@device({ tangoClass: "Motor", description: "a motor" })
class Motor extends Device {
  #pos = 0;

  @deviceProperty({ dtype: DevString, default: "localhost", mandatory: true })
  accessor host = "";

  @attribute({ dtype: DevDouble, access: "READ_WRITE", unit: "mm", minValue: -1, maxValue: 1, absChange: 0.1 })
  get position(): number {
    return this.#pos;
  }
  set position(v: number) {
    this.#pos = v;
  }

  @attribute({ name: "Velocity", dtype: DevDouble })
  accessor velocity = 2;

  @attribute({ dtype: DevVarDoubleArray })
  get trace(): number[] {
    return [1];
  }

  @attribute({ dtype: DevDouble, format: "IMAGE", maxDimX: 2, maxDimY: 2 })
  get frame(): number[][] {
    return [[1]];
  }

  @command({ in: DevDouble, out: DevDouble, allowedIn: ["ON"] })
  move(to: number): number {
    this.#pos = to;
    return to;
  }

  @command({ name: "Stop" })
  async stop(): Promise<void> {}
}

class FastMotor extends Motor {
  @command({ out: DevLong64 })
  ticks(): bigint {
    return 1n;
  }
}

// Compile-time checks (tsc runs on this file): each line below must be a type error.
class Wrong extends Device {
  // @ts-expect-error a DevShort attribute getter must return a number
  @attribute({ dtype: DevShort })
  get text(): string {
    return "x";
  }

  // @ts-expect-error the handler of `in: DevShort` must take a number
  @command({ in: DevShort })
  bad(_s: string): void {}

  // @ts-expect-error `out: DevString` must return a string
  @command({ out: DevString })
  num(): number {
    return 1;
  }
}
void Wrong;

const pick = (a: AttributeSpec | CommandSpec | undefined): Record<string, unknown> => {
  const { read, write, execute, allowed, member, ...rest } = a as AttributeSpec & CommandSpec;
  void read;
  void write;
  void execute;
  void allowed;
  void member;
  return rest;
};

describe("decorators", () => {
  test("write a DeviceClassSpec in Symbol.metadata", () => {
    const s = getDeviceClassSpec(Motor);
    assert.equal(s.tangoClass, "Motor");
    assert.equal(s.description, "a motor");
    assert.deepEqual(
      s.attributes.map((a) => [a.name, a.access, a.dataFormat, a.dtype]),
      [
        ["position", "READ_WRITE", "SCALAR", "DevDouble"],
        ["Velocity", "READ_WRITE", "SCALAR", "DevDouble"],
        ["trace", "READ", "SPECTRUM", "DevDouble"],
        ["frame", "READ", "IMAGE", "DevDouble"],
      ],
    );
    assert.deepEqual(
      s.commands.map((c) => [c.name, c.in, c.out]),
      [
        ["move", "DevDouble", "DevDouble"],
        ["Stop", "DevVoid", "DevVoid"],
      ],
    );
    assert.deepEqual(
      s.deviceProperties.map((p) => [p.name, p.dtype, p.default, p.mandatory]),
      [["host", "DevString", "localhost", true]],
    );
  });

  test("subclasses inherit and extend without changing the parent", () => {
    assert.deepEqual(
      getDeviceClassSpec(FastMotor).commands.map((c) => c.name),
      ["move", "Stop", "ticks"],
    );
    assert.equal(getDeviceClassSpec(FastMotor).tangoClass, "FastMotor");
    assert.equal(getDeviceClassSpec(Motor).commands.length, 2);
  });

  test("handlers reach getters, setters, accessors and methods", async () => {
    const m = new Motor();
    const s = getDeviceClassSpec(Motor);
    const a = (n: string) => s.attributes.find((x) => x.name === n);
    await a("position")?.write?.(m, 0.5);
    assert.equal(a("position")?.read?.(m), 0.5);
    await a("Velocity")?.write?.(m, 3);
    assert.equal(m.velocity, 3);
    assert.equal(await s.commands[0]?.execute?.(m, 0.25), 0.25);
    s.deviceProperties[0]?.set?.(m, "h1");
    assert.equal(m.host, "h1");
  });

  test("defineDevice builds the same spec as the decorators", () => {
    interface M extends Device {
      pos: number;
      velocity: number;
    }
    const Plain = defineDevice<M>({
      tangoClass: "Motor",
      description: "a motor",
      deviceProperties: { host: { dtype: DevString, default: "localhost", mandatory: true } },
      attributes: {
        position: attr({
          dtype: DevDouble,
          access: "READ_WRITE",
          unit: "mm",
          minValue: -1,
          maxValue: 1,
          absChange: 0.1,
          read: (d: M) => d.pos,
          write: (d: M, v) => {
            d.pos = v;
          },
        }),
        Velocity: attr({ dtype: DevDouble, access: "READ_WRITE", read: (d: M) => d.velocity, write: () => {} }),
        trace: attr({ dtype: DevVarDoubleArray, read: () => [1] }),
        frame: attr({ dtype: DevDouble, format: "IMAGE", maxDimX: 2, maxDimY: 2, read: () => [[1]] }),
      },
      commands: {
        move: cmd({ in: DevDouble, out: DevDouble, allowedIn: ["ON"], execute: (_d: M, to) => to }),
        Stop: cmd({ execute: async () => {} }),
        Query: cmd({ in: DevString, out: DevVarLongStringArray, execute: (_d: M, s) => ({ lvalue: [s.length], svalue: [s] }) }),
      },
    });
    const a = getDeviceClassSpec(Motor);
    const b = getDeviceClassSpec(Plain);
    assert.equal(b.tangoClass, a.tangoClass);
    assert.deepEqual(b.attributes.map(pick), a.attributes.map(pick));
    assert.deepEqual(b.commands.slice(0, 2).map(pick), a.commands.map(pick));
    assert.deepEqual(
      b.deviceProperties.map((p) => [p.name, p.dtype, p.default]),
      a.deviceProperties.map((p) => [p.name, p.dtype, p.default]),
    );
    assert.ok(new Plain() instanceof Device);
  });
});
