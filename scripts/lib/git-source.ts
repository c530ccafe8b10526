// Reads files of a local copy of a public repository at its current commit: a working-tree clone (files on disk) or
// a bare git directory (read with `git show HEAD:<path>`). Used by scripts/graph-facts.ts, which runs without network.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface RepoSource {
  /** The directory given. */
  readonly dir: string;
  /** Commit id of HEAD (40 hex digits). */
  readonly commit: string;
  /** The file's text at that commit, or undefined when the copy lacks it (a snapshot may omit its largest files). */
  read(file: string): string | undefined;
  /** Paths at that commit, for listing (e.g. every `schemas/beta-*.csdl`). */
  list(prefix: string): string[];
}

const git = (gitDir: string, args: string[]): string =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

/** A working tree keeps its git directory in `.git`; a bare directory is one (it has HEAD and objects/). */
function gitDirOf(dir: string): { gitDir: string; worktree: boolean } {
  const dotGit = path.join(dir, '.git');
  if (existsSync(dotGit)) return { gitDir: dotGit, worktree: true };
  if (existsSync(path.join(dir, 'HEAD')) && existsSync(path.join(dir, 'objects')))
    return { gitDir: dir, worktree: false };
  throw new Error(`${dir} is neither a git clone nor a bare git directory`);
}

export function openRepo(dir: string): RepoSource {
  const { gitDir, worktree } = gitDirOf(dir);
  const commit = git(gitDir, ['rev-parse', 'HEAD']).trim();
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`${dir}: cannot read the HEAD commit`);
  return {
    dir,
    commit,
    read(file) {
      if (worktree) {
        const onDisk = path.join(dir, file);
        return existsSync(onDisk) && statSync(onDisk).isFile() ? readFileSync(onDisk, 'utf8') : undefined;
      }
      try {
        return execFileSync('git', ['--git-dir', gitDir, 'show', `HEAD:${file}`], {
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        return undefined; // listed in the tree but its content is absent from this copy
      }
    },
    list(prefix) {
      return git(gitDir, ['ls-tree', '-r', '--name-only', 'HEAD', '--', prefix])
        .split('\n')
        .filter((line) => line !== '')
        .sort();
    },
  };
}
