/**
 * The device authorization grant's server side (Microsoft identity platform, "OAuth 2.0 device authorization grant"):
 * pending codes waiting for a person to approve or decline them, and the refresh tokens handed out afterwards. No
 * browser: a test or a developer approves through /_emulator/devicecode, or a configured demo admin is approved at once.
 */
import { randomBytes, randomInt } from 'node:crypto';

/** Entra ID's own values: codes live 15 minutes, clients poll every 5 seconds. */
export const DEVICE_CODE_LIFETIME_SECONDS = 900;
export const DEVICE_CODE_INTERVAL_SECONDS = 5;
/** Entra ID's refresh tokens for public clients live 90 days (sliding); the emulator runs for minutes. */
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;
const MAX_PENDING = 10_000;

export interface DeviceFlowSettings {
  /** A user (object id or UPN) whose sign-in every new code gets at once; null: codes wait for the control API. */
  autoApproveAs: string | null;
  /** The `interval` clients are told to poll at. */
  intervalSeconds: number;
  /** The codes' `expires_in`. */
  lifetimeSeconds: number;
}

export const DEFAULT_DEVICE_FLOW: DeviceFlowSettings = {
  autoApproveAs: null,
  intervalSeconds: DEVICE_CODE_INTERVAL_SECONDS,
  lifetimeSeconds: DEVICE_CODE_LIFETIME_SECONDS,
};

export type DeviceCodeStatus = { kind: 'pending' } | { kind: 'approved'; userId: string } | { kind: 'declined' };

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  clientId: string;
  /** The `scope` parameter as given to /devicecode. */
  scope: string;
  expiresAt: number;
  status: DeviceCodeStatus;
}

export interface RefreshGrant {
  clientId: string;
  userId: string;
  expiresAt: number;
}

// Letters people cannot confuse when they type the code (no I, O, 0, 1).
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export class DeviceFlow {
  settings: DeviceFlowSettings;
  private readonly byDeviceCode = new Map<string, DeviceCode>();
  private readonly byUserCode = new Map<string, DeviceCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();

  constructor(private readonly initial: DeviceFlowSettings = DEFAULT_DEVICE_FLOW) {
    this.settings = { ...initial };
  }

  /** Forgets every code and refresh token; settings go back to the start options. */
  reset(): void {
    this.byDeviceCode.clear();
    this.byUserCode.clear();
    this.refreshTokens.clear();
    this.settings = { ...this.initial };
  }

  start(clientId: string, scope: string, approvedUserId: string | undefined, now = Date.now()): DeviceCode {
    this.sweep(now);
    let userCode: string;
    do {
      userCode = Array.from({ length: 9 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
    } while (this.byUserCode.has(userCode));
    const code: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      clientId,
      scope,
      expiresAt: now + this.settings.lifetimeSeconds * 1000,
      status: approvedUserId ? { kind: 'approved', userId: approvedUserId } : { kind: 'pending' },
    };
    this.byDeviceCode.set(code.deviceCode, code);
    this.byUserCode.set(userCode, code);
    return code;
  }

  byDevice(deviceCode: string): DeviceCode | undefined {
    return this.byDeviceCode.get(deviceCode);
  }

  /** User codes are matched without regard to case or dashes, as people type them. */
  byUser(userCode: string): DeviceCode | undefined {
    return this.byUserCode.get(userCode.toUpperCase().replace(/[-\s]/g, ''));
  }

  /** A redeemed code cannot be redeemed again. */
  redeem(code: DeviceCode): void {
    this.byDeviceCode.delete(code.deviceCode);
    this.byUserCode.delete(code.userCode);
  }

  pending(now = Date.now()): DeviceCode[] {
    this.sweep(now);
    return [...this.byDeviceCode.values()].filter((c) => c.status.kind === 'pending');
  }

  issueRefreshToken(clientId: string, userId: string, now = Date.now()): string {
    const token = `0.emulator.${randomBytes(48).toString('base64url')}`;
    this.refreshTokens.set(token, { clientId, userId, expiresAt: now + REFRESH_TOKEN_LIFETIME_MS });
    return token;
  }

  refreshGrant(token: string, now = Date.now()): RefreshGrant | undefined {
    const grant = this.refreshTokens.get(token);
    return grant && grant.expiresAt > now ? grant : undefined;
  }

  /** Expired codes stay a while (so a late poll hears expired_token), then go; the map stays bounded. */
  private sweep(now: number): void {
    for (const c of this.byDeviceCode.values()) {
      if (c.expiresAt + 3_600_000 < now || this.byDeviceCode.size > MAX_PENDING) this.redeem(c);
    }
  }
}
