// system.info, asked once: the backends available here and the data folder.
import type { SystemInfo } from '../../../../common/contract/system';

export const system = $state<{ info: SystemInfo | null; error: string | null }>({ info: null, error: null });
