// Lets a child `node` process run the TypeScript sources directly (tests starting several CLI processes):
// transpiles .ts on require (no type check, like ts-jest's isolatedModules) and maps the `@/` alias to src/.
/* eslint-disable */
const Module = require('module');
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const src = path.resolve(__dirname, '../../../src');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request.startsWith('@/')) request = path.join(src, request.slice(2));
  return resolve.call(this, request, parent, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
      resolveJsonModule: true,
    },
  });
  module._compile(out.outputText, filename);
};
