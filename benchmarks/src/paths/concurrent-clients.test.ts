import { describe, expect, it } from 'vitest';
import { shareAmongClients } from './concurrent-clients.js';

describe('shareAmongClients', () => {
  it('sends every item once, keeps at most `clients` in flight, and answers in the items order', async () => {
    let inFlight = 0;
    let most = 0;
    const sent: number[] = [];
    const items = Array.from({ length: 23 }, (_, index) => index);
    const answers = await shareAmongClients(items, 5, async (item) => {
      sent.push(item);
      most = Math.max(most, ++inFlight);
      // Later items answer sooner, so answers arrive out of order.
      await new Promise((resolve) => setTimeout(resolve, 30 - item));
      inFlight--;
      return item * 10;
    });
    expect(answers).toEqual(items.map((item) => item * 10));
    expect([...sent].sort((a, b) => a - b)).toEqual(items);
    expect(most).toBe(5);
  });

  it('starts no more clients than items, and refuses a count that is not a positive integer', async () => {
    let most = 0;
    let inFlight = 0;
    await shareAmongClients([1, 2], 50, async () => {
      most = Math.max(most, ++inFlight);
      await Promise.resolve();
      inFlight--;
    });
    expect(most).toBe(2);
    await expect(shareAmongClients([1], 0, async () => undefined)).rejects.toThrow(RangeError);
  });
});
