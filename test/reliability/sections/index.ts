/** Every section of the reliability matrix, in the order the table prints them. */
import type { MatrixSection } from '../matrix.js';
import { keyVaultSection } from './key-vault.js';

export const sections: readonly MatrixSection[] = [keyVaultSection];
