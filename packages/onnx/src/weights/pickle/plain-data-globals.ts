import { describeValue, type PickleGlobals } from './restricted-unpickler.js';

/**
 * The strictest allow-list: no global, no call, no object, no persistent id. For pickles that are
 * plain data (torch's legacy header pickles and storage-key list), where any of these is an attack.
 */
export const plainDataGlobals: PickleGlobals = {
  findGlobal(module, name, fail) {
    throw fail(`it names the global ${module}.${name} where only plain data is expected; no global is allowed here.`);
  },
  reduce(callable, _args, fail) {
    throw fail(`it calls ${describeValue(callable)} where only plain data is expected.`);
  },
  newObject(cls, _args, fail) {
    throw fail(`it instantiates ${describeValue(cls)} where only plain data is expected.`);
  },
  build(object, _state, fail) {
    throw fail(`it sets the state of ${describeValue(object)} where only plain data is expected.`);
  },
  persistentLoad(pid, fail) {
    throw fail(`it has a persistent id ${describeValue(pid)} where only plain data is expected.`);
  },
};
