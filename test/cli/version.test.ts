import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './support/cli-harness';

describe('stream-medic --version', () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };

  it.each([['--version'], ['-V']])('prints the package version for %s and exits 0', async (flag) => {
    const result = await run([flag]);

    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
