import type { Channel, ParsedRequestOf, ResponseOf } from '../../common/contract';
import type { ApiContext } from './context';

/** A handler table for a set of channels: each area of main/api/handlers exports one for its own channels. */
export type Handlers<K extends Channel> = {
  [C in K]: (req: ParsedRequestOf<C>, ctx: ApiContext) => Promise<ResponseOf<C>>;
};
