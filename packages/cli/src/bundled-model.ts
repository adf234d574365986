import { fileURLToPath } from 'node:url';

/**
 * The model that ships inside this package, used when no --model is given so that the command works
 * offline. Its weights are random: the predictions prove the install, not the language.
 */
export const bundledModelPath = fileURLToPath(new URL('../models/tiny-roberta', import.meta.url));
