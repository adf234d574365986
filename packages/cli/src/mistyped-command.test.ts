import { describe, expect, it } from 'vitest';
import { fillmask } from './cli.test-helper.js';
import { cliCommands } from './command-table.js';
import { mistypedCommand } from './mistyped-command.js';

describe('mistypedCommand', () => {
  it.each([
    ['scroe', 'score'],
    ['serv', 'serve'],
    ['evl', 'eval'],
    ['cahce', 'cache'],
    ['Score', 'score'],
  ])('reads %s as %s', (typed, meant) => {
    expect(mistypedCommand(typed, cliCommands)).toBe(meant);
  });

  it.each([['She opened the [MASK].'], ['nosuchcommand'], ['--help'], ['a [MASK].'], ['ok'], [undefined]])(
    'leaves %s to fill',
    (argument) => {
      expect(mistypedCommand(argument, cliCommands)).toBeUndefined();
    },
  );
});

describe('fillmask with a mistyped command', () => {
  it('says which command it may mean, exit 2, instead of filling the word as text', async () => {
    const run = await fillmask(['scroe', 'She opened the door and walked in.']);
    expect([run.code, run.stdout]).toEqual([2, '']);
    expect(run.stderr).toBe(
      'fillmask: unknown command "scroe": did you mean score? (A TEXT to fill needs a mask: [MASK] or <mask>.)\nRun fillmask --help for usage.\n',
    );
  });
});
