/** The configuration's refusals, as tests read them. */
import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config.js';

/** The problems loadConfig reports for `env`; fails when it does not throw a ConfigError. */
export function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`Expected a ConfigError for ${JSON.stringify(env)}, but the configuration loaded`);
}
