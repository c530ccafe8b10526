// Item errors written for the operator name the Graph permissions the worker's identity lacks; callers see a sentence
// of ours in the status JSON and the CSV export, with the same code. Other failures are shown as stored.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CALLER_FAILURE_MESSAGES } from '../../src/lib/http/caller-failure.js';
import { unescapeCell } from '../../src/lib/http/csv-export.js';
import { itemsCsv, itemView } from '../../src/lib/http/status-views.js';
import type { ResetFailure } from '../../src/lib/domain/index.js';
import type { StoredItem } from '../../src/lib/store/index.js';

const permissionMissing: ResetFailure = {
  code: 'graph_permission_missing',
  message:
    "Microsoft Graph refused DELETE /users/{id}/authentication/phoneMethods/{id}: the worker's identity lacks " +
    'UserAuthMethod-Phone.ReadWrite.All or UserAuthenticationMethod.ReadWrite.All',
};
const guardRefused: ResetFailure = {
  code: 'guard_unavailable',
  message:
    'The protected-target check could not be completed, so nothing was changed: Microsoft Graph refused GET ' +
    "/roleManagement/directory/roleAssignments: the worker's identity lacks RoleManagement.Read.Directory",
};
const graphError: ResetFailure = { code: 'graph_error', message: 'Microsoft Graph answered 400 to GET /users/{id}' };

function failed(index: number, error: ResetFailure): StoredItem {
  return {
    requestId: 'r1',
    index,
    userKey: `user${index}@contoso.com`,
    ticket: 'INC1',
    reason: 'lost_device',
    status: 'final',
    outcome: 'failed',
    error,
    methodsRemoved: [],
    methodsRemaining: [],
    sessionsRevoked: false,
    graphRequestIds: [],
    attempts: 1,
    revision: 3,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:05.000Z',
    etag: 'e',
  };
}

/** What the store's iterateItems yields. */
async function* stored(items: StoredItem[]): AsyncIterable<StoredItem> {
  for (const item of items) yield await Promise.resolve(item);
}

const permissionNames = /ReadWrite\.All|Read\.Directory|worker's identity/;

describe('item errors as callers see them', () => {
  it('the status JSON names no permission: the code stays, the message is ours', () => {
    expect(itemView(failed(0, permissionMissing)).error).toEqual({
      code: 'graph_permission_missing',
      message:
        "The service lacks a Microsoft Graph permission this reset needs; the operator's logs and audit name it.",
    });
    expect(itemView(failed(1, guardRefused)).error).toEqual({
      code: 'guard_unavailable',
      message:
        'The protected-target check could not be completed, so nothing was changed. Submit the user again later; ' +
        "the operator's logs and audit name the cause.",
    });
    expect(JSON.stringify([permissionMissing, guardRefused].map((e, i) => itemView(failed(i, e))))).not.toMatch(
      permissionNames,
    );
  });

  it('other failures are shown as stored', () => {
    expect(itemView(failed(2, graphError)).error).toEqual(graphError);
  });

  it('the CSV export carries the same sentences', async () => {
    const csv = await itemsCsv(stored([failed(0, permissionMissing), failed(1, guardRefused), failed(2, graphError)]));
    expect(csv).not.toMatch(permissionNames);
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(rows.map((r) => [r.errorCode, unescapeCell(r.errorMessage ?? '')])).toEqual([
      ['graph_permission_missing', CALLER_FAILURE_MESSAGES.graph_permission_missing],
      ['guard_unavailable', CALLER_FAILURE_MESSAGES.guard_unavailable],
      ['graph_error', graphError.message],
    ]);
  });
});
