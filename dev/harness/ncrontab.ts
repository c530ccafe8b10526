// The six-field NCRONTAB expressions timer triggers use ("{second} {minute} {hour} {day} {month} {day-of-week}"),
// enough to compute the next occurrence in UTC: `*`, `*/n`, `a`, `a-b`, `a-b/n` and comma lists.
const ranges: readonly [number, number][] = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
];

function parseField(field: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`Unsupported NCRONTAB field "${field}"`);
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
    const step = m[4] ? Number(m[4]) : 1;
    if (from < min || to > max || step < 1) throw new Error(`NCRONTAB field "${field}" is out of range`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function nextOccurrence(schedule: string, after: Date): Date {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`NCRONTAB "${schedule}" must have six fields`);
  const [sec, min, hour, day, month, dow] = fields.map((f, i) => parseField(f, ranges[i] ?? [0, 0]));
  const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  for (let i = 0; i < 366 * 24 * 3600; i++) {
    if (
      sec?.has(t.getUTCSeconds()) &&
      min?.has(t.getUTCMinutes()) &&
      hour?.has(t.getUTCHours()) &&
      day?.has(t.getUTCDate()) &&
      month?.has(t.getUTCMonth() + 1) &&
      dow?.has(t.getUTCDay())
    ) {
      return t;
    }
    t.setTime(t.getTime() + 1000);
  }
  throw new Error(`NCRONTAB "${schedule}" never fires`);
}
