/**
 * One candidate for one mask, with the field names of the Hugging Face wire format so results can
 * be sent and compared as they are.
 */
export interface Prediction {
  /** Probability of the token at this mask: a softmax over the whole vocabulary, not renormalised over targets. */
  readonly score: number;
  /** Vocabulary id of the token. */
  readonly token: number;
  /** The token decoded on its own (byte-level BPE keeps the leading space: `" Paris"`). */
  readonly token_str: string;
  /** The input with this token at this mask, decoded from ids; other masks stay as the mask token. */
  readonly sequence: string;
}

/** The ranked candidates for one mask, best first. */
export type MaskPredictions = Prediction[];
