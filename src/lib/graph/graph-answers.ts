// Reading Graph's answers: JSON bodies reduced to what the port hands back (ids and types, never phone numbers or
// e-mail addresses) and error bodies. Paging is strict-pages.ts.
import type { GraphMethod, PhoneType } from '../domain/index.js';
import { phoneTypeOfId, shortOdataName, typeOfOdataType } from './method-catalogue.js';

export function toMethod(value: Record<string, unknown>, fallbackType: string | undefined): GraphMethod | undefined {
  const odataType = typeof value['@odata.type'] === 'string' ? value['@odata.type'] : fallbackType;
  const id = typeof value.id === 'string' ? value.id : undefined;
  if (!odataType || !id) return undefined;
  const type = typeOfOdataType(odataType);
  let phoneType: PhoneType | undefined;
  if (type === 'phone') {
    const declared = value.phoneType;
    phoneType =
      declared === 'mobile' || declared === 'alternateMobile' || declared === 'office' ? declared : phoneTypeOfId(id);
  }
  return { type, graphType: shortOdataName(odataType), id, ...(phoneType ? { phoneType } : {}) };
}

export function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function errorBody(body: unknown): { code?: string; message?: string; requestId?: string } {
  const error = asRecord(asRecord(body).error);
  const inner = asRecord(error.innerError);
  return {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    requestId: typeof inner['request-id'] === 'string' ? inner['request-id'] : undefined,
  };
}
