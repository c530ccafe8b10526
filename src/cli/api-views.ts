// The shapes of the service's answers the CLI reads (docs/api.md); only the fields it uses.
import type { ItemOutcome } from '../lib/domain/index.js';

export interface TapView {
  readonly status: 'issued' | 'not_issued';
  readonly value?: string;
  readonly startDateTime?: string;
  readonly lifetimeMinutes?: number;
  readonly isUsableOnce?: boolean;
  readonly revealed?: boolean;
  readonly revealedAt?: string;
  readonly expired?: boolean;
  readonly reason?: string;
  readonly detail?: string;
}

export interface ItemView {
  readonly index: number;
  readonly user: string;
  readonly status: 'queued' | 'running' | 'final';
  readonly outcome?: ItemOutcome;
  readonly methodsRemoved?: readonly { type: string }[];
  readonly methodsRemaining?: readonly { type: string; reason?: string }[];
  readonly methodsPlanned?: readonly { type: string }[];
  readonly error?: { code: string; message: string };
  readonly temporaryAccessPass?: TapView | null;
}

export interface RequestView {
  readonly id: string;
  readonly status: 'awaiting_approval' | 'queued' | 'running' | 'completed';
  readonly total: number;
  readonly pending: number;
  readonly counts: Readonly<Partial<Record<ItemOutcome, number>>>;
  readonly items?: readonly ItemView[];
  readonly pages?: number;
  readonly cancelledAt?: string;
  readonly approval?: { readonly state: string; readonly expiresAt?: string; readonly comment?: string };
  readonly options?: { readonly dryRun?: boolean };
}

export interface AcceptedView {
  readonly id: string;
  readonly status: string;
  readonly items: number;
  readonly duplicatesCollapsed?: number;
  readonly approval?: { readonly state: string; readonly expiresAt?: string };
}

export interface TapItemView {
  readonly index: number;
  readonly user: string;
  readonly status: string;
  readonly outcome?: ItemOutcome;
  readonly temporaryAccessPass: TapView | null;
}
