import type { Command } from '../io';
import { serve } from './serve';
import { info } from './info';
import { train } from './train';
import { runs } from './runs';
import { download } from './download';
import { datasets } from './datasets';
import { analyze } from './analyze';
import { evaluate } from './evaluate';
import { exportCommand } from './export';
import { pipeline } from './pipeline';
import { cluster } from './cluster';
import { aggregate } from './aggregate';
import { importModel } from './import-model';
import { exportModel } from './export-model';

/** `oodlab <name>`: each command in its own file, registered here. */
export const commands: Record<string, Command> = {
  serve,
  info,
  train,
  runs,
  download,
  datasets,
  analyze,
  evaluate,
  export: exportCommand,
  pipeline,
  cluster,
  aggregate,
  'import-model': importModel,
  'export-model': exportModel,
};
