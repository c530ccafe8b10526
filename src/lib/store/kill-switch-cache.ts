// Every instance reads the kill switch through this cache: at most one table read per `ttlMs`, so a change made
// through the API reaches every worker and intake within that time (the issue asks for 5 s; default 4 s). A failed
// read keeps the last known mode.

import type { KillSwitchState } from '../domain/index.js';

export type KillSwitchReader = () => Promise<KillSwitchState>;

export function cachedKillSwitch(
  read: KillSwitchReader,
  ttlMs = 4000,
  now = (): number => Date.now(),
): KillSwitchReader {
  let last: { state: KillSwitchState; at: number } | undefined;
  let inFlight: Promise<KillSwitchState> | undefined;
  return async () => {
    if (last && now() - last.at < ttlMs) return last.state;
    inFlight ??= read()
      .then((state) => {
        last = { state, at: now() };
        return state;
      })
      .catch((e: unknown) => {
        if (last) return last.state;
        throw e;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
