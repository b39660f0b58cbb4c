// Report understanding: text → organ tags with status and evidence, label maps → generated
// reports, and the WordPiece tokenizer for the text encoder.
export { type Assertion, type AssertionResult, assertionStatus } from './assertion.js';
export {
  enlargementThresholdsMm,
  type GeneratedReport,
  type GeneratedStatus,
  type GenerateOptions,
  generateReport,
} from './generate.js';
export { type GeneratedPair, generateDatasetPairs } from './generate-pairs.js';
export { type StructureSize, structureSize } from './measure.js';
export { loadNegexTriggers, type NegexRules, type NegexStatus, negexStatus } from './negex.js';
export { type ReportInput, readReportInputs, tagInput } from './report-inputs.js';
export { detectSections, type Section, type SectionName } from './sections.js';
export {
  type Evidence,
  reportTags,
  type TagResult,
  type TagStatus,
  tagConcepts,
  tagReport,
} from './tagger.js';
export {
  getVocabulary,
  type OrganTag,
  type TagVocabulary,
  tagForLabel,
  type VocabularyName,
  vocabularyNames,
} from './vocabularies.js';
export {
  basicTokenize,
  type EncodedText,
  specialTokens,
  trainWordPiece,
  WordPieceTokenizer,
  type WordPieceVocab,
} from './wordpiece.js';
