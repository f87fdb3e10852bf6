const fs = require('fs');
const path = require('path');
const { task, src, dest } = require('gulp');

// A build starts from an empty dist/, so nothing stale (old files, renamed nodes) reaches the tarball.
task('clean', async () => fs.promises.rm(path.resolve('dist'), { recursive: true, force: true }));

// tsc only emits JavaScript: icons and codex files are copied beside the compiled nodes and credentials.
task('build:icons', copyAssets);

function copyAssets() {
	const assets = ['nodes', 'credentials', 'icons'].flatMap((folder) => [
		path.resolve(folder, '**', '*.{png,svg}'),
		path.resolve(folder, '**', '*.node.json'),
	]);
	return src(assets, { base: '.', encoding: false }).pipe(dest('dist'));
}
