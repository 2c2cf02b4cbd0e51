/**
 * CloudWatch Metrics Insights queries: the subset of the query language StreamMedic writes (live
 * collection, alarms) and reads back (snapshots, the simulator's CloudWatch). One parser and one
 * formatter, so what is sent and what is understood cannot drift.
 *
 * Grammar (keywords case-insensitive, identifiers case-sensitive), per the CloudWatch docs page
 * "Metrics Insights query components and syntax":
 *
 *   SELECT FUNCTION(metricName)
 *   FROM namespace | SCHEMA(namespace [, labelKey ...])
 *   [ WHERE labelKey (= | !=) 'labelValue' [ AND ... ] ]
 *   [ GROUP BY labelKey [, ...] ]
 *   [ ORDER BY FUNCTION() [ ASC | DESC ] ]
 *   [ LIMIT n ]
 *
 * `FROM namespace` matches every series of the metric whatever its dimensions; `SCHEMA(ns, a, b)`
 * matches only series whose dimension set is exactly {a, b}; `SCHEMA(ns)` only series with none.
 */

export type InsightsFunction = 'AVG' | 'COUNT' | 'MAX' | 'MIN' | 'SUM';
const FUNCTIONS: readonly InsightsFunction[] = ['AVG', 'COUNT', 'MAX', 'MIN', 'SUM'];

export interface InsightsCondition {
  readonly key: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface InsightsQuery {
  readonly fn: InsightsFunction;
  readonly metricName: string;
  readonly namespace: string;
  /** Dimension names of a `SCHEMA(...)` source; undefined for a bare namespace (any dimensions). */
  readonly schemaKeys?: readonly string[];
  readonly where: readonly InsightsCondition[];
  readonly groupBy: readonly string[];
  readonly orderBy?: { readonly fn: InsightsFunction; readonly direction: 'ASC' | 'DESC' };
  readonly limit?: number;
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string } // "identifier"
  | { kind: 'string'; text: string } // 'literal'
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string };

/** Why a text is not a query this module understands; callers decide whether that is an error. */
export class InsightsParseError extends Error {
  override readonly name = 'InsightsParseError';
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      // Inside quotes a backslash escapes the quote character or itself.
      let out = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        out += text[j];
      }
      if (j >= text.length) throw new InsightsParseError(`unterminated ${c === '"' ? 'identifier' : 'string'}`);
      tokens.push({ kind: c === '"' ? 'quoted' : 'string', text: out });
      i = j + 1;
    } else if (c === '!' && text[i + 1] === '=') {
      tokens.push({ kind: 'punct', text: '!=' });
      i += 2;
    } else if ('(),='.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // Unquoted identifiers are letters, digits and underscores; dots appear in Kinesis metric names
      // only inside quotes, so a dot ends the word and fails the parse below.
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      throw new InsightsParseError(`unexpected character "${c}"`);
    }
  }
  return tokens;
}

class Cursor {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.at];
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
  next(what: string): Token {
    const token = this.tokens[this.at++];
    if (!token) throw new InsightsParseError(`expected ${what}, found the end`);
    return token;
  }
  keyword(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.text.toUpperCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }
  expectKeyword(word: string): void {
    if (!this.keyword(word)) throw new InsightsParseError(`expected ${word}`);
  }
  punct(text: string): boolean {
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === text) {
      this.at++;
      return true;
    }
    return false;
  }
  expectPunct(text: string): void {
    if (!this.punct(text)) throw new InsightsParseError(`expected "${text}"`);
  }
  identifier(what: string): string {
    const token = this.next(what);
    if (token.kind === 'word' || token.kind === 'quoted') return token.text;
    throw new InsightsParseError(`expected ${what}`);
  }
  fn(): InsightsFunction {
    const name = this.identifier('a function').toUpperCase();
    const fn = FUNCTIONS.find((f) => f === name);
    if (!fn) throw new InsightsParseError(`unknown function ${name}`);
    return fn;
  }
}

