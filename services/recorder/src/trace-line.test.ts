import { parseTraceLineFields } from '@galileo/events';
import { describe, expect, it } from 'vitest';

// galileo's trace line (protocols §5.3), as the recorder's galileo/results/traces bridge reads it
describe('galileo trace lines', () => {
  it('reads the example of the protocol notes, undoing | and \\n', () => {
    const line =
      'a1b2c3d4e5:17,w1:squeezenet:0,squeezenet,1603020000.1234567,1603020000.1235000,1603020000.2000000,200,host1:8080,None,{"Content-Type": "application/json"| "Content-Length": "12"},{"ok": true}, and more\\nlines';
    expect(parseTraceLineFields(line)).toEqual({
      request_id: 'a1b2c3d4e5:17',
      client: 'w1:squeezenet:0',
      service: 'squeezenet',
      created: 1603020000.1234567,
      sent: 1603020000.1235,
      done: 1603020000.2,
      status: 200,
      server: 'host1:8080',
      exp_id: null,
      headers: '{"Content-Type": "application/json", "Content-Length": "12"}',
      response: '{"ok": true}, and more\nlines',
    });
  });

  it('says what is wrong with a line that is not one', () => {
    expect(parseTraceLineFields('a,b,c')).toHaveProperty('error', expect.stringContaining('expected 11'));
    expect(parseTraceLineFields('r,c,s,x,1,2,200,h,None,None,None')).toHaveProperty(
      'error',
      expect.stringContaining('created must be a number'),
    );
    expect(parseTraceLineFields('r,c,s,1,1,2,2.5,h,None,None,None')).toHaveProperty(
      'error',
      expect.stringContaining('status must be a number (integer)'),
    );
  });
});
