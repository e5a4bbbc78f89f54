import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  isChannel,
  requests,
  type OodlabApi,
  type RequestOf,
  type ResponseOf,
} from '../../../../common/contract';
import type { SystemInfo } from '../../../../common/contract/system';
import { handlers } from '../../../../main/api';

describe('contract', () => {
  it('types requests and responses per channel (compile time)', () => {
    expectTypeOf<ResponseOf<'system.info'>>().toEqualTypeOf<SystemInfo>();
    expectTypeOf<RequestOf<'jobs.cancel'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<OodlabApi['invoke']>().parameter(0).toEqualTypeOf<keyof typeof requests>();
  });

  it('has exactly one handler per request channel and knows its channel names', () => {
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(requests).sort());
    expect(isChannel('system.info')).toBe(true);
    expect(isChannel('toString')).toBe(false);
  });

  it('validates requests with their schemas', () => {
    expect(requests['jobs.cancel'].request.safeParse({ id: 'a' }).success).toBe(true);
    expect(requests['jobs.cancel'].request.safeParse({ id: '' }).success).toBe(false);
    expect(requests['system.info'].request.safeParse({ extra: 1 }).success).toBe(false);
  });
});
