// fast-check arbitraries for what a caller can send to POST /api/resets: random JSON, near-valid bodies with
// wrong, missing and extra fields, and CSV files with odd headers, quoting, formula characters and line endings.
import fc from 'fast-check';

export interface GeneratedInput {
  readonly contentType: string;
  readonly body: string;
  readonly idempotencyKey?: string;
}

const reasons = ['lost_device', 'new_device', 'compromised', 'user_request', 'other'] as const;
const methodTypes = [
  'phone',
  'email',
  'microsoftAuthenticator',
  'fido2',
  'softwareOath',
  'hardwareOath',
  'temporaryAccessPass',
  'windowsHelloForBusiness',
  'password',
  'bogus',
];

/** Strings that tend to break parsers, validators and spreadsheets. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '=cmd|"/c calc"!A1',
    '+1-555-0100',
    '-2+3',
    '@SUM(A1)',
    '\tTAB',
    '\rCR',
    '\u0000',
    "'; DROP TABLE users; --",
    "x' or 1 eq 1 or id eq '",
    '../../etc/passwd',
    '%2e%2e%2f',
    '__proto__',
    'constructor',
    '\u202e',
    'a'.repeat(300),
    '{"$ref":"#"}',
  ),
);

/** What an HTTP header can carry (printable ASCII; fetch refuses more), including over-long keys. */
const headerValueArb = fc.oneof(
  fc.uuid().map(String),
  fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
  fc.constantFrom('', ' ', 'a'.repeat(256), '=cmd|"/c calc"!A1', "x' or 1=1"),
);

const upnArb = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}[a-z0-9]$/), fc.constantFrom('contoso.example', 'fabrikam.example'))
  .map(([local, domain]) => `${local.replace(/\.\.+/g, '.')}@${domain}`);

export function userKeyArb(knownUsers: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...knownUsers) },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toString()) },
    // Well-formed under Entra's user name policy, and e-mail addresses, many of which the policy refuses (`+`, `$`…).
    { weight: 1, arbitrary: upnArb },
    { weight: 1, arbitrary: fc.emailAddress() },
    { weight: 2, arbitrary: nastyString },
  );
}

const ticketArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 9_999_999 }).map((n) => `INC${String(n).padStart(7, '0')}`) },
  { weight: 1, arbitrary: nastyString },
);
const reasonArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...reasons) },
  { weight: 1, arbitrary: nastyString },
);

const optionsArb = fc.record(
  {
    methods: fc.oneof(
      fc.constantFrom('all', 'portal', 'everything'),
      fc.array(fc.constantFrom(...methodTypes), { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    keep: fc.oneof(fc.array(fc.constantFrom(...methodTypes), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    revokeSessions: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })),
    dryRun: fc.oneof(
      { weight: 3, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 0 }) },
    ),
    callbackUrl: fc.constant('http://169.254.169.254/latest'),
  },
  { requiredKeys: [] },
);

/** A body the API should accept: one of the two forms, valid fields, optional ones sometimes present. */
function validJson(knownUsers: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const validUser = fc.oneof(fc.constantFrom(...knownUsers), fc.uuid().map(String), upnArb);
  const validOptions = fc.record(
    {
      methods: fc.oneof(
        fc.constantFrom('all', 'portal'),
        fc.uniqueArray(fc.constantFrom('phone', 'email', 'fido2', 'softwareOath'), { minLength: 1, maxLength: 3 }),
      ),
      keep: fc.uniqueArray(fc.constantFrom('windowsHelloForBusiness', 'fido2'), { maxLength: 2 }),
      revokeSessions: fc.boolean(),
      dryRun: fc.boolean(),
    },
    { requiredKeys: [] },
  );
  return (
    fc
      .record(
        {
          form: fc.constantFrom('user', 'users'),
          user: validUser,
          users: fc.uniqueArray(validUser, { minLength: 1, maxLength: 5 }),
          ticket: fc.integer({ min: 0, max: 9_999_999 }).map((n) => `INC${String(n).padStart(7, '0')}`),
          reason: fc.constantFrom(...reasons),
          requestedBy: fc.option(upnArb, { nil: undefined }),
          options: fc.option(validOptions, { nil: undefined }),
        },
        { requiredKeys: ['form', 'user', 'users', 'ticket', 'reason'] },
      )
      .map(({ form, user, users, requestedBy, options, ...rest }) => ({
        ...(form === 'user' ? { user } : { users }),
        ...rest,
        ...(requestedBy === undefined ? {} : { requestedBy }),
        ...(options === undefined ? {} : { options }),
      }))
      // A compromised account always has its sessions revoked: asking otherwise is a 400, not a valid body.
      .filter((b) => !(b.reason === 'compromised' && b.options?.revokeSessions === false))
  );
}

type Mutation = (body: Record<string, unknown>) => Record<string, unknown>;

function mutationArb(knownUsers: readonly string[]): fc.Arbitrary<Mutation> {
  const fields = ['user', 'users', 'ticket', 'reason', 'requestedBy', 'options'];
  return fc.oneof(
    // A field gets a wrong value (a nasty string, any JSON, or a wrong user key).
    fc
      .tuple(fc.constantFrom(...fields), fc.oneof(nastyString, fc.jsonValue({ maxDepth: 2 }), userKeyArb(knownUsers)))
      .map(([field, value]): Mutation => (b) => ({ ...b, [field]: value })),
    // A field goes missing.
    fc.constantFrom(...fields).map((field): Mutation => (b) => {
      const { [field]: _gone, ...rest } = b;
      return rest;
    }),
    // Mass assignment: a field the API does not have.
    fc
      .tuple(
        fc.constantFrom('skipApproval', 'callbackUrl', 'notifyEmail', 'id', 'status', 'caller'),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([field, value]): Mutation => (b) => ({ ...b, [field]: value })),
    // Options with a wrong or unknown member.
    optionsArb.map((options): Mutation => (b) => ({ ...b, options })),
    // Both forms at once, or a too-long list.
    fc.constant<Mutation>((b) => ({ ...b, user: knownUsers[0], users: [knownUsers[0]] })),
    fc.constant<Mutation>((b) => ({ ...b, users: Array.from({ length: 60 }, (_, i) => `user${i}@contoso.example`) })),
  );
}

