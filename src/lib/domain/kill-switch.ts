// The kill switch an operator sets through the API (stored in the state table), and the KILL_SWITCH setting that is a
// floor under it: with the setting on, the worker pauses at least, whatever the stored mode says.
//   off    : normal work
//   pause  : no Graph writes; items stay queued and run once it is off again
//   cancel : no Graph writes; every pending item ends `cancelled`
// In pause and cancel, new requests are refused (503) and nothing is stored.

export const killSwitchModes = ['off', 'pause', 'cancel'] as const;

export type KillSwitchMode = (typeof killSwitchModes)[number];

export interface KillSwitchState {
  readonly mode: KillSwitchMode;
  /** Why it was set (free text from the operator; no personal data expected). */
  readonly reason?: string;
  readonly updatedAt?: string;
  /** Client application id of the operator's caller. */
  readonly updatedBy?: string;
}

export const isKillSwitchMode = (v: unknown): v is KillSwitchMode =>
  typeof v === 'string' && (killSwitchModes as readonly string[]).includes(v);

/** What the worker does: the stored mode, raised to `pause` when the KILL_SWITCH setting is on. */
export function effectiveKillSwitch(stored: KillSwitchMode, settingOn: boolean): KillSwitchMode {
  return settingOn && stored === 'off' ? 'pause' : stored;
}
