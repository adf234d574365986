import { readInitializers } from './onnx-initializer.js';
import { readOnnxModel } from './onnx-model.js';
import { isDefaultDomain } from './onnx-node.js';

/** Convolution ops of the default domain, float and int8. */
const convolutions = new Set(['Conv', 'ConvInteger', 'QLinearConv']);

/**
 * How many convolutions of a masked-LM graph span more than one position: in a transformer these run
 * along the sequence (ConvBERT's span-based convolutions), so they read the padded positions of a batch
 * and padding changes the real tokens' answers. 1×1 convolutions (SqueezeBERT's, fillmask's own
 * pointwise products) read one position each. A convolution whose kernel size cannot be read counts too.
 */
export function countSequenceConvolutions(model: Uint8Array): number {
  const parsed = readOnnxModel(model);
  if (!parsed) return 0;
  const found = parsed.nodes.filter((node) => convolutions.has(node.opType) && isDefaultDomain(node));
  if (found.length === 0) return 0;
  const initializers = readInitializers(parsed.bytes, parsed.graphFields);
  return found.filter((node) => {
    const weight = initializers.get(node.inputs[node.opType === 'QLinearConv' ? 3 : 1]);
    const kernel = node.intAttributes.get('kernel_shape') ?? weight?.dims.slice(2);
    return kernel === undefined || kernel.some((size) => size > 1);
  }).length;
}
