// The configuration rules for network exposure: safe bind defaults, their environment overrides,
// and no unauthenticated STOW-RS reachable from beyond this machine.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig } from '../../../src/config/load.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('network exposure configuration', () => {
  it('binds HTTP and DIMSE to 127.0.0.1 and lets only 127.0.0.1 send STOW-RS by default', () => {
    const c = loadConfig({});
    expect([c.http.host, c.dicom.host]).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(c.http.stow.allowedHosts).toEqual(['127.0.0.1']);
  });

  it('takes the bind addresses and the STOW allow-list from the environment', () => {
    const c = loadConfig({ HTTP_HOST: '0.0.0.0', DICOM_HOST: '0.0.0.0', STOW_ALLOWED_HOSTS: '127.0.0.1, ::1' });
    expect([c.http.host, c.dicom.host]).toEqual(['0.0.0.0', '0.0.0.0']);
    expect(c.http.stow.allowedHosts).toEqual(['127.0.0.1', '::1']);
  });

  it('allows binding beyond loopback while STOW-RS stays loopback-only (the compose set-up)', () => {
    expect(problemsOf({ HTTP_HOST: '0.0.0.0' })).toEqual([]);
  });

  it('refuses an unauthenticated STOW-RS reachable from other hosts', () => {
    const problems = problemsOf({ HTTP_HOST: '0.0.0.0', STOW_ALLOWED_HOSTS: '127.0.0.1,192.168.4.0/24' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^http>stow>auth: .*192\.168\.4\.0\/24/);
    expect(problemsOf({ HTTP_HOST: '10.1.2.3', STOW_ALLOWED_HOSTS: '*' })[0]).toMatch(/^http>stow>auth/);
  });

  it('accepts STOW-RS open to the network once it needs credentials', () => {
    const c = loadConfig({});
    c.http.host = '0.0.0.0';
    c.http.stow.allowedHosts = ['10.0.0.0/8'];
    c.http.stow.auth = { type: 'bearer', token: 'a-long-enough-stow-token' };
    expect(() => validateConfig(c)).not.toThrow();
  });

  it('accepts other hosts on loopback binding, where they cannot reach the node anyway', () => {
    expect(problemsOf({ STOW_ALLOWED_HOSTS: '*' })).toEqual([]);
  });

  it('names each allow-list entry that is not an address, a range or *', () => {
    const problems = problemsOf({ STOW_ALLOWED_HOSTS: '127.0.0.1,pacs.example.org,10.0.0.0/33' });
    expect(problems).toEqual([
      "http>stow>allowedHosts>1: 'pacs.example.org' is not an IP address, a CIDR range or '*'",
      "http>stow>allowedHosts>2: '10.0.0.0/33' is not an IP address, a CIDR range or '*'",
    ]);
  });
});
