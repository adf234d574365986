/**
 * `clients` clients sharing `items`: each takes the next item not yet taken, sends it, and takes
 * another when its answer arrives, until none is left, as many users of one service would. Resolves
 * with the answers in the items' order.
 */
export async function shareAmongClients<T, R>(
  items: readonly T[],
  clients: number,
  send: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(clients) || clients < 1) throw new RangeError(`clients must be a positive integer, not ${clients}`);
  const answers = new Array<R>(items.length);
  let next = 0;
  const client = async () => {
    while (next < items.length) {
      const index = next++;
      answers[index] = await send(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, items.length) }, client));
  return answers;
}
