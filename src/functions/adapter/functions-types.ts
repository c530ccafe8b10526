// The Azure Functions SDK types our triggers and registrations are written against. Only src/functions and
// src/app use them (through this file); src/lib never sees @azure/functions.
export type {
  HttpFunctionOptions,
  HttpHandler,
  HttpRequest,
  HttpResponseInit,
  InvocationContext,
  StorageQueueFunctionOptions,
  StorageQueueHandler,
  TimerFunctionOptions,
  TimerHandler,
} from '@azure/functions';
