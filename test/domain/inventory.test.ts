import { parseInventory, sourceStreamsOf, streamNameFromArn } from '../../lambdas/domain/inventory';
import { inventoryApplication, inventoryOf, inventoryStream } from '../builders/inventory-builder';

const STREAMS = new Set(['orders', 'orders-enriched', 'clicks']);
const ORDERS_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders';

function withProperties(groups: Record<string, Record<string, string>>) {
  return {
    ApplicationConfigurationDescription: {
      EnvironmentPropertyDescriptions: {
        PropertyGroupDescriptions: Object.entries(groups).map(([PropertyGroupId, PropertyMap]) => ({
          PropertyGroupId,
          PropertyMap,
        })),
      },
    },
  };
}

describe('sourceStreamsOf', () => {
  it('finds the stream a runtime property names as input, by name or by ARN, and not the sink', () => {
    const description = withProperties({
      FlinkApplicationProperties: { 'input.stream': ORDERS_ARN, 'output.stream': 'orders-enriched' },
    });

    expect(sourceStreamsOf(description, STREAMS)).toStrictEqual([
      { name: 'orders', via: 'FlinkApplicationProperties.input.stream', origin: 'runtime-property' },
    ]);
  });

  it('reads a property group named for the consumer, and ignores values that are no stream of the account', () => {
    const description = withProperties({
      ConsumerConfigProperties: { 'aws.region': 'eu-west-1', 'stream.name': 'clicks' },
      SinkProperties: { 'stream.name': 'orders-enriched' },
    });

    expect(sourceStreamsOf(description, STREAMS)).toStrictEqual([
      { name: 'clicks', via: 'ConsumerConfigProperties.stream.name', origin: 'runtime-property' },
    ]);
  });

  it('reads the legacy SQL input configuration first, and names each stream once', () => {
    const description = {
      ApplicationConfigurationDescription: {
        ...withProperties({ App: { sourceStream: 'orders' } }).ApplicationConfigurationDescription,
        SqlApplicationConfigurationDescription: {
          InputDescriptions: [{ InputId: '1.1', KinesisStreamsInputDescription: { ResourceARN: ORDERS_ARN } }],
        },
      },
    };

    expect(sourceStreamsOf(description, STREAMS)).toStrictEqual([
      { name: 'orders', via: 'input 1.1', origin: 'sql-input' },
    ]);
  });

  it('finds nothing in an application with no configuration', () => {
    expect(sourceStreamsOf({}, STREAMS)).toStrictEqual([]);
  });
});

describe('streamNameFromArn', () => {
  it.each([
    [ORDERS_ARN, 'orders'],
    ['arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-d', 'a.b_c-d'],
    ['arn:aws:kinesis:eu-west-1:123456789012:stream/orders/consumer/x:1', undefined],
    ['arn:aws:sqs:eu-west-1:123456789012:orders', undefined],
    ['orders', undefined],
  ])('%s is %s', (arn, name) => {
    expect(streamNameFromArn(arn)).toBe(name);
  });
});

describe('parseInventory', () => {
  const good = inventoryOf([inventoryStream('orders', { team: 'payments' })], [inventoryApplication('enricher')]);

  it('accepts what discover writes', () => {
    expect(parseInventory(JSON.parse(JSON.stringify(good)))).toStrictEqual(good);
  });

  it.each([
    [{ ...good, version: 2 }, 'version: Invalid input: expected 1'],
    [{ ...good, capturedAt: 'yesterday' }, 'capturedAt:'],
    [{ ...good, streams: [...good.streams, good.streams[0]] }, 'streams[1].name: "orders" is listed twice'],
    [{ ...good, streams: [{ ...good.streams[0], mode: 'SERVERLESS' }] }, 'streams[0].mode:'],
    [{ ...good, extra: true }, 'extra: is not a known field'],
  ])('refuses a malformed inventory naming the field (%#)', (value, message) => {
    expect(() => parseInventory(value)).toThrow(message);
  });
});
