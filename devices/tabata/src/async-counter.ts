/**
 * AsyncCounter (ska-tango-examples `AsyncCounter.py`): the Counter's interface and semantics under the Tango class
 * name `AsyncCounter`. The original runs in PyTango's asyncio green mode, which serves requests without the
 * serialization monitor: here that is the NO_SYNC model.
 */
import { device } from "@tango-bdd/tango/server";
import { Counter } from "./counter.ts";

@device({ tangoClass: "AsyncCounter", serialModel: "NO_SYNC", description: "Counter served in asyncio mode (no monitor)" })
export class AsyncCounter extends Counter {}
