// A worker that never serves: its module throws while loading.
export {};
throw new Error('this worker is broken on purpose');
