// The one place that decides which functions exist. Azure passes @azure/functions' `app`; the dev harness passes its
// own registrar, so both run exactly the same set (MFA_RESET_FUNCTIONS: all | intake | worker).
import type { HttpHandler, StorageQueueHandler } from '../functions/adapter/functions-types.js';
import { resetBatchesFunction, resetBatchesHandler, type ResetBatchesDeps } from '../functions/reset-batches.js';
import { resetItemsFunction, resetItemsHandler } from '../functions/reset-items.js';
import {
  resetBatchesPoisonFunction,
  resetBatchesPoisonHandler,
  resetItemsPoisonFunction,
  resetItemsPoisonHandler,
} from '../functions/reset-poison.js';
import { resetSweeperFunction, resetSweeperHandler } from '../functions/reset-sweeper.js';
import {
  resetCallbacksFunction,
  resetCallbacksHandler,
  resetCallbacksPoisonFunction,
  resetCallbacksPoisonHandler,
} from '../functions/reset-callbacks.js';
import type { DeliverCallbackDeps } from '../lib/callbacks/deliver-callback.js';
import { resetAuditReconcileFunction, resetAuditReconcileHandler } from '../functions/reset-audit-reconcile.js';
import type { AuditShipper } from '../lib/audit-record/index.js';
import type { FunctionsMode } from '../lib/config/index.js';
import type { PoisonDeps, ProcessItemDeps, ResubmitDeps } from '../lib/worker/index.js';
import type { FunctionRegistrar } from './function-registrar.js';

/**
 * The connection the queue triggers use when none is given: the host resolves it (connection string or
 * identity-based). A deployment with the reset data in its own account names `MfaData` (config.dataConnection).
 */
export const storageConnection = 'AzureWebJobsStorage';

export interface HttpFunctionSpec {
  readonly name: string;
  readonly route: string;
  readonly methods: readonly ('GET' | 'POST' | 'PUT')[];
  readonly handler: HttpHandler;
}

export interface FunctionDeps {
  readonly mode: FunctionsMode;
  /** The storage connection setting of the reset queues (default AzureWebJobsStorage). */
  readonly queueConnection?: string;
  /** HTTP functions (intake side): POST /api/resets and GET /api/resets/{id}. Required in `all` and `intake`. */
  readonly http?: readonly HttpFunctionSpec[];
  /** The sweeper runs on the intake side: it needs the store and the queue, never Graph. */
  readonly sweeper?: ResubmitDeps;
  /** Worker side. Required in `all` and `worker`. */
  readonly worker?: ProcessItemDeps & ResetBatchesDeps & PoisonDeps;
  /** Worker side: delivers completion callbacks (queue `reset-callbacks`). */
  readonly callbacks?: DeliverCallbackDeps;
  /** The audit record's timer (worker side only: the intake never holds the record). */
  readonly auditReconcile?: Pick<AuditShipper, 'reconcileChanged'>;
}

export function registerFunctions(registrar: FunctionRegistrar, deps: FunctionDeps): void {
  const intake = deps.mode === 'all' || deps.mode === 'intake';
  const worker = deps.mode === 'all' || deps.mode === 'worker';

  if (intake) {
    if (!deps.http || deps.http.length === 0)
      throw new Error(`MFA_RESET_FUNCTIONS=${deps.mode} needs the HTTP handlers`);
    for (const fn of deps.http) {
      registrar.http(fn.name, {
        route: fn.route,
        methods: [...fn.methods],
        authLevel: 'anonymous',
        handler: fn.handler,
      });
    }
    if (deps.sweeper) {
      registrar.timer(resetSweeperFunction.name, {
        schedule: resetSweeperFunction.schedule,
        runOnStartup: false,
        handler: resetSweeperHandler(deps.sweeper),
      });
    }
  }

  if (worker) {
    const w = deps.worker;
    if (!w) throw new Error(`MFA_RESET_FUNCTIONS=${deps.mode} needs the worker dependencies`);
    const queue = (name: string, queueName: string, handler: StorageQueueHandler): void =>
      registrar.storageQueue(name, { queueName, connection: deps.queueConnection ?? storageConnection, handler });
    queue(resetBatchesFunction.name, resetBatchesFunction.queueName, resetBatchesHandler(w));
    queue(resetItemsFunction.name, resetItemsFunction.queueName, resetItemsHandler(w));
    queue(resetBatchesPoisonFunction.name, resetBatchesPoisonFunction.queueName, resetBatchesPoisonHandler(w));
    queue(resetItemsPoisonFunction.name, resetItemsPoisonFunction.queueName, resetItemsPoisonHandler(w));
    const c = deps.callbacks;
    if (c) {
      queue(resetCallbacksFunction.name, resetCallbacksFunction.queueName, resetCallbacksHandler(c));
      queue(resetCallbacksPoisonFunction.name, resetCallbacksPoisonFunction.queueName, resetCallbacksPoisonHandler(c));
    }
    if (deps.auditReconcile) {
      registrar.timer(resetAuditReconcileFunction.name, {
        schedule: resetAuditReconcileFunction.schedule,
        runOnStartup: false,
        handler: resetAuditReconcileHandler(deps.auditReconcile),
      });
    }
  }
}
