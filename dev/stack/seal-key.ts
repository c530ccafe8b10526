// A fresh item-seal key (ITEM_SEAL_KEY) for a local stack or a test: random per stack, so no key is ever shared by
// two deployments or written to a file. A split stack passes the same value to its intake and worker.
import { randomBytes } from 'node:crypto';

export const newSealKey = (): string => randomBytes(32).toString('base64');
