import type { GraphBuilder } from './graph-builder.js';
import type { ModelDescription } from './model-description.js';

/** The activations of transformers' `ACT2FN` the builders know, by the name config.json gives them. */
const activations = {
  gelu: 'erf-gelu',
  gelu_python: 'erf-gelu',
  gelu_new: 'tanh-gelu',
  gelu_pytorch_tanh: 'tanh-gelu',
  gelu_python_tanh: 'tanh-gelu',
  gelu_fast: 'tanh-gelu',
  quick_gelu: 'quick-gelu',
  relu: 'relu',
  silu: 'silu',
  swish: 'silu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
} as const;

export type Activation = (typeof activations)[keyof typeof activations];

/** The activation a config field names (`hidden_act`, DistilBERT's `activation`), `fallback` when absent. */
export function readActivation(model: ModelDescription, field: string, fallback: keyof typeof activations): Activation {
  const name = model.config[field] ?? fallback;
  if (typeof name === 'string' && Object.hasOwn(activations, name)) return activations[name as keyof typeof activations];
  throw model.unsupported(
    `config.json's ${field} is ${JSON.stringify(name)}; the activations that can be built are ${Object.keys(activations).join(', ')}.`,
  );
}

/** `activation(input)`, element by element, in the ops of the formula transformers evaluates. */
export function activate(builder: GraphBuilder, scope: string, input: string, activation: Activation): string {
  const constant = (value: number) => builder.floatConstant([value]);
  switch (activation) {
    case 'erf-gelu': {
      // x · ½ · (1 + erf(x / √2)), as torch's exact gelu.
      const erf = builder.op(scope, 'Erf', [builder.op(scope, 'Div', [input, constant(Math.SQRT2)])]);
      return builder.op(scope, 'Mul', [builder.op(scope, 'Mul', [input, builder.op(scope, 'Add', [erf, constant(1)])]), constant(0.5)]);
    }
    case 'tanh-gelu': {
      // ½ · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
      const cube = builder.op(scope, 'Mul', [builder.op(scope, 'Mul', [input, input]), input]);
      const inner = builder.op(scope, 'Add', [input, builder.op(scope, 'Mul', [cube, constant(0.044715)])]);
      const tanh = builder.op(scope, 'Tanh', [builder.op(scope, 'Mul', [inner, constant(Math.sqrt(2 / Math.PI))])]);
      return builder.op(scope, 'Mul', [builder.op(scope, 'Mul', [input, builder.op(scope, 'Add', [tanh, constant(1)])]), constant(0.5)]);
    }
    case 'quick-gelu':
      return builder.op(scope, 'Mul', [input, builder.op(scope, 'Sigmoid', [builder.op(scope, 'Mul', [input, constant(1.702)])])]);
    case 'relu':
      return builder.op(scope, 'Relu', [input]);
    case 'silu':
      return builder.op(scope, 'Mul', [input, builder.op(scope, 'Sigmoid', [input])]);
    case 'tanh':
      return builder.op(scope, 'Tanh', [input]);
    case 'sigmoid':
      return builder.op(scope, 'Sigmoid', [input]);
  }
}
