import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../cli/commands/atomic-write';
import { InvalidInputError } from '../../../lambdas/domain/validation';
import { Scratch } from '../support/cli-harness';

describe('writeFileAtomic', () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());

  it('replaces the file with the whole text', () => {
    const dir = join(scratch.dir, 'replace');
    mkdirSync(dir);
    const file = join(dir, 'out.json');
    writeFileSync(file, 'old content that is longer than the new one');

    writeFileAtomic('--output', file, '{}\n');

    expect(readFileSync(file, 'utf8')).toBe('{}\n');
    expect(readdirSync(dir)).toStrictEqual(['out.json']);
  });

  it('removes its temporary file and leaves the target alone when the rename fails', () => {
    const dir = join(scratch.dir, 'rename-fails');
    mkdirSync(join(dir, 'out.json'), { recursive: true });
    writeFileSync(join(dir, 'out.json', 'inside'), 'kept');

    expect(() => writeFileAtomic('--output', join(dir, 'out.json'), 'new')).toThrow(InvalidInputError);

    expect(readdirSync(dir)).toStrictEqual(['out.json']);
    expect(readFileSync(join(dir, 'out.json', 'inside'), 'utf8')).toBe('kept');
  });

  it('names the flag and the path when the directory does not exist', () => {
    const file = join(scratch.dir, 'missing', 'out.json');

    expect(() => writeFileAtomic('--output', file, 'x')).toThrow(`--output: cannot write ${file}: no such directory`);
  });
});
