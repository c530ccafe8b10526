// A registrar with the shape of @azure/functions' `app`: it records registrations instead of handing them to a host.
import type { HttpFunctionOptions, StorageQueueFunctionOptions, TimerFunctionOptions } from '@azure/functions';
import type { FunctionRegistrar } from '../../src/app/function-registrar.js';

export type Registration =
  | { readonly kind: 'http'; readonly name: string; readonly options: HttpFunctionOptions }
  | { readonly kind: 'storageQueue'; readonly name: string; readonly options: StorageQueueFunctionOptions }
  | { readonly kind: 'timer'; readonly name: string; readonly options: TimerFunctionOptions };

export class RecordingRegistrar implements FunctionRegistrar {
  readonly registrations: Registration[] = [];

  http(name: string, options: HttpFunctionOptions): void {
    this.#add({ kind: 'http', name, options });
  }

  storageQueue(name: string, options: StorageQueueFunctionOptions): void {
    this.#add({ kind: 'storageQueue', name, options });
  }

  timer(name: string, options: TimerFunctionOptions): void {
    this.#add({ kind: 'timer', name, options });
  }

  #add(registration: Registration): void {
    // The host refuses two functions with one name; so do we.
    if (this.registrations.some((r) => r.name.toLowerCase() === registration.name.toLowerCase())) {
      throw new Error(`A function named "${registration.name}" is already registered`);
    }
    this.registrations.push(registration);
  }
}
