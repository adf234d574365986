import { describe, expect, it } from 'vitest';
import { encodeNode, readNode } from './onnx-node.js';
import { readFields } from './protobuf-wire.js';

describe('encodeNode', () => {
  const read = (bytes: Uint8Array) => readNode(bytes, readFields(bytes)[0]);

  it('writes a node that readNode reads back: inputs, outputs, op, integer attributes, default domain', () => {
    const node = read(
      encodeNode({ name: 'split', opType: 'Split', inputs: ['x', 'sizes'], outputs: ['a', 'b'], intAttributes: { axis: 2, perm: [1, 0] } }),
    );
    expect(node).toMatchObject({ opType: 'Split', domain: '', inputs: ['x', 'sizes'], outputs: ['a', 'b'] });
    expect(node.intAttributes).toEqual(
      new Map([
        ['axis', [2]],
        ['perm', [1, 0]],
      ]),
    );
  });

  it('writes the domain when one is named', () => {
    const node = read(
      encodeNode({ name: 'q', opType: 'MatMulIntegerToFloat', inputs: ['a', 'b'], outputs: ['y'], domain: 'com.microsoft' }),
    );
    expect(node).toMatchObject({ opType: 'MatMulIntegerToFloat', domain: 'com.microsoft', inputs: ['a', 'b'], outputs: ['y'] });
  });
});
