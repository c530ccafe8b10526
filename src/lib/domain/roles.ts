// The app roles of the service's API registration: the `roles` claim of callers' tokens. The API checks them, the
// assign-caller-role script grants them and the emulator's demo tenant defines them, all from here.
export const Roles = {
  /** POST /api/resets with one user. */
  submit: 'Resets.Submit',
  /** POST /api/resets with several users or a CSV. */
  submitBulk: 'Resets.SubmitBulk',
  /** GET /api/resets/{id}. */
  read: 'Resets.Read',
  /** Cancel anyone's request; the kill switch and the breaker (operators, incident response). */
  operate: 'Resets.Operate',
  /** Approve or reject requests others submitted. */
  approve: 'Resets.Approve',
} as const;

export type Role = (typeof Roles)[keyof typeof Roles];

/** Every API role, in the order the script's help and the emulator list them. */
export const apiRoles: readonly Role[] = Object.values(Roles);

export function isRole(value: string): value is Role {
  return (apiRoles as readonly string[]).includes(value);
}
