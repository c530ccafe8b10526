// Texts that reach audit rows and API answers (error messages from Graph, exceptions) can echo a user key (a UPN
// looks like an e-mail address) or a phone number: mask both.
export function redact(text: string): string {
  return text.replace(/[^\s'"(),;<>]+@[^\s'"(),;<>]+/g, '<redacted>').replace(/\+\d[\d ()-]{5,}\d/g, '<redacted>');
}
