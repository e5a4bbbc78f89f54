import { describe, expect, it } from 'vitest';
import { resolveStatic } from '../../../main/host/static';

describe('resolveStatic', () => {
  const root = '/srv/app';
  it('maps / to index.html and keeps paths inside the root', () => {
    expect(resolveStatic(root, '/')).toBe('/srv/app/index.html');
    expect(resolveStatic(root, '/assets/a.js?v=1')).toBe('/srv/app/assets/a.js');
    expect(resolveStatic(root, '/a%20b.css')).toBe('/srv/app/a b.css');
  });
  it.each([
    '/../etc/passwd',
    '/..%2f..%2fetc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..\\..\\windows',
    '/a%00.js',
    '/%E0%A4%A',
  ])('refuses %s', (p) => {
    expect(resolveStatic(root, p)).toBeNull();
  });
});
