// mfa-reset whoami: who the service sees the caller as (GET /api/me): ids, app or person, and the app roles held.
import { apiRoles } from '../../lib/domain/index.js';
import { clientFrom, parseCommand, type CommandContext } from '../args.js';
import { ExitCode, type ExitCode as Code } from '../cli-error.js';

export const whoamiHelp = `mfa-reset whoami
  Who the service sees you as (tenant, application, object id, app or person) and which of its roles you hold.`;

interface Me {
  readonly tenantId: string;
  readonly appId: string;
  readonly objectId?: string;
  readonly identityType: 'app' | 'user';
  readonly roles: readonly string[];
}

export async function whoamiCommand(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const { values } = parseCommand('whoami', argv, {});
  if (values.help) {
    ctx.out.line(whoamiHelp);
    return ExitCode.ok;
  }
  const client = clientFrom(values, ctx.env);
  const me = (await client.call<Me>('GET', '/api/me', { what: 'ask the service who you are' })).body;
  ctx.out.line(`identity: ${me.identityType === 'user' ? 'a person (delegated token)' : 'an application'}`);
  ctx.out.line(`tenant:   ${me.tenantId}`);
  ctx.out.line(`app:      ${me.appId}`);
  ctx.out.line(`object:   ${me.objectId ?? '(none in the token)'}`);
  ctx.out.line(`roles:    ${me.roles.length > 0 ? me.roles.join(', ') : '(none)'}`);
  const missing = apiRoles.filter((r) => !me.roles.includes(r));
  if (me.roles.length === 0)
    ctx.out.note(
      `You hold none of the service's roles (${apiRoles.join(', ')}): ask an administrator to assign one (npm run assign-caller-role).`,
    );
  else if (missing.length > 0) ctx.out.note(`Not held: ${missing.join(', ')}.`);
  return ExitCode.ok;
}
