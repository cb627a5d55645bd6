/** Every section of the reliability matrix, in the order the table prints them. */
import type { MatrixSection } from '../matrix.js';
import { badInputSection } from './bad-input.js';

export const sections: readonly MatrixSection[] = [badInputSection];
