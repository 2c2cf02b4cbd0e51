/**
 * Config selectors resolved into ordinary targets from an account inventory. Pure and
 * deterministic: the same config, inventory and clock give the same targets in the same order, so
 * `config validate` and `cdk synth` agree on what a deployment watches.
 */
import type { SelectorConfig, SelectorsConfig, TargetSchema } from './config';
import type { Inventory, InventoryApplication, InventoryStream } from './inventory';
import type * as z from 'zod';

type TargetInput = z.input<typeof TargetSchema>;

/** What an explicit target of the config claims, read before the config is validated. */
export interface ExplicitClaim {
  readonly name?: string;
  readonly stream?: string;
  readonly application?: string;
}

export interface SelectorCount {
  /** `select[<index>]`. */
  readonly selector: string;
  /** What it selects, in words. */
  readonly description: string;
  /** Streams of the inventory it matched. */
  readonly matched: number;
  /** Targets it added; the others were already watched by an explicit target or an earlier selector. */
  readonly added: number;
  /** Of those, targets paired with an application. */
  readonly paired: number;
}

export interface SelectorResolution {
  readonly targets: TargetInput[];
  readonly counts: SelectorCount[];
  /** Things to tell the person, each naming the field or resource it is about. */
  readonly warnings: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Target names: what `TargetSchema.name` accepts. */
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether `name` matches the glob `pattern`, where `*` is any run of characters and the rest is literal. */
export function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.]/g, '\\.'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

function describe(selector: SelectorConfig): string {
  const parts: string[] = [];
  const tags = Object.entries(selector.streams.tags ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (tags.length > 0) parts.push(`tags ${tags.map(([key, value]) => `${key}=${value}`).join(', ')}`);
  if (selector.streams.namePattern !== undefined) parts.push(`name ${selector.streams.namePattern}`);
  parts.push(`pair ${selector.pairApplications}`);
  return parts.join('; ');
}

function matches(selector: SelectorConfig, stream: InventoryStream): boolean {
  const tags = Object.entries(selector.streams.tags ?? {});
  if (!tags.every(([key, value]) => stream.tags[key] === value)) return false;
  const pattern = selector.streams.namePattern;
  return pattern === undefined || globMatches(pattern, stream.name);
}

/** The applications a selector's pairing rule finds for a stream. */
function candidates(selector: SelectorConfig, stream: InventoryStream, inventory: Inventory): InventoryApplication[] {
  return readers(selector, stream, inventory).sort((a, b) => a.name.localeCompare(b.name));
}

function readers(selector: SelectorConfig, stream: InventoryStream, inventory: Inventory): InventoryApplication[] {
  const rule = selector.pairApplications;
  if (rule === 'none') return [];
  if (rule === 'by-source') {
    return inventory.applications.filter((app) => app.sourceStreams.some((source) => source.name === stream.name));
  }
  const key = rule.slice('by-tag:'.length);
  return inventory.applications.filter((app) => app.tags[key] === stream.name);
}

/**
 * The targets `selectors` make from `inventory`, after the config's explicit targets: explicit
 * targets win every clash (a name, a stream or an application already claimed), and an earlier
 * selector wins over a later one. Each target is named after its stream.
 */
export function resolveSelectors(
  selectors: SelectorsConfig,
  inventory: Inventory,
  explicit: readonly ExplicitClaim[],
  now: Date,
): SelectorResolution {
  const names = new Set(explicit.flatMap((claim) => (claim.name === undefined ? [] : [claim.name])));
  const streams = new Set(explicit.flatMap((claim) => (claim.stream === undefined ? [] : [claim.stream])));
  const applications = new Set(
    explicit.flatMap((claim) => (claim.application === undefined ? [] : [claim.application])),
  );
  const warnings: string[] = [];
  const ageDays = (now.getTime() - Date.parse(inventory.capturedAt)) / DAY_MS;
  if (ageDays > selectors.maxAgeDays) {
    warnings.push(
      `selectors.inventory: captured ${Math.floor(ageDays)} days ago (${inventory.capturedAt}), more than ` +
        `maxAgeDays ${selectors.maxAgeDays}; run \`stream-medic discover\` again`,
    );
  }
  const ordered = [...inventory.streams].sort((a, b) => a.name.localeCompare(b.name));
  const targets: TargetInput[] = [];
  const counts = selectors.select.map((selector, index): SelectorCount => {
    const field = `selectors.select[${index}]`;
    let matched = 0;
    let added = 0;
    let paired = 0;
    for (const stream of ordered) {
      if (!matches(selector, stream)) continue;
      matched += 1;
      if (names.has(stream.name) || streams.has(stream.name)) continue;
      if (!TARGET_NAME.test(stream.name)) {
        warnings.push(`${field}: stream "${stream.name}" is left out: a target name is at most 64 characters`);
        continue;
      }
      const found = candidates(selector, stream, inventory);
      let application: InventoryApplication | undefined;
      if (found.length > 1) {
        warnings.push(
          `${field}: stream "${stream.name}" is read by ${found.map((app) => `"${app.name}"`).join(', ')}; ` +
            'none is paired: list the target explicitly',
        );
      } else if (found.length === 1 && applications.has(found[0]!.name)) {
        warnings.push(
          `${field}: application "${found[0]!.name}" is already watched by another target; ` +
            `stream "${stream.name}" is watched alone`,
        );
      } else {
        application = found[0];
      }
      names.add(stream.name);
      streams.add(stream.name);
      if (application !== undefined) applications.add(application.name);
      targets.push(targetFor(selector, stream, application));
      added += 1;
      if (application !== undefined) paired += 1;
    }
    if (matched === 0) warnings.push(`${field}: matches no stream of the inventory`);
    return { selector: `select[${index}]`, description: describe(selector), matched, added, paired };
  });
  return { targets, counts, warnings };
}

function targetFor(
  selector: SelectorConfig,
  stream: InventoryStream,
  application: InventoryApplication | undefined,
): TargetInput {
  return {
    name: stream.name,
    mode: selector.mode,
    ...(selector.policy !== undefined && { policy: selector.policy }),
    stream: { ...selector.stream, name: stream.name },
    ...(application !== undefined && { application: { ...selector.application, name: application.name } }),
  };
}