/** Parses a Metrics Insights query; throws {@link InsightsParseError} for anything else (e.g. metric math). */
export function parseInsightsQuery(text: string): InsightsQuery {
  const cursor = new Cursor(tokenize(text));
  cursor.expectKeyword('SELECT');
  const fn = cursor.fn();
  cursor.expectPunct('(');
  const metricName = cursor.identifier('a metric name');
  cursor.expectPunct(')');
  cursor.expectKeyword('FROM');
  let namespace: string;
  let schemaKeys: string[] | undefined;
  if (cursor.keyword('SCHEMA')) {
    cursor.expectPunct('(');
    namespace = cursor.identifier('a namespace');
    schemaKeys = [];
    while (cursor.punct(',')) schemaKeys.push(cursor.identifier('a dimension name'));
    cursor.expectPunct(')');
  } else {
    namespace = cursor.identifier('a namespace');
  }
  const where: InsightsCondition[] = [];
  if (cursor.keyword('WHERE')) {
    do {
      const key = cursor.identifier('a dimension name');
      const operator = cursor.punct('=') ? '=' : cursor.punct('!=') ? '!=' : undefined;
      if (!operator) throw new InsightsParseError('expected = or !=');
      const value = cursor.next('a value');
      if (value.kind !== 'string') throw new InsightsParseError('expected a quoted value');
      where.push({ key, operator, value: value.text });
    } while (cursor.keyword('AND'));
  }
  const groupBy: string[] = [];
  if (cursor.keyword('GROUP')) {
    cursor.expectKeyword('BY');
    do groupBy.push(cursor.identifier('a dimension name'));
    while (cursor.punct(','));
  }
  let orderBy: InsightsQuery['orderBy'];
  if (cursor.keyword('ORDER')) {
    cursor.expectKeyword('BY');
    const orderFn = cursor.fn();
    cursor.expectPunct('(');
    cursor.expectPunct(')');
    const direction = cursor.keyword('DESC') ? 'DESC' : (cursor.keyword('ASC'), 'ASC');
    orderBy = { fn: orderFn, direction };
  }
  let limit: number | undefined;
  if (cursor.keyword('LIMIT')) {
    const token = cursor.next('a number');
    if (token.kind !== 'number') throw new InsightsParseError('expected a number after LIMIT');
    limit = Number(token.text);
  }
  if (!cursor.done()) throw new InsightsParseError(`unexpected "${cursor.peek()!.text}"`);
  return {
    fn,
    metricName,
    namespace,
    ...(schemaKeys ? { schemaKeys } : {}),
    where,
    groupBy,
    ...(orderBy ? { orderBy } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/** The query if `text` is a Metrics Insights query, else undefined (metric math, search expressions). */
export function tryParseInsightsQuery(text: string): InsightsQuery | undefined {
  try {
    return parseInsightsQuery(text);
  } catch (error) {
    if (error instanceof InsightsParseError) return undefined;
    throw error;
  }
}

function quoteIdentifier(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
}

function quoteValue(value: string): string {
  return `'${value.replace(/['\\]/g, '\\$&')}'`;
}

/** Writes a query in the form {@link parseInsightsQuery} reads back to the same value. */
export function formatInsightsQuery(query: InsightsQuery): string {
  const source = query.schemaKeys
    ? `SCHEMA(${[quoteIdentifier(query.namespace), ...query.schemaKeys.map(quoteIdentifier)].join(', ')})`
    : quoteIdentifier(query.namespace);
  let text = `SELECT ${query.fn}(${quoteIdentifier(query.metricName)}) FROM ${source}`;
  if (query.where.length > 0) {
    text += ` WHERE ${query.where.map((c) => `${quoteIdentifier(c.key)} ${c.operator} ${quoteValue(c.value)}`).join(' AND ')}`;
  }
  if (query.groupBy.length > 0) text += ` GROUP BY ${query.groupBy.map(quoteIdentifier).join(', ')}`;
  if (query.orderBy) text += ` ORDER BY ${query.orderBy.fn}() ${query.orderBy.direction}`;
  if (query.limit !== undefined) text += ` LIMIT ${query.limit}`;
  return text;
}

/** Whether a published series (namespace, metric name, dimensions) is one the query reads. */
export function insightsQueryMatches(
  query: InsightsQuery,
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
): boolean {
  if (namespace !== query.namespace || metricName !== query.metricName) return false;
  const names = Object.keys(dimensions);
  if (query.schemaKeys) {
    if (names.length !== query.schemaKeys.length) return false;
    if (!query.schemaKeys.every((key) => key in dimensions)) return false;
  }
  return query.where.every((c) => (c.operator === '=' ? dimensions[c.key] === c.value : dimensions[c.key] !== c.value));
}

/** The group a matched series falls in: its values of the GROUP BY keys, in order. */
export function insightsGroupKey(query: InsightsQuery, dimensions: Readonly<Record<string, string>>): string[] {
  return query.groupBy.map((key) => dimensions[key] ?? '');
}
