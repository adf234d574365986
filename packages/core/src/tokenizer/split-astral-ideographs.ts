/**
 * CJK ideographs outside the Basic Multilingual Plane, as the Rust `tokenizers` BertNormalizer
 * lists them (`is_chinese_char`). @huggingface/tokenizers checks UTF-16 code units, so it never
 * isolates these; we space them out before encoding, which is what the Rust normalizer does.
 */
const astralIdeographs = /([\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{2F800}-\u{2FA1F}])/gu;

export function splitAstralIdeographs(text: string): string {
  return text.replace(astralIdeographs, ' $1 ');
}
