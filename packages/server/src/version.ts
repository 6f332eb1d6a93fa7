import pkg from '../package.json' with { type: 'json' };

/** The running code's release, recorded with every migration it applies. */
export const CAIRN_VERSION: string = pkg.version;
