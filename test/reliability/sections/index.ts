/** Every section of the reliability matrix, in the order the table prints them. */
import type { MatrixSection } from '../matrix.js';
import { identitySection } from './identity.js';

export const sections: readonly MatrixSection[] = [identitySection];
