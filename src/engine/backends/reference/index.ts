// Registers every reference kernel (each module registers its own at load time).
import './conv.js';
import './elementwise.js';
import './matmul.js';
import './normalization.js';
import './optim.js';
import './pool.js';
import './reduction.js';
import './resize.js';
import './shape.js';

export { referenceBackend } from './storage.js';
