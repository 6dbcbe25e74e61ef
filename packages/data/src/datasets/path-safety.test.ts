import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathResolver, resolveInside } from './path-safety.js';

let dir = '';
let root = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvr-paths-'));
  root = join(dir, 'images');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'sub', 'a.png'), 'x');
  await writeFile(join(dir, 'secret.png'), 'x');
  await mkdir(join(dir, 'outside'));
  await writeFile(join(dir, 'outside', 'b.png'), 'x');
  await symlink(join(dir, 'secret.png'), join(root, 'link-out.png')); // file symlink leaving root
  await symlink(join(dir, 'outside'), join(root, 'dir-out')); // folder symlink leaving root
  await symlink(join(root, 'sub', 'a.png'), join(root, 'link-in.png')); // symlink staying inside
  await symlink(root, join(dir, 'root-link')); // the root itself reached through a symlink
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PathResolver / resolveInside', () => {
  it('joins relative paths to the root', async () => {
    await expect(resolveInside(root, 'sub/a.png')).resolves.toBe(join(root, 'sub', 'a.png'));
    await expect(resolveInside(root, './sub/../sub/a.png')).resolves.toBe(join(root, 'sub', 'a.png'));
  });

  it('accepts an absolute path inside the root and a symlink that stays inside', async () => {
    await expect(resolveInside(root, join(root, 'sub', 'a.png'))).resolves.toBe(join(root, 'sub', 'a.png'));
    await expect(resolveInside(root, 'link-in.png')).resolves.toBe(join(root, 'link-in.png'));
  });

  it('accepts paths that do not exist yet (existence is the image check’s job)', async () => {
    await expect(resolveInside(root, 'sub/missing.png')).resolves.toBe(join(root, 'sub', 'missing.png'));
  });

  it.each([
    ['../secret.png', /resolves to .*secret\.png, outside the image folder/],
    ['sub/../../secret.png', /outside the image folder/],
    ['..', /outside the image folder/],
    ['link-out.png', /leads through a symlink to .*secret\.png, outside the image folder/],
    ['dir-out/b.png', /leads through a symlink to .*outside\/b\.png/],
    ['dir-out/missing.png', /leads through a symlink/],
    ['http://example.com/a.png', /is a URL; only files inside .* are read \(no downloads\)/],
    ['https://example.com/a.png', /is a URL/],
    ['file:///etc/passwd', /is a URL/],
  ])('%s → PATH_OUTSIDE_ROOT', async (p, pattern) => {
    await expect(resolveInside(root, p)).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT', message: expect.stringMatching(pattern) });
  });

  it('rejects an absolute path elsewhere', async () => {
    await expect(resolveInside(root, join(dir, 'secret.png'))).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(resolveInside(root, '/etc/passwd')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('rejects empty paths and NUL bytes as DATASET_FORMAT', async () => {
    await expect(resolveInside(root, '')).rejects.toMatchObject({ code: 'DATASET_FORMAT' });
    await expect(resolveInside(root, 'a\0.png')).rejects.toMatchObject({ code: 'DATASET_FORMAT' });
  });

  it('works when the root is itself a symlink (judged by the real folder)', async () => {
    const r = await PathResolver.create(join(dir, 'root-link'));
    await expect(r.resolve('sub/a.png')).resolves.toBe(join(dir, 'root-link', 'sub', 'a.png'));
    await expect(r.resolve(join(root, 'sub', 'a.png'))).resolves.toBe(join(root, 'sub', 'a.png'));
    await expect(r.resolve('../secret.png')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    await expect(r.resolve('link-out.png')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('a missing root is IO_ERROR naming it', async () => {
    await expect(PathResolver.create(join(dir, 'nope'))).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringContaining('nope does not exist'),
    });
  });
});
