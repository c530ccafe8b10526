// SIGKILL of the host process at one crash point; see support/crash-scenario.ts for what is checked.
import { crashPoints, crashScenario } from './support/crash-scenario.js';

crashScenario(crashPoints.afterLastDelete);
