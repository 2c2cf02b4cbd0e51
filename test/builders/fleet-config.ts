import type { StreamMedicConfigInput } from '../../lambdas/domain/config';

/** A fleet of `count` stream+application targets, named `pipeline-000` and up, every one `auto`. */
export function fleetConfig(count: number, extra: Partial<StreamMedicConfigInput> = {}): StreamMedicConfigInput {
  return {
    notifications: { emails: ['oncall@example.com'] },
    ...extra,
    targets: Array.from({ length: count }, (_, index) => {
      const name = `pipeline-${String(index).padStart(3, '0')}`;
      return {
        name,
        mode: 'auto' as const,
        stream: { name: `${name}-stream`, maxShards: 64 },
        application: { name: `${name}-app`, maxParallelism: 32 },
      };
    }),
  };
}
