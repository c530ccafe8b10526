/** App roles of the service's API registration (the `roles` claim of callers' tokens). */
export const Roles = {
  /** POST /api/resets with one user. */
  submit: 'Resets.Submit',
  /** POST /api/resets with several users or a CSV. */
  submitBulk: 'Resets.SubmitBulk',
  /** GET /api/resets/{id}. */
  read: 'Resets.Read',
} as const;

export type Role = (typeof Roles)[keyof typeof Roles];
