import { decideScaling } from './decide.js';
import type { OsmoticInput, OsmoticParameters } from './input.js';
import {
  computePressures,
  indexRound,
  pressureRecords,
  type GatewayPressure,
  type OsmoticSkip,
} from './pressure.js';
import type { OsmoticRecord, ScaleScheduleRecord } from './records.js';

export interface OsmoticRound {
  ts: number;
  /** Number of P[fn, z, x] computed (pressureRows(round) lists them). */
  rowCount: number;
  gateways: GatewayPressure[];
  /** Creates, then the deletes that survived zero-sum removal. */
  actions: ScaleScheduleRecord[];
  skips: OsmoticSkip[];
  /** Every record in publication order: pressures per gateway, then scale_schedule. */
  records(): Generator<OsmoticRecord>;
}

/** One reconcile run of the osmotic scale-schedule optimizer: pressures, then decisions. */
export function runOsmoticRound(input: OsmoticInput, params: OsmoticParameters): OsmoticRound {
  const index = indexRound(input);
  const pressures = computePressures(input, params, index);
  const decision = decideScaling(input, params, pressures, index);
  const ts = input.now;
  return {
    ts,
    rowCount: pressures.rowCount,
    gateways: pressures.gateways,
    actions: decision.actions,
    skips: [...pressures.skips, ...decision.skips],
    *records() {
      yield* pressureRecords(pressures, ts, {
        duplicateLatencyRequirement: params.duplicateLatencyRequirement,
      });
      for (const action of decision.actions) yield { name: 'scale_schedule', value: action };
    },
  };
}
