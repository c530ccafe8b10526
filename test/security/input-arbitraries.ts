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

export function userKeyArb(knownUsers: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...knownUsers) },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toString()) },
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

/** Bodies shaped like the API's, each field valid or not, some keys missing, sometimes an extra one. */
function nearValidJson(knownUsers: readonly string[]): fc.Arbitrary<string> {
  const user = userKeyArb(knownUsers);
  return fc
    .tuple(
      fc.record(
        {
          user: fc.oneof({ weight: 5, arbitrary: user }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
          users: fc.oneof(
            { weight: 5, arbitrary: fc.array(user, { minLength: 0, maxLength: 6 }) },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          ticket: fc.oneof(
            { weight: 5, arbitrary: ticketArb },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
          ),
          reason: reasonArb,
          requestedBy: fc.oneof(fc.emailAddress(), nastyString),
          options: fc.oneof(
            { weight: 4, arbitrary: optionsArb },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          skipApproval: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom('none', 'none', 'none', 'none', 'proto', 'duplicate'),
    )
    .map(([record, twist]) => {
      const text = JSON.stringify(record);
      // Keys JSON.stringify cannot produce from a record: a literal __proto__, and a key given twice.
      if (twist === 'proto' && text.length > 2) return `{"__proto__":{"isAdmin":true},${text.slice(1)}`;
      if (twist === 'duplicate' && text.length > 2) return `{"ticket":"INC0000001",${text.slice(1)}`;
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
        idempotencyKey: fc.option(fc.oneof(fc.uuid().map(String), nastyString), { nil: undefined }),
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
  return fc
    .record({
      header: headerArb,
      eol: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      quoteStyle: fc.nat({ max: 1 }),
      trailingEol: fc.boolean(),
      blankLines: fc.boolean(),
      rowCount: fc.nat({ max: 12 }),
      raggedRows: fc.boolean(),
    })
    .chain((shape) =>
      fc
        .array(
          fc
            .tuple(...shape.header.map((c) => cellArb(c)))
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
