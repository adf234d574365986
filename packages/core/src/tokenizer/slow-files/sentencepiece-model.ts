import { forEachProtobufField, protobufString, WireType, type ProtobufField } from './protobuf-reader.js';

/**
 * The parts of a SentencePiece `.model` file (a `ModelProto`, sentencepiece_model.proto) that the
 * tokenizer conversion reads: the pieces with their scores and types, the trainer's model type and
 * special ids, and the normalizer's precompiled character map.
 */
export interface SentencePieceModel {
  readonly pieces: readonly SentencePiece[];
  readonly trainerSpec: SentencePieceTrainerSpec;
  readonly normalizerSpec: SentencePieceNormalizerSpec;
}

export interface SentencePiece {
  readonly piece: string;
  readonly score: number;
  readonly type: SentencePieceType;
}

/** `SentencePiece.Type`. CONTROL pieces (`<s>`, `[CLS]`) never come out of text; USER_DEFINED ones always match whole. */
export const SentencePieceType = { Normal: 1, Unknown: 2, Control: 3, UserDefined: 4, Unused: 5, Byte: 6 } as const;
export type SentencePieceType = number;

/** `TrainerSpec.ModelType`. */
export const SentencePieceModelType = { Unigram: 1, Bpe: 2, Word: 3, Char: 4 } as const;
export type SentencePieceModelType = number;

export interface SentencePieceTrainerSpec {
  readonly modelType: SentencePieceModelType;
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly byteFallback: boolean;
}

export interface SentencePieceNormalizerSpec {
  /** The rule set's name (`nmt_nfkc`, `identity`, ...). */
  readonly name: string;
  /** The compiled normalisation rules; empty for `identity`. */
  readonly precompiledCharsmap: Uint8Array;
  readonly addDummyPrefix: boolean;
  readonly removeExtraWhitespaces: boolean;
}

// Field numbers of sentencepiece_model.proto.
const modelField = { pieces: 1, trainerSpec: 2, normalizerSpec: 3 } as const;
const pieceField = { piece: 1, score: 2, type: 3 } as const;
const trainerField = { modelType: 3, byteFallback: 35, unkId: 40, bosId: 41, eosId: 42, padId: 43 } as const;
const normalizerField = { name: 1, precompiledCharsmap: 2, addDummyPrefix: 3, removeExtraWhitespaces: 4 } as const;

/** Parses a `.model` file. Malformed bytes throw a RangeError that says what is wrong. */
export function readSentencePieceModel(bytes: Uint8Array): SentencePieceModel {
  const pieces: SentencePiece[] = [];
  // The proto's defaults, for fields a file leaves out.
  let trainerSpec: SentencePieceTrainerSpec = {
    modelType: SentencePieceModelType.Unigram,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    byteFallback: false,
  };
  let normalizerSpec: SentencePieceNormalizerSpec = {
    name: '',
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
  };
  forEachProtobufField(bytes, (field) => {
    if (field.number === modelField.pieces && isMessage(field)) pieces.push(readPiece(field.bytes));
    else if (field.number === modelField.trainerSpec && isMessage(field)) trainerSpec = readTrainerSpec(field.bytes, trainerSpec);
    else if (field.number === modelField.normalizerSpec && isMessage(field))
      normalizerSpec = readNormalizerSpec(field.bytes, normalizerSpec);
  });
  if (pieces.length === 0) throw new RangeError('a SentencePiece model has pieces, this file has none');
  return { pieces, trainerSpec, normalizerSpec };
}

function isMessage(field: ProtobufField): boolean {
  return field.wireType === WireType.LengthDelimited;
}

function readPiece(bytes: Uint8Array): SentencePiece {
  let piece = '';
  let score = 0;
  let type: SentencePieceType = SentencePieceType.Normal;
  forEachProtobufField(bytes, (field) => {
    if (field.number === pieceField.piece && field.wireType === WireType.LengthDelimited) piece = protobufString(field);
    else if (field.number === pieceField.score && field.wireType === WireType.Fixed32) score = field.float32;
    else if (field.number === pieceField.type && field.wireType === WireType.Varint) type = field.int32;
  });
  return { piece, score, type };
}

function readTrainerSpec(bytes: Uint8Array, defaults: SentencePieceTrainerSpec): SentencePieceTrainerSpec {
  const spec = { ...defaults };
  forEachProtobufField(bytes, (field) => {
    if (field.wireType !== WireType.Varint) return;
    if (field.number === trainerField.modelType) spec.modelType = field.int32;
    else if (field.number === trainerField.byteFallback) spec.byteFallback = field.varint !== 0;
    else if (field.number === trainerField.unkId) spec.unkId = field.int32;
    else if (field.number === trainerField.bosId) spec.bosId = field.int32;
    else if (field.number === trainerField.eosId) spec.eosId = field.int32;
    else if (field.number === trainerField.padId) spec.padId = field.int32;
  });
  return spec;
}

function readNormalizerSpec(bytes: Uint8Array, defaults: SentencePieceNormalizerSpec): SentencePieceNormalizerSpec {
  const spec = { ...defaults };
  forEachProtobufField(bytes, (field) => {
    if (field.number === normalizerField.name && field.wireType === WireType.LengthDelimited) spec.name = protobufString(field);
    else if (field.number === normalizerField.precompiledCharsmap && field.wireType === WireType.LengthDelimited) {
      spec.precompiledCharsmap = field.bytes;
    } else if (field.number === normalizerField.addDummyPrefix && field.wireType === WireType.Varint)
      spec.addDummyPrefix = field.varint !== 0;
    else if (field.number === normalizerField.removeExtraWhitespaces && field.wireType === WireType.Varint) {
      spec.removeExtraWhitespaces = field.varint !== 0;
    }
  });
  return spec;
}
