/**
 * Parameter types: the words of the feature files that name Tango things, converted in one place.
 *   {device}       test/counter/prepare            (domain/family/member, case-insensitive → lower case)
 *   {attribute}    value, fire_event_at, State     (an attribute name)
 *   {state}        ON, OFF, RUNNING, …             (a DevState name)
 *   {tango value}  42, -1, 0.5, true, "text", [1, 2], PREPARE   (see values.ts)
 *   {duration}     2 s, 500 ms, 1.5 s
 *   {names}        PREPARE, WORK, REST and WORK   (a list)
 */
import { defineParameterType } from "@cucumber/cucumber";
import { DevStateNames } from "@tango-bdd/tango";
import { parseDuration, parseList, parseTangoValue, TANGO_VALUE_REGEXPS } from "./values.ts";

defineParameterType({
  name: "device",
  regexp: /[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+/,
  transformer: (s: string) => s.toLowerCase(),
});

defineParameterType({
  name: "attribute",
  regexp: /[A-Za-z_][A-Za-z0-9_]*/,
  transformer: (s: string) => s,
});

defineParameterType({
  name: "state",
  regexp: new RegExp(DevStateNames.join("|")),
  transformer: (s: string) => s,
});

defineParameterType({
  name: "tango value",
  regexp: [...TANGO_VALUE_REGEXPS],
  transformer: (s: string) => parseTangoValue(s),
  useForSnippets: false,
});

defineParameterType({
  name: "duration",
  regexp: /\d+(?:\.\d+)?\s*(?:ms|s)/,
  transformer: (s: string) => parseDuration(s),
});

defineParameterType({
  name: "names",
  regexp: /[A-Z][A-Z0-9_]*(?:(?:,\s*|\s+and\s+|\s*→\s*)[A-Z][A-Z0-9_]*)*/,
  transformer: (s: string) => parseList(s),
  useForSnippets: false,
});
