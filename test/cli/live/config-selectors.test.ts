import { inventoryApplication, inventoryOf, inventoryStream } from '../../builders/inventory-builder';
import { Scratch } from '../support/cli-harness';
import { callCount, liveRun, mockedAws } from './support/live-harness';

const scratch = new Scratch();
afterAll(() => scratch.remove());

/** config validate reads the wall clock for the inventory's age: a fresh inventory is captured now. */
const fresh = () => new Date().toISOString();

const PAYMENTS = { team: 'payments' };
function inventory(capturedAt = fresh()) {
  return inventoryOf(
    [inventoryStream('orders-eu', PAYMENTS), inventoryStream('orders-us', PAYMENTS), inventoryStream('clicks')],
    [inventoryApplication('orders-eu-enricher', { sources: ['orders-eu'] })],
    capturedAt,
  );
}

const SELECTORS = {
  inventory: 'inventory.json',
  select: [{ streams: { tags: PAYMENTS }, pairApplications: 'by-source', mode: 'auto' }],
};

/** Validates `config` beside `inventoryDocument`; `null` writes no inventory at all. */
async function validate(config: unknown, inventoryDocument: unknown = inventory()) {
  const dir = new Scratch();
  const configFile = dir.file('config.json', config);
  if (inventoryDocument !== null) dir.file('inventory.json', inventoryDocument);
  const aws = mockedAws();
  const result = await liveRun(['config', 'validate', configFile], aws.factory);
  expect(callCount(aws)).toBe(0);
  dir.remove();
  return { ...result, configFile };
}

describe('config validate with selectors', () => {
  it('resolves the selectors into targets after the explicit ones and says what each selector found', async () => {
    const result = await validate({
      region: 'eu-west-1',
      targets: [{ name: 'us', stream: { name: 'orders-us' } }],
      selectors: SELECTORS,
    });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [summary, selection] = result.stdout.split('\n');
    expect(summary).toContain('2 targets (us recommend, orders-eu auto)');
    expect(selection).toBe(
      '  selectors.select[0] (tags team=payments; pair by-source): 2 streams matched, 1 target added (1 with an application)',
    );
  });

  it('warns on stderr about a selector that matches nothing and about an old inventory, and still passes', async () => {
    const config = {
      selectors: {
        ...SELECTORS,
        maxAgeDays: 2,
        select: [...SELECTORS.select, { streams: { namePattern: 'search-*' } }],
      },
    };

    const result = await validate(config, inventory(new Date(Date.now() - 3.5 * 24 * 3600 * 1000).toISOString()));

    expect(result.code).toBe(0);
    const warnings = result.stderr.trimEnd().split('\n');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^stream-medic: warning: .*config\\.json: selectors\\.inventory: captured 3 days ago .* more than maxAgeDays 2`,
      ),
    );
    expect(warnings[1]).toMatch(
      /^stream-medic: warning: .*config\.json: selectors\.select\[1\]: matches no stream of the inventory$/,
    );
  });

  it.each([
    ['a missing inventory', null, /selectors\.inventory: cannot read .*inventory\.json: no such file/],
    [
      'an inventory of another version',
      { ...inventory(), version: 9 },
      /selectors\.inventory: .*inventory\.json: version: /,
    ],
    ['an inventory that is not JSON', '{ "version": 1,', /inventory\.json: not valid JSON/],
  ])('refuses %s naming the field, exit 2, nothing printed on stdout', async (_what, document, message) => {
    const result = await validate({ selectors: SELECTORS }, document);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`${result.configFile}: `);
  });

  it('refuses a bad selector naming its field in the config file', async () => {
    const result = await validate({
      selectors: { ...SELECTORS, select: [{ streams: { tags: PAYMENTS }, stream: { minShards: 0 } }] },
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${result.configFile}: selectors.select[0].stream.minShards:`);
  });

  it('refuses an inventory of another region than the config watches', async () => {
    const result = await validate({ region: 'us-east-1', selectors: SELECTORS });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'selectors.inventory: lists region eu-west-1, but the config watches us-east-1; run `stream-medic discover --region us-east-1`',
    );
  });

  it('refuses a config whose selectors found nothing and that lists no target', async () => {
    const result = await validate({ selectors: { ...SELECTORS, select: [{ streams: { namePattern: 'none-*' } }] } });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('targets: none listed, and the selectors matched no stream of the inventory');
  });

  it('lets the alarms command show the alarms of selected targets', async () => {
    const dir = new Scratch();
    dir.file('inventory.json', inventory());
    const configFile = dir.file('config.json', { selectors: SELECTORS });

    const result = await liveRun(['alarms', configFile, '--json'], mockedAws().factory);
    dir.remove();

    expect(result.code).toBe(0);
    const targets = new Set((JSON.parse(result.stdout) as { target: string }[]).map((alarm) => alarm.target));
    expect([...targets].sort()).toStrictEqual(['orders-eu', 'orders-us']);
  });
});
