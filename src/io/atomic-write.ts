// Moved to src/files/atomic-write.ts (atomic writes are used by every stage, not only io); this
// re-export keeps existing imports working until they are updated.
export * from '../files/atomic-write.js';
