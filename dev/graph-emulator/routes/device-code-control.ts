/**
 * /_emulator/devicecode: the person's side of the device code flow, without a browser. GET shows the settings and the
 * codes waiting; PUT changes the settings (autoApproveAs, intervalSeconds, lifetimeSeconds); POST .../approve signs a
 * user code in as a given user, POST .../decline refuses it (the client then hears authorization_declined).
 */
import { z } from 'zod';
import type { EmulatorCore } from '../emulator-core.js';
import type { GraphResponse } from '../graph-types.js';
import { zodProblems } from '../state/fixture-schema.js';

const settingsSchema = z.strictObject({
  autoApproveAs: z.string().min(1).nullable().optional(),
  intervalSeconds: z.number().int().min(0).max(60).optional(),
  lifetimeSeconds: z.number().int().min(1).max(3600).optional(),
});
const approveSchema = z.strictObject({ userCode: z.string().min(1), user: z.string().min(1) });
const declineSchema = z.strictObject({ userCode: z.string().min(1) });

const problem = (status: number, error: string, problems?: string[]): GraphResponse => ({
  status,
  body: { error, ...(problems ? { problems } : {}) },
});

function body<T>(schema: z.ZodType<T>, raw: string): { value: T } | { error: GraphResponse } {
  let json: unknown;
  try {
    json = JSON.parse(raw || 'null') as unknown;
  } catch (err) {
    return { error: problem(400, `The body is not valid JSON: ${(err as Error).message}`) };
  }
  const r = schema.safeParse(json);
  return r.success ? { value: r.data } : { error: problem(400, 'Invalid input.', zodProblems(r.error)) };
}

export function deviceCodeControl(
  core: EmulatorCore,
  method: string,
  action: string | undefined,
  raw: string,
): GraphResponse {
  const flow = core.deviceFlow;
  const view = (): GraphResponse => ({
    status: 200,
    body: {
      settings: flow.settings,
      pending: flow.pending().map((c) => ({
        userCode: c.userCode,
        clientId: c.clientId,
        scope: c.scope,
        expiresAt: new Date(c.expiresAt).toISOString(),
      })),
    },
  });
  if (action === undefined) {
    if (method === 'GET') return view();
    if (method !== 'PUT') return problem(405, 'Use GET or PUT on /_emulator/devicecode.');
    const v = body(settingsSchema, raw);
    if ('error' in v) return v.error;
    if (v.value.autoApproveAs && !core.state.findUser(v.value.autoApproveAs)) {
      return problem(400, `Unknown user '${v.value.autoApproveAs}'; give a fixture user's id or UPN.`);
    }
    if (v.value.autoApproveAs !== undefined) flow.settings.autoApproveAs = v.value.autoApproveAs;
    if (v.value.intervalSeconds !== undefined) flow.settings.intervalSeconds = v.value.intervalSeconds;
    if (v.value.lifetimeSeconds !== undefined) flow.settings.lifetimeSeconds = v.value.lifetimeSeconds;
    return view();
  }
  if (action !== 'approve' && action !== 'decline') {
    return problem(404, 'Use /_emulator/devicecode, /_emulator/devicecode/approve or /_emulator/devicecode/decline.');
  }
  if (method !== 'POST') return problem(405, `Use POST on /_emulator/devicecode/${action}.`);
  const v = action === 'approve' ? body(approveSchema, raw) : body(declineSchema, raw);
  if ('error' in v) return v.error;
  const code = flow.byUser(v.value.userCode);
  if (!code) return problem(404, `No device code with user code '${v.value.userCode}'.`);
  if (code.expiresAt <= Date.now()) return problem(409, 'The code has expired.');
  if (code.status.kind !== 'pending') return problem(409, `The code is already ${code.status.kind}.`);
  if (action === 'decline') {
    code.status = { kind: 'declined' };
    return { status: 200, body: { userCode: code.userCode, status: 'declined' } };
  }
  const userKey = (v.value as z.infer<typeof approveSchema>).user;
  const user = core.state.findUser(userKey);
  if (!user) return problem(400, `Unknown user '${userKey}'; give a fixture user's id or UPN.`);
  code.status = { kind: 'approved', userId: user.id };
  return { status: 200, body: { userCode: code.userCode, status: 'approved', userId: user.id } };
}
