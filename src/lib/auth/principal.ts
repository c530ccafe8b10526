import type { CallerRef } from '../domain/index.js';

/** The authenticated caller of one HTTP request. */
export interface Principal {
  readonly caller: CallerRef;
  readonly roles: readonly string[];
  /** `app` for client-credentials / managed-identity tokens, `user` for delegated tokens. */
  readonly tokenType: 'app' | 'user';
  /** Token identifier (`uti`), for correlation; never the token itself. */
  readonly tokenId?: string;
}
