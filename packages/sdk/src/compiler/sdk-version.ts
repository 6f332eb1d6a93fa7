import sdkPackage from '../../package.json' with { type: 'json' };

/**
 * The `sdkVersion` written into compiled pipelines: which SDK wrote them (KFP writes `kfp-<version>`).
 *
 * @example
 * spec.sdkVersion === SDK_VERSION; // 'cairn-sdk-0.1.0'
 */
export const SDK_VERSION = `cairn-sdk-${sdkPackage.version}`;
