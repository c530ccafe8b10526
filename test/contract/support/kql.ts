// Parses and analyses KQL with Microsoft's Kusto language service (Kusto.Language compiled to JavaScript), against the
// Application Insights tables the operations guide queries, so a typo in a table, a column or an operator fails a test.
// The package is a pair of scripts that define globals (Bridge.NET); only the few members used here are typed.
import { createRequire } from 'node:module';

interface DiagnosticList {
  readonly Count: number;
  getItem(index: number): { readonly Severity: string; readonly Message: string };
}
interface KustoLanguage {
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): DiagnosticList } };
  readonly Symbols: {
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
    readonly TableSymbol: { From(schema: string): { WithName(name: string): unknown } };
  };
}

/** Columns of the Application Insights (classic) tables, as the Logs blade of the component shows them. */
const common =
  'timestamp:datetime, itemType:string, customDimensions:dynamic, operation_Name:string, operation_Id:string, ' +
  'operation_ParentId:string, cloud_RoleName:string, cloud_RoleInstance:string, appId:string, appName:string, ' +
  'iKey:string, sdkVersion:string, itemId:string, itemCount:int';
export const applicationInsightsTables: Record<string, string> = {
  customEvents: `name:string, customMeasurements:dynamic, ${common}`,
  customMetrics:
    'name:string, value:real, valueCount:int, valueSum:real, valueMin:real, valueMax:real, valueStdDev:real, ' + common,
  requests:
    'id:string, name:string, url:string, success:string, resultCode:string, duration:real, ' +
    `performanceBucket:string, source:string, customMeasurements:dynamic, ${common}`,
  exceptions:
    'problemId:string, handledAt:string, type:string, message:string, assembly:string, method:string, ' +
    'outerType:string, outerMessage:string, outerAssembly:string, outerMethod:string, innermostType:string, ' +
    'innermostMessage:string, severityLevel:int, details:dynamic, customMeasurements:dynamic, ' +
    common,
  traces: `message:string, severityLevel:int, customMeasurements:dynamic, ${common}`,
  dependencies:
    'id:string, target:string, type:string, name:string, data:string, success:string, resultCode:string, ' +
    `duration:real, performanceBucket:string, customMeasurements:dynamic, ${common}`,
};

let globals: { kusto: KustoLanguage; state: unknown } | undefined;

function load(): { kusto: KustoLanguage; state: unknown } {
  if (globals) return globals;
  const require = createRequire(import.meta.url);
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const kusto = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
  const tables = Object.entries(applicationInsightsTables).map(([name, columns]) =>
    kusto.Symbols.TableSymbol.From(`(${columns})`).WithName(name),
  );
  const database = new kusto.Symbols.DatabaseSymbol.ctor('applicationinsights', tables);
  globals = { kusto, state: kusto.GlobalState.Default.WithDatabase(database) };
  return globals;
}

/** Errors (not warnings) the Kusto analyser reports for a query. */
export function kqlErrors(query: string): string[] {
  const { kusto, state } = load();
  const diagnostics = kusto.KustoCode.ParseAndAnalyze(query, state).GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const diagnostic = diagnostics.getItem(i);
    if (diagnostic.Severity === 'Error') errors.push(diagnostic.Message);
  }
  return errors;
}
