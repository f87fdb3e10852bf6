const path = require('path');
const { task, src, dest } = require('gulp');

// tsc only emits JavaScript: icons and codex files are copied beside the compiled nodes and credentials.
task('build:icons', copyAssets);

function copyAssets() {
	const assets = ['nodes', 'credentials', 'icons'].flatMap((folder) => [
		path.resolve(folder, '**', '*.{png,svg}'),
		path.resolve(folder, '**', '*.node.json'),
	]);
	return src(assets, { base: '.', encoding: false }).pipe(dest('dist'));
}
