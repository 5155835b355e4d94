import { describe, expect, it } from 'vitest';
import {
  formatPodEventLine,
  formatPythonEventLine,
  pythonJson,
  pythonNumber,
  scaleSchedulePayloadSchema,
  scalingSubjects,
} from './scaling-events.js';

describe('galileo/events lines of the scaling domain', () => {
  it('writes JSON as Python json.dumps does', () => {
    expect(
      pythonJson({ ts: 1663163436.1, fn: 'resnet', labels: { a: 'b' }, l: [1, 2], delete: false, v: null }),
    ).toBe(
      '{"ts": 1663163436.1, "fn": "resnet", "labels": {"a": "b"}, "l": [1, 2], "delete": false, "v": null}',
    );
    expect(pythonJson('zone-ä')).toBe('"zone-\\u00e4"');
    expect(pythonNumber(1e-7)).toBe('1e-07');
    expect(pythonNumber(1e21)).toBe('1e+21');
    expect(pythonNumber(Number.NaN)).toBe('NaN');
    expect(formatPythonEventLine(1663163436.123456, 'api_pressure', { ts: 1663163436.123456 })).toBe(
      '1663163436.123456 api_pressure {"ts": 1663163436.123456}',
    );
  });

  it('writes pod lines as telemd-kubernetes-adapter does (%.7f, compact JSON)', () => {
    const pod = {
      podUid: 'u',
      containers: {},
      namespace: 'default',
      hostIP: '',
      name: 'p',
      nodeName: 'n',
      podIP: '',
      qosClass: '',
      startTime: '',
      labels: {},
      status: 'Pending',
    };
    expect(formatPodEventLine(1700000000.25, 'pending', pod)).toBe(
      '1700000000.2500000 pod/pending {"podUid":"u","containers":{},"namespace":"default","hostIP":"","name":"p","nodeName":"n","podIP":"","qosClass":"","startTime":"","labels":{},"status":"Pending"}',
    );
    expect(scalingSubjects.pod('running')).toBe('galileo.events.pod/running');
  });

  it('accepts the code form and the README form of scale_schedule, nothing without a pod', () => {
    expect(
      scaleSchedulePayloadSchema.safeParse({ fn: 'f', pod: { pod_name: 'p', image: 'i', labels: {} } })
        .success,
    ).toBe(true);
    expect(
      scaleSchedulePayloadSchema.safeParse({
        fn: 'f',
        pod_creation_request: { pod_name: 'p', image: 'i', labels: {} },
      }).success,
    ).toBe(true);
    expect(scaleSchedulePayloadSchema.safeParse({ fn: 'f' }).success).toBe(false);
  });
});
