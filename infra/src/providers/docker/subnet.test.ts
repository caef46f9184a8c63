import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatCidr, hostAddress, overlaps, parseCidr, parseIpv4, parseProcRoutes, pickSubnet } from "./subnet.ts";

describe("run-network subnets", () => {
  test("IPv4 and CIDR parsing, host addresses", () => {
    assert.equal(parseIpv4("10.200.3.4"), 0x0ac80304);
    assert.throws(() => parseIpv4("10.200.3"), TypeError);
    assert.throws(() => parseIpv4("10.256.0.1"), TypeError);
    assert.equal(formatCidr(parseCidr("172.17.5.9/16")), "172.17.0.0/16");
    const s = parseCidr("10.201.7.0/24");
    assert.equal(hostAddress(s, 1), "10.201.7.1");
    assert.equal(hostAddress(s, 10), "10.201.7.10");
    assert.throws(() => hostAddress(s, 255), RangeError);
  });

  test("overlap", () => {
    assert.equal(overlaps(parseCidr("10.0.0.0/8"), parseCidr("10.201.7.0/24")), true);
    assert.equal(overlaps(parseCidr("10.201.7.0/24"), parseCidr("10.201.8.0/24")), false);
    assert.equal(overlaps(parseCidr("172.17.0.0/16"), parseCidr("10.201.7.0/24")), false);
  });

  test("routes from /proc/net/route: the default route is ignored, the others are kept", () => {
    const text = [
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
      "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    ].join("\n");
    assert.deepEqual(parseProcRoutes(text).map(formatCidr), ["172.17.0.0/16", "192.0.2.0/24"]);
  });

  test("pickSubnet avoids taken ranges", () => {
    const values = [0, 0, 0, 0, 0.5, 0.5];
    const random = (): number => values.shift() ?? 0.5;
    const taken = [parseCidr("10.200.0.0/24")];
    assert.equal(formatCidr(pickSubnet(taken, random)), "10.227.128.0/24");
    assert.throws(() => pickSubnet([parseCidr("10.0.0.0/8")]), RangeError);
  });
});
