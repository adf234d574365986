/**
 * Resolves after the event loop has run its pending I/O callbacks: in Node through `setImmediate`
 * (after the poll phase), elsewhere through a MessageChannel message (not clamped as a nested
 * `setTimeout(0)` is). A scheduler awaits it before it decides, so that requests which arrived while
 * the previous forward pass held the thread are read first.
 */
export function nextMacrotask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
