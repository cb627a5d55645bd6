/** Every section of the reliability matrix, in the order the table prints them. */
import type { MatrixSection } from '../matrix.js';
import { identitySection } from './identity.js';
import { keyVaultSection } from './key-vault.js';
import { postgresSection } from './postgres.js';
import { azuriteSection } from './azurite.js';
import { badInputSection } from './bad-input.js';

export const sections: readonly MatrixSection[] = [identitySection, keyVaultSection, postgresSection, azuriteSection, badInputSection];
