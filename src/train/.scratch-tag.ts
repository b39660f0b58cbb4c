import { tagReport } from '../report/tagger.js';
import { getVocabulary } from '../report/vocabularies.js';

const v = getVocabulary('btcv');
for (const t of [
  'FINDINGS: The liver is normal. The spleen is surgically absent. The left kidney is unremarkable. Status post right nephrectomy. The gallbladder is not visualized. Normal stomach.',
  'FINDINGS: Status post cholecystectomy. Status post splenectomy. The right kidney is normal. No liver is seen. The stomach is absent.',
  'The left kidney is absent. The right kidney is within normal limits.',
])
  console.log(
    tagReport(t, v)
      .map((r) => `${r.tag}:${r.status}`)
      .join(', '),
  );
