import type { ArrivalProcess } from './arrival-process.js';
import { betaProcess } from './beta.js';
import { constantProcess } from './constant.js';
import { exponentialProcess } from './exponential.js';
import { gammaProcess } from './gamma.js';
import { lognormalProcess } from './lognormal.js';
import { normalProcess } from './normal.js';
import { paretoProcess } from './pareto.js';
import { prerecordedProcess } from './prerecorded.js';
import { triangularProcess } from './triangular.js';
import { uniformProcess } from './uniform.js';
import { vonMisesProcess } from './vonmises.js';
import { weibullProcess } from './weibull.js';

/** Every arrival process, keyed by canonical name. */
export const arrivalProcesses: ReadonlyMap<string, ArrivalProcess> = new Map(
  [
    constantProcess,
    exponentialProcess,
    uniformProcess,
    normalProcess,
    lognormalProcess,
    gammaProcess,
    betaProcess,
    paretoProcess,
    weibullProcess,
    triangularProcess,
    vonMisesProcess,
    prerecordedProcess,
  ].map((process) => [process.name, process]),
);

const byAnyName: ReadonlyMap<string, ArrivalProcess> = new Map(
  [...arrivalProcesses.values()].flatMap((process) =>
    [process.name, ...process.aliases].map((name) => [name, process] as const),
  ),
);

/** Finds a process by its canonical name or a galileo/Python alias (`expovariate`, `gauss`, …). */
export function findArrivalProcess(name: string): ArrivalProcess | undefined {
  return byAnyName.get(name);
}

/** All accepted names, canonical ones first; for error messages and documentation. */
export function arrivalProcessNames(): string[] {
  return [...arrivalProcesses.keys(), ...[...arrivalProcesses.values()].flatMap((p) => p.aliases)];
}
