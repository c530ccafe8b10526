// The chain's hash function (the domain takes it as a parameter): SHA-256 of the UTF-8 text, in hex.
import { createHash } from 'node:crypto';
import type { HashText } from '../domain/index.js';

export const sha256Hex: HashText = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