/** Near-valid bodies: a valid one with 0–3 mutations; plus keys JSON.stringify cannot produce (__proto__, repeats). */
function nearValidJson(knownUsers: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      validJson(knownUsers),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Mutation[]>([]) },
        { weight: 3, arbitrary: fc.array(mutationArb(knownUsers), { minLength: 1, maxLength: 3 }) },
      ),
      fc.constantFrom('none', 'none', 'none', 'none', 'none', 'none', 'proto', 'duplicate'),
    )
    .map(([valid, mutations, twist]) => {
      const text = JSON.stringify(mutations.reduce((body, m) => m(body), valid));
      if (twist === 'proto') return `{"__proto__":{"isAdmin":true},${text.slice(1)}`;
      if (twist === 'duplicate') return `{"ticket":"INC0000001",${text.slice(1)}`;
      return text;
    });
}

export function jsonInputArb(knownUsers: readonly string[]): fc.Arbitrary<GeneratedInput> {
  return fc
    .oneof(
      { weight: 6, arbitrary: nearValidJson(knownUsers) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
      {
        weight: 1,
        arbitrary: nearValidJson(knownUsers).chain((text) => {
          return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)); // truncated JSON
        }),
      },
    )
    .chain((body) =>
      fc.record({
        contentType: fc.oneof(
          { weight: 12, arbitrary: fc.constant('application/json') },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'application/json; charset=utf-8',
              'text/plain',
              'application/xml',
              'APPLICATION/JSON',
            ),
          },
        ),
        body: fc.constant(body),
        idempotencyKey: fc.option(headerValueArb, { nil: undefined }),
      }),
    );
}

const csvField = (value: string, quoteStyle: number): string => {
  if (quoteStyle === 0 && !/[",\r\n]/.test(value)) return value;
  return `"${value.replace(/"/g, '""')}"`;
};

export function csvInputArb(knownUsers: readonly string[]): fc.Arbitrary<GeneratedInput> {
  const headerArb: fc.Arbitrary<string[]> = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string[]>(['user', 'ticket', 'reason']) },
    { weight: 2, arbitrary: fc.constant<string[]>(['user', 'ticket', 'reason', 'requestedBy']) },
    {
      weight: 2,
      arbitrary: fc.shuffledSubarray(['user', 'ticket', 'reason', 'requestedBy', 'extra', 'USER', ''], {
        minLength: 0,
      }),
    },
  );
  const cellArb = (column: string): fc.Arbitrary<string> => {
    if (column === 'user') return userKeyArb(knownUsers);
    if (column === 'ticket') return ticketArb;
    if (column === 'reason') return reasonArb;
    if (column === 'requestedBy') return fc.oneof(fc.emailAddress(), nastyString);
    return nastyString;
  };
  // One file in four has only valid cells (the odd quoting, line ends and blank lines stay), so the accepted path is
  // always well exercised: a file of up to 12 rows drawn cell by cell is rarely valid in every cell, and a test that
  // needs "enough accepted" must not depend on luck.
  const validCellArb = (column: string): fc.Arbitrary<string> => {
    if (column === 'user') return fc.oneof(fc.constantFrom(...knownUsers), fc.uuid().map(String), upnArb);
    if (column === 'ticket')
      return fc.integer({ min: 0, max: 9_999_999 }).map((n) => `INC${String(n).padStart(7, '0')}`);
    if (column === 'reason') return fc.constantFrom(...reasons);
    return upnArb;
  };
  return fc
    .record({
      clean: fc.nat({ max: 3 }).map((n) => n === 0),
      header: headerArb,
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      quoteStyle: fc.nat({ max: 1 }),
      trailingEol: fc.boolean(),
      blankLines: fc.boolean(),
      rowCount: fc.nat({ max: 12 }),
      raggedRows: fc.boolean(),
    })
    .map((shape) => (shape.clean ? { ...shape, header: ['user', 'ticket', 'reason'], raggedRows: false } : shape))
    .chain((shape) =>
      fc
        .array(
          fc
            .tuple(...shape.header.map((c) => (shape.clean ? validCellArb(c) : cellArb(c))))
            .chain((cells) =>
              shape.raggedRows
                ? fc.nat({ max: cells.length + 1 }).map((n) => cells.slice(0, n).concat(n > cells.length ? ['x'] : []))
                : fc.constant(cells),
            ),
          { minLength: shape.rowCount, maxLength: shape.rowCount },
        )
        .map((rows) => {
          const lines = [shape.header, ...rows].map((r) => r.map((v) => csvField(v, shape.quoteStyle)).join(','));
          if (shape.blankLines && lines.length > 1) lines.splice(1, 0, '');
          return (shape.bom ? '\uFEFF' : '') + lines.join(shape.eol) + (shape.trailingEol ? shape.eol : '');
        }),
    )
    .chain((body) =>
      fc.record({
        contentType: fc.oneof(
          { weight: 10, arbitrary: fc.constant('text/csv') },
          { weight: 1, arbitrary: fc.constantFrom('text/csv; charset=utf-8', 'application/csv', 'text/plain') },
        ),
        body: fc.constant(body),
        idempotencyKey: fc.option(fc.uuid().map(String), { nil: undefined }),
      }),
    );
}
