import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStartScript, START } from '../bench/support/server.ts';

describe("the benches' reading of npm start", () => {
  it("holds package.json's own start script: its environment and node flags", () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: { start: string };
    };
    const rebuilt = [
      ...Object.entries(START.env).map(([name, value]) => `${name}=${value}`),
      'node',
      ...START.nodeArgs,
      'dist/main.js',
    ].join(' ');
    expect(rebuilt).toBe(scripts.start);
    expect(START.env.NODE_COMPILE_CACHE).toBeTruthy();
  });

  it('keeps an = inside a value', () => {
    expect(parseStartScript('OPTS=a=b node --x=1 dist/main.js')).toEqual({
      env: { OPTS: 'a=b' },
      nodeArgs: ['--x=1'],
    });
  });

  it.each([
    ['no node', 'tsx src/main.ts'],
    ['a quoted value', 'NAME="a b" node dist/main.js'],
    ['a shell operator', 'node dist/main.js && echo done'],
    ['a value from the shell', 'NAME=$HOME node dist/main.js'],
    ['a word that is not a flag', 'node script.js dist/main.js'],
    ['no dist/main.js', 'node --x dist/other.js'],
  ])('refuses a script it cannot read (%s) rather than bench something else', (_, script) => {
    expect(() => parseStartScript(script)).toThrow(/start script is not/);
  });
});
