import { dirname, resolve } from 'node:path';
import { SelectorsSchema, parseConfig, type StreamMedicConfig } from '../lambdas/domain/config';
import { parseInventory } from '../lambdas/domain/inventory';
import { resolveSelectors, type ExplicitClaim, type SelectorCount } from '../lambdas/domain/selectors';
import { InvalidInputError, parseWith } from '../lambdas/domain/validation';
import { parseFile, readJsonFile } from './io';

/** A config file read and validated, its selectors resolved into targets. */
export interface LoadedConfig {
  readonly config: StreamMedicConfig;
  /** One entry per selector; empty when the config has none. */
  readonly selections: readonly SelectorCount[];
  readonly warnings: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What each explicit target claims, read leniently: the schema judges the targets afterwards. */
function explicitClaims(targets: unknown): ExplicitClaim[] {
  if (!Array.isArray(targets)) return [];
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return targets.filter(isObject).map((target) => ({
    name: text(target['name']),
    stream: isObject(target['stream']) ? text(target['stream']['name']) : undefined,
    application: isObject(target['application']) ? text(target['application']['name']) : undefined,
  }));
}

/**
 * Reads a config file, resolves its `selectors` against the inventory they name (relative to the
 * config file) and validates the result as the one config schema. Every error names the file and
 * the field; a missing or malformed inventory is refused as `selectors.inventory`.
 */
export function loadConfigFile(path: string, flag: string, now: Date): LoadedConfig {
  const document = readJsonFile(path, flag);
  const inFile = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidInputError(`${path}: ${error.path}`, error.detail);
      throw error;
    }
  };
  if (!isObject(document) || document['selectors'] === undefined) {
    return { config: inFile(() => parseConfig(document)), selections: [], warnings: [] };
  }
  const selectors = inFile(() => parseWith(SelectorsSchema, document['selectors'], 'selectors'));
  const inventoryPath = resolve(dirname(path), selectors.inventory);
  const inventory = inFile(() => {
    try {
      return parseFile(inventoryPath, 'selectors.inventory', parseInventory);
    } catch (error) {
      if (!(error instanceof InvalidInputError) || error.path === 'selectors.inventory') throw error;
      // A malformed inventory: the field is the config's, the detail names the inventory's bad field.
      throw new InvalidInputError('selectors.inventory', `${error.path}: ${error.detail}`);
    }
  });
  const region = document['region'];
  if (typeof region === 'string' && region !== inventory.region) {
    throw new InvalidInputError(
      `${path}: selectors.inventory`,
      `lists region ${inventory.region}, but the config watches ${region}; run \`stream-medic discover --region ${region}\``,
    );
  }
  const resolution = resolveSelectors(selectors, inventory, explicitClaims(document['targets']), now);
  const { selectors: _resolved, ...rest } = document;
  const targets = [...(Array.isArray(document['targets']) ? document['targets'] : []), ...resolution.targets];
  const config = inFile(() => {
    if (targets.length === 0) {
      throw new InvalidInputError('targets', 'none listed, and the selectors matched no stream of the inventory');
    }
    return parseConfig({ ...rest, targets });
  });
  return { config, selections: resolution.counts, warnings: resolution.warnings };
}
