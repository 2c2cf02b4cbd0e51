import { InvalidRequestError } from '../../lambdas/ports/errors';
import {
  LEDGER_TABLE_KEY_SCHEMA,
  LEDGER_PARTITION_PREFIX,
  LOCK_PARTITION_PREFIX,
  LOCK_SORT_KEY,
  canonicalIsoTime,
  expiresAtEpochSeconds,
  ledgerItemKey,
  ledgerSortKeyRange,
  lockItemKey,
} from '../../lambdas/ports/ledger-table';

describe('ledger table layout', () => {
  it('keys the table by string pk and sk, with expiresAt as the TTL attribute', () => {
    expect(LEDGER_TABLE_KEY_SCHEMA).toEqual({
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      timeToLiveAttribute: 'expiresAt',
    });
  });

  it('puts ledger items and the lock of a target under partition keys of different prefixes, so IAM can tell them apart', () => {
    expect(ledgerItemKey('orders', '2026-11-21T10:15:00Z', 'abc')).toEqual({
      pk: 'TARGET#orders',
      sk: 'LEDGER#2026-11-21T10:15:00.000Z#abc',
    });
    expect(lockItemKey('orders')).toEqual({ pk: 'LOCK#orders', sk: LOCK_SORT_KEY });
    expect(ledgerItemKey('orders', '2026-11-21T10:15:00Z', 'abc').pk.startsWith(LEDGER_PARTITION_PREFIX)).toBe(true);
    expect(lockItemKey('orders').pk.startsWith(LOCK_PARTITION_PREFIX)).toBe(true);
    expect(LEDGER_PARTITION_PREFIX.startsWith(LOCK_PARTITION_PREFIX)).toBe(false);
    expect(LOCK_PARTITION_PREFIX.startsWith(LEDGER_PARTITION_PREFIX)).toBe(false);
  });

  it.each([
    ['2026-11-21T10:15:00Z', '2026-11-21T10:15:00.000Z'],
    ['2026-11-21T10:15:00.5Z', '2026-11-21T10:15:00.500Z'],
    ['2026-11-21T11:15:00+01:00', '2026-11-21T10:15:00.000Z'],
  ])('writes %s in the one sortable form %s', (given, canonical) => {
    expect(canonicalIsoTime(given)).toBe(canonical);
  });

  it('sorts sort keys in time order whatever ISO form the times came in', () => {
    const times = ['2026-11-21T10:15:00.500Z', '2026-11-21T10:15:00Z', '2026-11-21T11:00:00+02:00'];
    const keys = times.map((time, index) => ledgerItemKey('orders', time, String(index)).sk);

    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
  });

  it('bounds a window so it includes entries at its start and excludes the lock', () => {
    const range = ledgerSortKeyRange('2026-11-21T10:15:00Z');
    const atStart = ledgerItemKey('orders', '2026-11-21T10:15:00Z', 'zzz').sk;
    const before = ledgerItemKey('orders', '2026-11-21T10:14:59.999Z', 'zzz').sk;
    const farFuture = ledgerItemKey('orders', '9999-12-31T23:59:59.999Z', 'zzz').sk;
    const within = (sk: string) => range.from <= sk && sk <= range.to;

    expect(within(atStart)).toBe(true);
    expect(within(farFuture)).toBe(true);
    expect(within(before)).toBe(false);
    expect(within(LOCK_SORT_KEY)).toBe(false);
  });

  it.each([
    ['a time that is not ISO', () => ledgerSortKeyRange('yesterday')],
    ['an empty target', () => lockItemKey('')],
    ['an empty unique part', () => ledgerItemKey('orders', '2026-11-21T10:15:00Z', '')],
  ])('refuses %s', (_, build) => {
    expect(build).toThrow(InvalidRequestError);
  });

  it('computes the TTL in whole epoch seconds', () => {
    expect(expiresAtEpochSeconds(new Date('2026-11-21T10:15:00.999Z'), 60)).toBe(
      Date.parse('2026-11-21T10:15:00Z') / 1000 + 60,
    );
  });
});
