// What a caller is told about a failed item. The stored failure is written for the operator: for a missing Graph
// permission it names the permission (and, for the guard, the Graph read) the worker's identity lacks, which says
// how the service is set up. Callers get a sentence of ours for those codes; the item's audit row and the worker's
// `item_completed` log line keep the operator's text.
import type { ResetFailure } from '../domain/index.js';

export const CALLER_FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  graph_permission_missing:
    "The service lacks a Microsoft Graph permission this reset needs; the operator's logs and audit name it.",
  guard_unavailable:
    'The protected-target check could not be completed, so nothing was changed. Submit the user again later; ' +
    "the operator's logs and audit name the cause.",
};

/** The failure as callers see it (status JSON and CSV export): the code, and our sentence where the stored one is for operators. */
export function callerFailure(error: ResetFailure): ResetFailure {
  return { code: error.code, message: CALLER_FAILURE_MESSAGES[error.code] ?? error.message };
}
