// What registerFunctions needs from @azure/functions' `app`: the real `app` satisfies it in Azure, and the dev
// harness passes its own implementation, so the same code registers every function in both places.
import type {
  HttpFunctionOptions,
  StorageQueueFunctionOptions,
  TimerFunctionOptions,
} from '../functions/adapter/functions-types.js';

export interface FunctionRegistrar {
  http(name: string, options: HttpFunctionOptions): void;
  storageQueue(name: string, options: StorageQueueFunctionOptions): void;
  timer(name: string, options: TimerFunctionOptions): void;
}
