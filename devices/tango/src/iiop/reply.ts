/** Interprets a GIOP Reply for a Tango client: body reader on success, DevFailed / MultiDevFailed / system exception otherwise. */
import type { CdrReader } from "../cdr/cdr.ts";
import { CorbaSystemException, DevFailed, devError, MultiDevFailed } from "../errors/errors.ts";
import type { ReplyMessage } from "../giop/giop.ts";
import { REPO_DEVFAILED, REPO_MULTIDEVFAILED } from "../idl/constants.ts";
import { readDevErrorList, readNamedDevErrorList } from "../idl/structs.ts";

const COMPLETION = ["YES", "NO", "MAYBE"] as const;

/** Returns the reader positioned on the result, or throws the exception carried by the reply. */
export function replyBody(reply: ReplyMessage, origin: string): CdrReader {
  const r = reply.body;
  switch (reply.status) {
    case "NO_EXCEPTION":
      return r;
    case "USER_EXCEPTION": {
      const repoId = r.string();
      if (repoId === REPO_DEVFAILED) throw new DevFailed(readDevErrorList(r));
      if (repoId === REPO_MULTIDEVFAILED) throw new MultiDevFailed(readNamedDevErrorList(r));
      throw new DevFailed(devError("API_CorbaException", `unexpected CORBA user exception ${repoId}`, origin));
    }
    case "SYSTEM_EXCEPTION": {
      const repoId = r.string();
      const minor = r.ulong();
      const completed = COMPLETION[r.ulong()] ?? "MAYBE";
      throw new CorbaSystemException(repoId, minor, completed);
    }
    default:
      throw new DevFailed(devError("API_CorbaException", `unsupported GIOP reply status ${reply.status}`, origin));
  }
}
