// Per-target cooldown (issue 14): the same user reset again and again under new tickets is what a social engineer
// who keeps calling the desk looks like. A user reset within TARGET_COOLDOWN_HOURS is skipped, unless a second
// person approved the request (an approver may override on purpose; the audit says so).

export interface LastReset {
  /** When the user's methods were last reset by this service. */
  readonly at: string;
  readonly requestId: string;
}

/** What a new run does about the cooldown: go ahead, skip the user, or go ahead because an approver overrides it. */
export type CooldownVerdict = 'clear' | 'skip' | 'override';

export function cooldownVerdict(
  last: LastReset | undefined,
  cooldownMs: number,
  approved: boolean,
  now: Date,
): CooldownVerdict {
  if (!last || cooldownMs <= 0) return 'clear';
  if (now.getTime() - Date.parse(last.at) >= cooldownMs) return 'clear';
  return approved ? 'override' : 'skip';
}
