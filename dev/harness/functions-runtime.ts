// @azure/functions is CommonJS: Node's ESM loader exposes only the exports it can detect statically (`app`, ...),
// not the classes. Take them from the module object instead.
import azureFunctions from '@azure/functions';

export const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
